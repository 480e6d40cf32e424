"""The demo's judges at work: the seeded scoring judges fill their draft sheets, so boards move.

Owns: ``plan`` (which marks are still to enter, in what order and with what values) and
``simulate`` (submit them one by one, paced over a few minutes). Each mark goes the way a
tablet's does: one ``scoring.marking.submit_mark`` per transaction, as the judge on the
judge's device, then ``marking.dispatch`` after the commit, so boards are recomputed by the
worker exactly as in a real contest. Nothing is batched and nothing bypasses the checks.

Vocabulary: a *task* is one mark to enter (sheet × aspect, with its value). Values are
plausible and reproducible from ``seed``: each team has a latent *skill* (0..1), each judge
a small *bias*; judgement marks (0..3) of one panel agree within 1 almost always (now and
then one judge is 2 away, which the board flags for a re-score); measurement marks are 0 or
the maximum and agreed by the panel; points follow skill with a little noise; deductions are
mostly 0. Zones are *interleaved* (one mark per zone in turn) so every board moves; within a
zone the panel scores team by team (entry-number order), aspect by aspect.

Must not: write rows itself, batch marks, import flask, or touch the global ``random``.
Marks already stored are skipped, so re-running continues where a previous run stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete.accounts.models import Device
from compete.db import session_scope
from compete.errors import DomainError
from compete.registration.models import Competition, SkillEvent, Stage, Team
from compete.runtime import Runtime
from compete.security import Actor
from scoring import jobs, marking
from scoring.demo import DEMO_NAME
from scoring.models import Aspect, Mark, Panel, PanelAspect, Sheet

log = logging.getLogger(__name__)

JUDGEMENT_TOP = 3
#: share of (team, judgement aspect) where one judge is 2 away from the panel
ODD_JUDGEMENT = 0.04
#: chance that one judge records a measurement differently from the panel
MEASUREMENT_SLIP = 0.005


@dataclasses.dataclass(frozen=True)
class Task:
    """One mark still to enter."""

    zone_id: int | None
    sheet_id: int
    judge_id: int
    device_id: int | None
    team_id: int
    aspect_id: int
    value: Decimal


def simulate(
    rt: Runtime,
    *,
    minutes: float = 3.0,
    seed: int = 7,
    stop: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> int:
    """Submit the demo's missing marks over about ``minutes``; return how many were stored.

    ``limit`` caps the number of marks (for tests and short demos); ``stop`` ends the run
    early; ``progress(done, total)`` is called after each mark. A mark the service refuses
    (e.g. a sheet the chief judge has meanwhile locked) is skipped and not counted.
    """
    with session_scope(rt.sessions) as session:
        tasks = plan(session, seed=seed)
    if limit is not None:
        tasks = tasks[: max(limit, 0)]
    total = len(tasks)
    if not total:
        log.info("simulate: nothing to score")
        return 0
    interval = max(minutes, 0.0) * 60.0 / total
    coalescer = jobs.coalescer(rt)
    started = time.monotonic()
    stored = 0
    for done, task in enumerate(tasks):
        delay = started + done * interval - time.monotonic()
        if delay > 0 and _wait(stop, delay):
            break
        if stop is not None and stop.is_set():
            break
        actor = Actor("judge", task.judge_id, device_id=task.device_id)
        command = marking.SubmitMark(submission_id=str(uuid.uuid4()), sheet_id=task.sheet_id,
                                     aspect_id=task.aspect_id, value=task.value)
        try:
            with session_scope(rt.sessions) as session:
                receipt = marking.submit_mark(session, actor, command)
        except DomainError as exc:
            log.info("simulate: mark on sheet %s aspect %s refused: %s", task.sheet_id, task.aspect_id, exc.code)
        else:
            marking.dispatch(coalescer, receipt)
            stored += 1
        if progress is not None:
            progress(done + 1, total)
    log.info("simulate: %d of %d marks stored in %.1fs", stored, total, time.monotonic() - started)
    return stored


def plan(session: Session, *, seed: int = 7) -> list[Task]:
    """The demo's marks not yet stored on open (draft) sheets, interleaved by zone."""
    competition_id = session.scalar(select(Competition.id).where(Competition.name == DEMO_NAME).limit(1))
    if competition_id is None:
        log.warning("simulate: no demo competition; seed it first (compete demo)")
        return []
    rows = session.execute(
        select(Sheet.id, Sheet.judge_id, Sheet.team_id, Sheet.panel_id, Panel.zone_id, Team.entry_number)
        .join(Panel, Panel.id == Sheet.panel_id)
        .join(Stage, Stage.id == Panel.stage_id)
        .join(SkillEvent, SkillEvent.id == Stage.event_id)
        .join(Team, Team.id == Sheet.team_id)
        .where(SkillEvent.competition_id == competition_id, Sheet.state == "draft")
        .order_by(Panel.zone_id, Team.entry_number, Sheet.team_id, Sheet.judge_id)
    ).all()
    if not rows:
        return []
    sheet_ids = [r.id for r in rows]
    panel_ids = {r.panel_id for r in rows}
    judge_ids = {r.judge_id for r in rows}
    aspects: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    on_panel: dict[int, set[int]] = defaultdict(set)
    for panel_id, aspect_id, kind, max_mark in session.execute(
        select(PanelAspect.panel_id, Aspect.id, Aspect.kind, Aspect.max_mark)
        .join(Aspect, Aspect.id == PanelAspect.aspect_id)
        .where(PanelAspect.panel_id.in_(panel_ids))
        .order_by(PanelAspect.panel_id, Aspect.position, Aspect.id)
    ):
        aspects[panel_id].append((aspect_id, kind, Decimal(max_mark)))
        on_panel[panel_id].add(aspect_id)
    done = set(_chunked_marks(session, sheet_ids))
    devices: dict[int, int] = {}
    for device_id, judge_id in session.execute(
        select(Device.id, Device.judge_id)
        .where(Device.judge_id.in_(judge_ids), Device.revoked_at.is_(None))
        .order_by(Device.id)
    ):
        devices[judge_id] = device_id  # the newest live device wins

    # Per zone: team by team, aspect by aspect, judge by judge.
    by_team: dict[tuple[int | None, int], list[tuple[int, int, int]]] = defaultdict(list)
    team_order: dict[int | None, list[int]] = defaultdict(list)
    for r in rows:
        if not by_team[(r.zone_id, r.team_id)]:
            team_order[r.zone_id].append(r.team_id)
        by_team[(r.zone_id, r.team_id)].append((r.id, r.judge_id, r.panel_id))
    queues: list[list[Task]] = []
    for zone_id, team_ids in team_order.items():
        queue: list[Task] = []
        for team_id in team_ids:
            sheets = by_team[(zone_id, team_id)]
            for aspect_id, kind, max_mark in aspects[sheets[0][2]]:
                values = panel_values(seed, team_id, aspect_id, kind, max_mark, [judge for _, judge, _ in sheets])
                queue.extend(
                    Task(zone_id, sheet_id, judge_id, devices.get(judge_id), team_id, aspect_id, values[judge_id])
                    for sheet_id, judge_id, panel_id in sheets
                    if (sheet_id, aspect_id) not in done and aspect_id in on_panel[panel_id]
                )
        queues.append(queue)
    return list(_interleave(queues))


