"""Live boards in a worker: each board's marks held in memory, read from the database incrementally.

Owns: ``BoardCache`` - per process, the ``LiveBoard`` (``scoring.domain.incremental``) of the
boards it recomputed lately - and the two ways to compute a board:
- ``cache().result(session, board)``: through the cache. The first pass on a board reads all its
  marks; later passes read only marks newer than a watermark, put them into the live board
  and rescore only the entries they touch. After one new sheet on a 300-entry board that is a
  few milliseconds instead of tens (bench/recompute.py, T3).
- ``from_scratch(session, board)`` (with the teams by id, what ``scoring.boards.compute``
  returns) and ``result_from_scratch``: everything read and computed anew; the reference the
  cached result must always equal (tests/scoring/wiring/test_recompute_*.py).

Watermark. Mark ids come from one sequence but transactions may commit out of id order, so
"id > the largest id seen" could miss a mark committed late with a smaller id. With
``horizon`` = an upper bound on the time between a mark's insert and its commit, a pass reads
ids above the largest id seen by a pass that ended at least ``horizon`` before the *previous*
pass started: any mark committed after the previous pass began got its id after that, so it
is above the watermark (re-read rows are idempotent: a value put twice changes nothing).
Between the watermark and the largest id seen, the ids read are kept; a pass counts the stored
rows in that range and reads it again only when the database holds more than were read (a
late commit), so a warm board costs the new rows even right after a full read.
SQLite serialises writers (ids commit in order), so its horizon is 0.

Storage replaced under the cache. The event log is append-only, so its first entry names the
database's history: when it changes (a restore, a test that empties the tables) every held
board is forgotten. A board whose largest mark id fell below what was seen is read in full.

A rules change, or new fields of the same entries, rebuilds the live board from the values it
holds (no database read); a scheme change or another set of entries reads the board in full
(deleting an aspect or a team deletes its marks), and
``full_every`` seconds after its last full read a board is read in full again,
so that a removal (marks deleted with a sheet or team) is picked up within that time.

Must not: import flask, commit, emit, or hold scoring rules.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from compete.events import EventRecord
from compete.registration.models import SkillEvent, Stage, Team
from scoring import event_rules, repository
from scoring.domain.engine import BoardResult, EntryInput, EventRules, compute_panels
from scoring.domain.incremental import LiveBoard
from scoring.domain.scheme import Scheme
from scoring.models import Board, Mark

#: seconds a mark may take from its insert to its commit on a database that runs writers
#: concurrently (PostgreSQL); generous: a larger value only re-reads a few more rows
DEFAULT_HORIZON = 10.0


@dataclasses.dataclass
class _Held:
    live: LiveBoard
    full_at: float
    #: (time a pass ended, largest mark id seen by then), oldest first
    checkpoints: list[tuple[float, int]]
    previous_start: float
    max_seen: int
    seen: _Seen
    #: ids read above the watermark, ascending (kept only where the horizon is not 0)
    ids: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What a recompute reads besides the marks (narrow queries: no ORM objects)."""

    scheme: Scheme
    rules: EventRules
    entries: list[EntryInput]


#: the time of the event log's first entry, and a board's largest mark id
_WORLD = select(
    select(EventRecord.at).order_by(EventRecord.id).limit(1).scalar_subquery(),
    select(func.max(Mark.id)).where(Mark.board_id == bindparam("board")).scalar_subquery(),
)

_EVENT_OF_STAGE = (select(SkillEvent.id, SkillEvent.rules).join(Stage, Stage.event_id == SkillEvent.id)
                   .where(Stage.id == bindparam("stage")))


@dataclasses.dataclass
class _Seen:
    """The raw rows the last ``Inputs`` of a board were built from (rebuilt only when they change)."""

    rows: tuple[Any, Any, Any]
    inputs: Inputs


def inputs(session: Session, board: Board, seen: _Seen | None = None) -> tuple[Inputs, _Seen]:
    """Scheme, rules and entries of a board; parsed again only if their rows changed since ``seen``."""
    event_id, rules = session.connection().execute(_EVENT_OF_STAGE, {"stage": board.stage_id}).one()
    raw = (repository.scheme_rows(session, event_id), rules, repository.entry_rows(session, board))
    if seen is not None and seen.rows == raw:
        return seen.inputs, seen
    old = seen.inputs if seen is not None else None
    made = Inputs(
        old.scheme if old is not None and seen is not None and seen.rows[0] == raw[0]
        else repository.scheme_from(raw[0]),
        old.rules if old is not None and seen is not None and seen.rows[1] == raw[1] else event_rules.parse(rules),
        repository.entries_from(raw[2]))
    return made, _Seen(raw, made)


def _teams(session: Session, board: Board) -> dict[int, Team]:
    return {t.id: t for t in repository.board_teams(session, board)}


def result_from_scratch(session: Session, board: Board) -> BoardResult:
    with gc_paused():
        given, _seen = inputs(session, board)
        return compute_panels(given.scheme, given.entries, repository.current_panels(session, board.id),
                              given.rules)


