"""Boards: recompute a ranking from stored marks and materialise one snapshot per audience.

``refresh(session, board_id)`` is the whole recompute: it computes the ranking through this
process's board cache (``scoring.live``: the first pass reads every mark, later passes only the
new ones), and writes a new ``BoardSnapshot`` (version + 1) for each audience whose content
changed. ``compute`` is the same ranking from scratch, without the cache.

The public and officials' snapshots are separate materialisations (``materialise``), built
by ``scoring.domain.visibility`` from what each audience may have:
- public: nothing while ``hidden``; while ``frozen`` the rows *as at the freeze* (stored on the
  board by ``scoring.publication``; current marks are not read into it at all); while
  ``revealed`` prize rows appear level by level; codes only until decryption; never judge
  counts, flags or exact totals. So nothing hidden can leak through a client-side filter.
- officials: the current rows in full (marks in, flags, what decided each tie); names only
  after decryption, like everyone else.

Vocabulary: a *payload* is one snapshot's JSON (``board``, ``audience``, ``version``,
``title``, ``publication``, ``reveal_level``, ``named``, ``qualify``, ``rows``); ``qualify``
is the qualification line of a zone board (top N advance), None elsewhere. Rows leave out
empty fields (no ``prize`` key without a prize) to keep board messages small.

Must not: import flask, emit (the job does, after the commit), or commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from compete.db import make_engine, make_session_factory
from compete.errors import Forbidden, NotFound, ValidationFailed
from compete.events import utcnow
from compete.registration.models import Division, Institution, SkillEvent, Stage, Team, Zone
from compete.security import Actor
from scoring import event_rules, live
from scoring.domain.engine import BoardResult, RankedRow
from scoring.domain.visibility import Identity, officials_view, public_view
from scoring.models import AUDIENCES, Board, BoardSnapshot

def refresh(session: Session, board_id: int) -> list[BoardSnapshot]:
    """Recompute one board; return the snapshots written (none if nothing changed).

    Everything but the writing happens in a read snapshot of its own (``_reading``): the
    ranking, both audiences' materialisations and their digests. The caller's transaction -
    which on SQLite holds the one write lock from its first statement, and every web process
    waits for that lock to commit a mark - is opened only when an audience's board changed, and
    then lasts for locking the board row, checking that its publication did not move meanwhile
    (else the materialisation is redone under the lock: a freeze is never overwritten by a
    board made before it) and writing the snapshots. A mark that commits after the read is not
    lost: the coalescer (``scoring.recompute``) runs one more pass for it.
    """
    with _reading(session) as reader:
        seen = reader.get(Board, board_id)
        if seen is None:
            raise NotFound("board.not_found", field="board")
        result = live.cache().result(reader, seen)
        qualify = qualify_places(reader, seen)
        contents, digests = _both_audiences(reader, seen, result, qualify)
        state = _state(seen)
        if all(_latest_digest(reader, board_id, audience) == digests[audience] for audience in AUDIENCES):
            return []
    board = session.get(Board, board_id, with_for_update=True)
    if board is None:
        raise NotFound("board.not_found", field="board")
    if _state(board) != state:  # the publication moved since the read: materialise what is now
        contents, digests = _both_audiences(session, board, result, qualify)
    written = []
    for audience in AUDIENCES:
        snapshot = _write_if_changed(session, board.id, audience, contents[audience], digests[audience])
        if snapshot is not None:
            written.append(snapshot)
    return written


def _both_audiences(session: Session, board: Board, result: BoardResult, qualify: int | None
                    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each audience's materialisation of ``result`` for ``board`` as it is, and its digest."""
    who = identities_of(session, [row.entry_id for row in result.rows]) if board.decrypted else None
    contents = {audience: materialise(board, result, {}, audience, qualify=qualify, who=who)
                for audience in AUDIENCES}
    return contents, {audience: _digest(content) for audience, content in contents.items()}


def _state(board: Board) -> tuple[Any, ...]:
    """What a materialisation depends on besides the ranking."""
    return (board.publication, board.decrypted, board.reveal_level, board.frozen_at, board.title)