def panel_values(seed: int, team_id: int, aspect_id: int, kind: str, max_mark: Decimal,
                 judge_ids: list[int]) -> dict[int, Decimal]:
    """What each judge of a panel enters for one team on one aspect (reproducible from ``seed``)."""
    skill = team_skill(seed, team_id)
    shared = random.Random(f"{seed}:{team_id}:{aspect_id}")
    difficulty = shared.gauss(0.0, 0.08)
    values: dict[int, Decimal] = {}
    if kind == "judgement":
        consensus = _clamp(round(JUDGEMENT_TOP * (skill + difficulty) + shared.gauss(0.0, 0.3)), 0, JUDGEMENT_TOP)
        direction = shared.choice((-1, 1))
        # now and then one judge is 2 away from the others: a re-score the board will flag
        odd_one = shared.choice(judge_ids) if shared.random() < ODD_JUDGEMENT else None
        for judge_id in judge_ids:
            own = random.Random(f"{seed}:{team_id}:{aspect_id}:{judge_id}")
            step = 2 if judge_id == odd_one else (1 if own.random() < 0.3 else 0)
            values[judge_id] = Decimal(_clamp(consensus + direction * step, 0, JUDGEMENT_TOP))
        return values
    if kind == "measurement":
        met = shared.random() < 0.35 + 0.6 * skill
        for judge_id in judge_ids:
            own = random.Random(f"{seed}:{team_id}:{aspect_id}:{judge_id}")
            sees_met = met if own.random() >= MEASUREMENT_SLIP else not met
            values[judge_id] = max_mark if sees_met else Decimal(0)
        return values
    if kind == "deduction":
        penalty = 0 if shared.random() < 0.75 else shared.choice((1, 1, 2, 2, 3))
        top = int(max_mark)
        for judge_id in judge_ids:
            own = random.Random(f"{seed}:{team_id}:{aspect_id}:{judge_id}")
            off = own.choice((-1, 1)) if penalty and own.random() < 0.1 else 0
            values[judge_id] = Decimal(_clamp(penalty + off, 0, top))
        return values
    # points: half-point steps around the team's level
    for judge_id in judge_ids:
        own = random.Random(f"{seed}:{team_id}:{aspect_id}:{judge_id}")
        level = skill + difficulty + judge_bias(seed, judge_id) + own.gauss(0.0, 0.04)
        halves = _clamp(round(float(max_mark) * 2 * level), 0, int(max_mark * 2))
        values[judge_id] = Decimal(halves) / 2
    return values


def team_skill(seed: int, team_id: int) -> float:
    """A team's latent level, 0.3..0.98, mostly around 0.7."""
    return min(0.98, max(0.3, random.Random(f"{seed}:skill:{team_id}").gauss(0.7, 0.13)))


def judge_bias(seed: int, judge_id: int) -> float:
    """A judge's small, steady leniency (+) or severity (-)."""
    return random.Random(f"{seed}:bias:{judge_id}").gauss(0.0, 0.03)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _chunked_marks(session: Session, sheet_ids: list[int], size: int = 500) -> Iterator[tuple[int, int]]:
    for start in range(0, len(sheet_ids), size):
        chunk = sheet_ids[start:start + size]
        for sheet_id, aspect_id in session.execute(
            select(Mark.sheet_id, Mark.aspect_id).where(Mark.sheet_id.in_(chunk)).distinct()
        ):
            yield sheet_id, aspect_id


def _interleave(queues: list[list[Task]]) -> Iterator[Task]:
    """One task of each queue in turn until all are empty."""
    longest = max((len(q) for q in queues), default=0)
    for i in range(longest):
        for queue in queues:
            if i < len(queue):
                yield queue[i]


def _wait(stop: threading.Event | None, seconds: float) -> bool:
    """Sleep ``seconds``; True if ``stop`` was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)
