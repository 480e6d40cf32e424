"""Draws of lots for a stage × division (× zone): record the seed, deal the numbers, audit.

Owns: ``run_draw`` (check the chain entry → station → review is ready, draw with
``registration.domain.draws.draw_numbers`` from a fresh or given seed, refuse numbers that clash
with other teams of the stage, write them on the teams, record a ``Draw`` with its seed and
result and a ``draw.recorded`` event), ``verify`` (recompute a recorded draw from its seed and
compare) and ``list_draws``. From the first draw on, ``Team.code`` (review > station > entry)
is what judges and the public see.

Vocabulary: the *prefix* defaults to the zone's code (``GD-07``), then ``S`` or ``R`` for station
and review numbers (``GD-S07``, ``GD-R07``), with the division's letter when the event has more
than one division (``GD-B-07``).

Must not: import flask; commit.
"""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import Conflict, NotFound, ValidationFailed
from compete.registration import repository
from compete.registration.domain.draws import KINDS, check_ready, draw_numbers, new_seed, same_result
from compete.registration.models import Division, Draw, SkillEvent, Stage, Team, Zone
from compete.security import Actor

COLUMN = {"entry": "entry_number", "station": "station_number", "review": "review_number"}
#: kinds whose numbers must be unique within a stage (database constraints say so)
UNIQUE_IN_STAGE = ("entry", "review")
WIDTH = 2


def default_prefix(session: Session, kind: str, division: Division, zone: Zone | None) -> str:
    siblings = list(session.scalars(select(Division.id).where(Division.event_id == division.event_id)
                                    .order_by(Division.id)))
    parts = [zone.code] if zone else []
    if len(siblings) > 1:
        parts.append(string.ascii_uppercase[siblings.index(division.id) % 26])
    letter = {"entry": "", "station": "S", "review": "R"}[kind]
    return "-".join(parts) + ("-" if parts else "") + letter


def _scope(session: Session, stage_id: int, division_id: int, zone_id: int | None
           ) -> tuple[Stage, Division, int, Zone | None]:
    stage = repository.stage(session, stage_id)
    division = repository.division(session, division_id)
    if stage.event_id != division.event_id:
        raise ValidationFailed("team.stage_not_of_event", field="stage")
    competition_id = repository.competition_of_event(session, division.event_id)
    zone = None
    if zone_id is not None:
        zone = session.get(Zone, zone_id)
        if zone is None or zone.competition_id != competition_id:
            raise ValidationFailed("zone.not_found", field="zone")
    return stage, division, competition_id, zone


def run_draw(session: Session, actor: Actor, *, stage_id: int, division_id: int, kind: str,
             zone_id: int | None = None, seed: str | None = None, prefix: str | None = None,
             competition_id: int | None = None) -> Draw:
    """Draw ``kind`` numbers; ``competition_id``, when given, is the competition the caller named."""
    if kind not in KINDS:
        raise ValidationFailed("draw.unknown_kind", field="kind", kind=kind)
    stage, division, found, zone = _scope(session, stage_id, division_id, zone_id)
    if competition_id is not None and found != competition_id:
        raise NotFound("stage.not_found", field="stage")
    competition_id = found
    permissions.require(actor, "draw.run", competition_id, zone_id, not_found="stage.not_found")
    teams = repository.team_numbers(session, stage.id, division.id, zone_id)
    check_ready(kind, {t.id: {k: getattr(t, c) for k, c in COLUMN.items()} for t in teams})
    seed = seed or new_seed()
    prefix = default_prefix(session, kind, division, zone) if prefix is None else prefix
    numbers = draw_numbers(seed, [t.id for t in teams], prefix=prefix, width=WIDTH)
    column = COLUMN[kind]
    if kind in UNIQUE_IN_STAGE:
        ids = set(numbers)
        taken = {value for team_id, value in session.execute(
            select(Team.id, getattr(Team, column)).where(Team.stage_id == stage.id)) if team_id not in ids and value}
        if taken & set(numbers.values()):
            raise Conflict("draw.number_clash", field="prefix", prefix=prefix)
    for team in teams:
        setattr(team, column, numbers[team.id])
    draw = Draw(stage_id=stage.id, division_id=division.id, kind=kind, seed=seed, actor=actor.label,
                result={"zone": zone_id, "prefix": prefix, "width": WIDTH,
                        "numbers": {str(k): v for k, v in numbers.items()}})
    session.add(draw)
    session.flush()
    events.append(session, "draw.recorded",
                  {"draw": draw.id, "kind": kind, "stage": stage.id, "division": division.id, "zone": zone_id,
                   "seed": seed, "prefix": prefix, "teams": len(teams)},
                  actor=actor.label, competition_id=competition_id, device_id=actor.device_id)
    return draw


def _recorded(draw: Draw) -> tuple[dict[str, str], str, int]:
    """The numbers, prefix and width of a draw (older draws stored only {team id: number})."""
    result = draw.result or {}
    if isinstance(result.get("numbers"), dict):
        return dict(result["numbers"]), str(result.get("prefix") or ""), int(result.get("width") or WIDTH)
    numbers = {str(k): str(v) for k, v in result.items()}
    sample = next(iter(numbers.values()), "")
    digits = len(sample) - len(sample.rstrip(string.digits))
    return numbers, sample[: len(sample) - digits], max(digits, 1)


def competition_of_draw(session: Session, draw: Draw) -> int:
    return repository.competition_of_event(session, repository.stage(session, draw.stage_id).event_id)


def verify(session: Session, actor: Actor, draw_id: int) -> dict[str, Any]:
    """Recompute a draw from its recorded seed: ``reproducible`` is True when it matches."""
    draw = repository.draw(session, draw_id)
    permissions.require(actor, "draw.read", competition_of_draw(session, draw), not_found="draw.not_found")
    numbers, prefix, width = _recorded(draw)
    again = draw_numbers(draw.seed, [int(k) for k in numbers], prefix=prefix, width=width)
    return {"draw": draw.id, "seed": draw.seed, "reproducible": same_result(numbers, again),
            "teams": len(numbers)}


def list_draws(session: Session, actor: Actor, competition_id: int) -> list[Draw]:
    repository.competition(session, competition_id)
    permissions.require(actor, "draw.read", competition_id, not_found="competition.not_found")
    return list(session.scalars(
        select(Draw).join(Stage, Stage.id == Draw.stage_id).join(SkillEvent, SkillEvent.id == Stage.event_id)
        .where(SkillEvent.competition_id == competition_id).order_by(Draw.id)))