_readers: dict[str, sessionmaker[Session]] = {}
_readers_lock = threading.Lock()


@contextlib.contextmanager
def _reading(session: Session) -> Iterator[Session]:
    """A read-only session beside ``session``: on SQLite a deferred transaction (WAL lets it
    read while another connection writes), elsewhere a second session on the same engine."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    key = str(engine.url)
    with _readers_lock:
        factory = _readers.get(key)
        if factory is None:
            reader_engine = make_engine(engine.url.render_as_string(hide_password=False), immediate=False) \
                if engine.dialect.name == "sqlite" else engine
            factory = _readers[key] = make_session_factory(reader_engine)
    reader = factory()
    try:
        yield reader
    finally:
        reader.rollback()
        reader.close()


def compute(session: Session, board: Board) -> tuple[BoardResult, dict[int, Team]]:
    """The board's ranking from scratch (no cache), with the teams it ranks (by id)."""
    return live.from_scratch(session, board)


def qualify_places(session: Session, board: Board) -> int | None:
    """Top N of a zone board advance: the place count the enrolment uses
    (``scoring.advancement``), from the event's ``advancement`` rules - ``zone_places`` for this
    zone, else ``per_zone``. None for a board without a zone, or when places are not counted
    per zone (``per_zone: null``, e.g. first prizes only)."""
    if board.zone_id is None:
        return None
    row = session.execute(select(SkillEvent.rules, Zone.code).select_from(Stage)
                          .join(SkillEvent, SkillEvent.id == Stage.event_id)
                          .join(Zone, Zone.id == board.zone_id)
                          .where(Stage.id == board.stage_id)).one_or_none()
    if row is None:
        return None
    rules, zone_code = row
    try:
        advancement = event_rules.parse_advancement((rules or {}).get(event_rules.ADVANCEMENT_KEY))
    except ValidationFailed:  # stored unchecked: no line rather than no board
        return None
    return advancement.zone_places.get(zone_code, advancement.per_zone)


def identities(teams: Mapping[int, Team]) -> dict[int, Identity]:
    """Each team's name and institution, in one query."""
    if not teams:
        return {}
    session = object_session(next(iter(teams.values())))
    assert session is not None
    return identities_of(session, list(teams))


def identities_of(session: Session, team_ids: Sequence[int]) -> dict[int, Identity]:
    """The name and institution of each of these teams, in one query."""
    if not team_ids:
        return {}
    rows = session.execute(select(Team.id, Team.name, Institution.name)
                           .join(Institution, Institution.id == Team.institution_id)
                           .where(Team.id.in_(list(team_ids))))
    return {team_id: Identity(name, institution) for team_id, name, institution in rows}


def materialise(board: Board, result: BoardResult, teams: Mapping[int, Team], audience: str, *,
                qualify: int | None = None, who: Mapping[int, Identity] | None = None) -> dict[str, Any]:
    """The board as one audience may see it (see the module docstring). Identities come from
    ``who`` or else ``teams``, and are attached only when the board is decrypted."""
    who = (who if who is not None else identities(teams)) if board.decrypted else None
    rows: list[dict[str, Any]] = []
    if audience == "public":
        for public in public_view(result.rows, board.publication, board.decrypted, frozen_rows(board),
                                  identities=who, reveal_level=board.reveal_level):
            rows.append(_compact({"code": public.code, "rank": public.rank, "total": str(public.total),
                                  "prize": public.prize, "medal": public.medal,
                                  "team": public.name, "institution": public.institution}))
    elif audience == "officials":
        for official in officials_view(result.rows, board.decrypted, who):
            row = official.row
            rows.append(_compact({"code": row.code, "rank": row.rank, "total": str(row.total),
                                  "prize": row.prize, "medal": row.medal, "marks": row.marks_in,
                                  "flags": list(row.flags), "decided_by": row.decided_by,
                                  "team": official.name, "institution": official.institution},
                                 keep=("marks", "flags")))
    else:
        raise NotFound("board.not_found", field="audience")
    return {"board": board.id, "audience": audience, "title": board.title, "publication": board.publication,
            "reveal_level": board.reveal_level, "named": board.decrypted, "qualify": qualify, "rows": rows}