def from_scratch(session: Session, board: Board) -> tuple[BoardResult, dict[int, Team]]:
    """The board computed from everything stored, with no cache involved, and its teams."""
    return result_from_scratch(session, board), _teams(session, board)


class BoardCache:
    def __init__(self, capacity: int = 256, horizon: float | None = None, full_every: float = 60.0) -> None:
        self.capacity = capacity
        self.horizon = horizon
        self.full_every = full_every
        self._held: OrderedDict[int, _Held] = OrderedDict()
        self._lock = threading.Lock()
        self._world: object = None
        #: passes by kind, for tests and benchmarks: "full", "incremental", "rebuilt"
        self.passes: dict[str, int] = {"full": 0, "incremental": 0, "rebuilt": 0}
        #: mark rows read by incremental passes, for tests and benchmarks
        self.rows_read = 0

    def forget(self, board_id: int | None = None) -> None:
        with self._lock:
            if board_id is None:
                self._held.clear()
            else:
                self._held.pop(board_id, None)

    def _horizon(self, session: Session) -> float:
        if self.horizon is not None:
            return self.horizon
        return 0.0 if session.get_bind().dialect.name == "sqlite" else DEFAULT_HORIZON

    def result(self, session: Session, board: Board) -> BoardResult:
        """The board through the cache (see the module docstring); equal to ``from_scratch``."""
        with self._lock, gc_paused():
            started = time.monotonic()
            world, newest = session.connection().execute(_WORLD, {"board": board.id}).one()
            if world != self._world:
                self._held.clear()
                self._world = world
            held = self._held.get(board.id)
            given, seen = inputs(session, board, held.seen if held is not None else None)
            if held is not None and (started - held.full_at > self.full_every or (newest or 0) < held.max_seen
                                     or held.live.scheme != given.scheme
                                     or held.live.entry_ids != {e.id for e in given.entries}):
                held = None  # deleting an aspect or a team deletes its marks: read them all again
            horizon = self._horizon(session)
            if held is None:
                ids: list[int] | None = [] if horizon > 0 else None
                panels, top = repository.read_panels(session, board.id, ids)
                live = LiveBoard.adopt(given.scheme, given.rules, given.entries, panels)
                held = _Held(live, started, [], started, top, seen, ids or [])
                self.passes["full"] += 1
            else:
                if held.live.rules != given.rules:
                    held.live = LiveBoard(given.scheme, given.rules, given.entries, held.live.panels())
                    self.passes["rebuilt"] += 1
                rows = repository.read_marks(session, board.id, self._read_from(session, board.id, held, horizon))
                held.live.put_many((r.entry_id, r.aspect_id, r.judge_id, r.value) for r in rows)
                self.rows_read += len(rows)
                if horizon > 0:
                    _remember(held.ids, (r.id for r in rows))
                held.max_seen = max(held.max_seen, max((r.id for r in rows), default=0))
                held.previous_start = started
                self.passes["incremental"] += 1
            held.seen = seen
            if horizon > 0:
                held.checkpoints.append((time.monotonic(), held.max_seen))
            self._held[board.id] = held
            self._held.move_to_end(board.id)
            while len(self._held) > self.capacity:
                self._held.popitem(last=False)
            return held.live.result(given.entries)

    def _read_from(self, session: Session, board_id: int, held: _Held, horizon: float) -> int:
        """Where an incremental read starts. Below the watermark every row is known to be read;
        between it and the largest id seen, a row may still be missing (committed late), but
        only if the database now holds more rows there than were read: one count decides
        whether that range is read again."""
        watermark = self._watermark(held, horizon)
        if horizon <= 0 or watermark >= held.max_seen:
            return watermark
        del held.ids[:bisect.bisect_right(held.ids, watermark)]
        stored = repository.count_marks(session, board_id, watermark, held.max_seen)
        return held.max_seen if stored == bisect.bisect_right(held.ids, held.max_seen) else watermark

    @staticmethod
    def _watermark(held: _Held, horizon: float) -> int:
        """The largest id seen by a pass that ended ``horizon`` before the previous pass began."""
        if horizon <= 0:
            return held.max_seen
        cutoff = held.previous_start - horizon
        safe = 0
        keep_from = 0
        for i, (ended, seen) in enumerate(held.checkpoints):
            if ended <= cutoff:
                safe = seen
                keep_from = i
            else:
                break
        del held.checkpoints[:keep_from]  # older checkpoints can never be the latest safe one again
        return safe


def _remember(ids: list[int], read: Iterator[int]) -> None:
    """Add ids just read to the ascending list (new ones mostly at the end; re-read ones are
    already there)."""
    for mark_id in read:
        if not ids or mark_id > ids[-1]:
            ids.append(mark_id)
        else:
            at = bisect.bisect_left(ids, mark_id)
            if at == len(ids) or ids[at] != mark_id:
                ids.insert(at, mark_id)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during one pass: a full read allocates ~100,000 short-lived
    objects, and the collections they trigger scan the whole heap (p95 160 ms → 95 ms for the
    90,000-mark board). They are acyclic and freed by reference counting as the pass ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_cache = BoardCache()


def cache() -> BoardCache:
    """This process's board cache."""
    return _cache