def _compact(row: dict[str, Any], keep: Sequence[str] = ()) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in keep or v not in (None, {}, [])}


# -- the rows as at a freeze ------------------------------------------------------------

def freeze_rows(result: BoardResult) -> list[dict[str, Any]]:
    """What a freeze stores: the ranked rows the public view needs, as JSON."""
    return [{"entry_id": r.entry_id, "code": r.code, "rank": r.rank, "total": str(r.total),
             "modules": {k: str(v) for k, v in r.modules.items()}, "prize": r.prize, "medal": r.medal,
             "decided_by": r.decided_by} for r in result.rows]


def frozen_rows(board: Board) -> list[RankedRow] | None:
    if board.frozen_rows is None:
        return None
    return [RankedRow(entry_id=int(r["entry_id"]), code=r["code"], rank=r["rank"], total=Decimal(r["total"]),
                      modules={k: Decimal(v) for k, v in r["modules"].items()}, prize=r["prize"],
                      medal=r["medal"], decided_by=r["decided_by"], flags=(), marks_in=0)
            for r in board.frozen_rows]


# -- snapshots ---------------------------------------------------------------------------

def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _latest_digest(session: Session, board_id: int, audience: str) -> str | None:
    return session.scalar(select(BoardSnapshot.digest)
                          .where(BoardSnapshot.board_id == board_id, BoardSnapshot.audience == audience)
                          .order_by(BoardSnapshot.version.desc()).limit(1))


def _write_if_changed(session: Session, board_id: int, audience: str, content: dict[str, Any],
                      digest: str) -> BoardSnapshot | None:
    last = latest(session, board_id, audience)
    if last is not None and last.digest == digest:
        return None
    version = (last.version if last else 0) + 1
    payload = {**content, "version": version, "generated_at": utcnow().isoformat()}
    snapshot = BoardSnapshot(board_id=board_id, audience=audience, version=version, digest=digest, payload=payload)
    session.add(snapshot)
    session.flush()
    return snapshot


def latest(session: Session, board_id: int, audience: str) -> BoardSnapshot | None:
    return session.scalar(
        select(BoardSnapshot)
        .where(BoardSnapshot.board_id == board_id, BoardSnapshot.audience == audience)
        .order_by(BoardSnapshot.version.desc())
        .limit(1)
    )


def snapshot_payload(session: Session, board_id: int, audience: str) -> dict[str, Any]:
    """What the HTTP layer serves: the latest snapshot, or an empty version 0 board."""
    board = session.get(Board, board_id)
    if board is None:
        raise NotFound("board.not_found", field="board")
    last = latest(session, board_id, audience)
    if last is not None:
        return last.payload
    return {"board": board.id, "audience": audience, "title": board.title, "publication": board.publication,
            "reveal_level": board.reveal_level, "named": board.decrypted,
            "qualify": qualify_places(session, board), "rows": [], "version": 0, "generated_at": None}


#: roles that may see the officials' materialisation (a zone admin only for their zones)
OFFICIAL_ROLES = ("admin", "zone_admin", "chief_judge", "supervisor", "arbitrator")


def check_audience(session: Session, actor: Actor, board_id: int, audience: str) -> None:
    """Raise unless ``actor`` may watch ``audience`` of the board (public: anyone)."""
    if audience == "public":
        return
    board = session.get(Board, board_id)
    if board is None:
        raise NotFound("board.not_found", field="board")
    if actor.has_any(*(r for r in OFFICIAL_ROLES if r != "zone_admin")):
        return
    if actor.has_any("zone_admin") and board.zone_id is not None and board.zone_id in actor.zones:
        return
    raise Forbidden("board.audience_forbidden", field="audience")


def get_or_create(session: Session, stage: Stage, division: Division, zone_id: int | None, title: str) -> Board:
    key = Board.key_for(stage.id, division.id, zone_id)
    board = session.scalar(select(Board).where(Board.key == key))
    if board is None:
        board = Board(key=key, stage_id=stage.id, division_id=division.id, zone_id=zone_id, title=title)
        session.add(board)
        session.flush()
    return board
