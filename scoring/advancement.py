"""Advancement (晋级): from a zone stage's boards to the final, previewed, then enrolled once.

Owns: building ``scoring.domain.advancement`` candidates from the zone boards of one division
(each board computed from scratch: rank, prize, and the measure compared across zones - the
board's exact total, standardised when the event standardises), running ``advance`` with the
event's ``advancement`` rules (``scoring.event_rules``), and the enrolment.

- ``preview(session, actor, stage_id, division_id, ineligible)`` → qualifiers (each with its
  reason: ``zone_place``, ``replacement``, ``wildcard``), reserves and exclusions, plus the
  target stage and whether the division was already enrolled. Changes nothing.
- ``enrol(...)`` is ONE audited action: in one transaction it creates a final-stage ``Team``
  per qualifier (name, institution, zone, members and coaches copied), one ``Qualification``
  row per qualifier and per reserve, the final's board if missing, and exactly one
  ``advancement.enrolled`` event carrying everything (rules used, qualifiers, reserves,
  exclusions). A second enrolment of the same division into the same stage is refused
  (``advancement.already_enrolled``), also when two race (the unique constraint decides).
  Enrolling needs every zone board of the division to be ``final`` (published results).

Error codes: advancement.not_a_zone_stage, advancement.no_final, advancement.no_boards,
advancement.results_not_final, advancement.already_enrolled, advancement.nobody_qualifies.

Must not: import flask, commit, or re-rank boards by its own rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import Conflict, InvalidState, NotFound, ValidationFailed
from compete.registration.models import Coach, Division, Institution, SkillEvent, Stage, Team, TeamMember, Zone
from compete.security import Actor
from scoring import boards, event_rules, live
from scoring.domain.advancement import AdvancementResult, AdvancementRules, Candidate, advance
from scoring.models import Board, Qualification


@dataclasses.dataclass(frozen=True)
class Plan:
    stage: Stage
    division: Division
    target: Stage
    rules: AdvancementRules
    result: AdvancementResult
    teams: dict[int, Team]
    candidates: dict[int, Candidate]
    boards: list[Board]


def _place(session: Session, stage_id: int, division_id: int) -> tuple[Stage, Division, SkillEvent]:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("stage.not_found", field="stage")
    division = session.get(Division, division_id)
    if division is None or division.event_id != stage.event_id:
        raise NotFound("division.not_found", field="division")
    event = session.get(SkillEvent, stage.event_id)
    assert event is not None
    if stage.kind != "zone":
        raise InvalidState("advancement.not_a_zone_stage", field="stage")
    return stage, division, event


def _target(session: Session, event: SkillEvent, target_id: int | None) -> Stage:
    if target_id is not None:
        target = session.get(Stage, target_id)
        if target is None or target.event_id != event.id or target.kind == "zone":
            raise ValidationFailed("advancement.no_final", field="target_stage")
        return target
    final = session.scalar(select(Stage).where(Stage.event_id == event.id, Stage.kind == "final"))
    if final is None:
        raise InvalidState("advancement.no_final", field="target_stage")
    return final


def plan(session: Session, stage_id: int, division_id: int, ineligible: Mapping[int, str] | None = None,
         target_id: int | None = None) -> Plan:
    """Who would qualify now (no permission check: callers check)."""
    stage, division, event = _place(session, stage_id, division_id)
    target = _target(session, event, target_id)
    rules = event_rules.parse_advancement((event.rules or {}).get(event_rules.ADVANCEMENT_KEY))
    zone_boards = list(session.scalars(select(Board).where(Board.stage_id == stage.id,
                                                           Board.division_id == division.id)
                                       .order_by(Board.zone_id, Board.id)))
    if not zone_boards:
        raise InvalidState("advancement.no_boards", field="stage")
    zones = {z.id: z for z in session.scalars(select(Zone).where(Zone.competition_id == event.competition_id))}
    marks = dict(ineligible or {})
    candidates: dict[int, Candidate] = {}
    teams: dict[int, Team] = {}
    for board in zone_boards:
        result, board_teams = live.from_scratch(session, board)
        zone = zones.get(board.zone_id) if board.zone_id is not None else None
        for row in result.rows:
            team = board_teams[row.entry_id]
            institution = session.get(Institution, team.institution_id)
            assert institution is not None
            teams[team.id] = team
            candidates[team.id] = Candidate(
                entry_id=team.id, zone=zone.code if zone else "", institution=str(team.institution_id),
                province=institution.province, zone_rank=row.rank, measure=row.exact_total, prize=row.prize,
                ineligible=marks.get(team.id))
    for team_id in marks:
        if team_id not in candidates:
            raise ValidationFailed("advancement.unknown_team", field=f"ineligible.{team_id}")
    return Plan(stage, division, target, rules, advance(candidates.values(), rules), teams, candidates,
                zone_boards)


def _already(session: Session, p: Plan) -> bool:
    return session.scalar(select(Qualification.id).where(
        Qualification.source_stage_id == p.stage.id, Qualification.target_stage_id == p.target.id,
        Qualification.division_id == p.division.id).limit(1)) is not None


def _describe(session: Session, p: Plan) -> dict[str, Any]:
    def team(team_id: int) -> dict[str, Any]:
        t = p.teams[team_id]
        c = p.candidates[team_id]
        institution = session.get(Institution, t.institution_id)
        return {"team": t.id, "code": t.code, "name": t.name, "institution": institution.name if institution else "",
                "province": c.province, "zone": c.zone, "zone_rank": c.zone_rank, "measure": str(c.measure),
                "prize": c.prize}

    return {
        "stage": p.stage.id, "division": p.division.id, "target_stage": p.target.id,
        "target_stage_name": p.target.name, "rules": event_rules.advancement_mapping(p.rules),
        "qualifiers": [{**team(q.entry_id), "reason": q.reason, "order": q.order} for q in p.result.qualifiers],
        "reserves": [{**team(r.entry_id), "order": r.order} for r in p.result.reserves],
        "excluded": [{**team(x.entry_id), "reason": x.reason} for x in p.result.excluded],
        "boards": [{"id": b.id, "publication": b.publication} for b in p.boards],
        "enrolled": _already(session, p),
    }


def preview(session: Session, actor: Actor, stage_id: int, division_id: int,
            ineligible: Mapping[int, str] | None = None, target_id: int | None = None) -> dict[str, Any]:
    stage, _division, event = _place(session, stage_id, division_id)
    permissions.require(actor, "team.read", event.competition_id, not_found="stage.not_found")
    return _describe(session, plan(session, stage.id, division_id, ineligible, target_id))


@dataclasses.dataclass(frozen=True)
class Enrolment:
    summary: dict[str, Any]
    event_record_id: int
    board_id: int


def enrol(session: Session, actor: Actor, stage_id: int, division_id: int,
          ineligible: Mapping[int, str] | None = None, target_id: int | None = None) -> Enrolment:
    """Enrol the qualifiers into the target stage: one transaction, one event (see above)."""
    stage, division, event = _place(session, stage_id, division_id)
    permissions.require(actor, "setup.write", event.competition_id, not_found="stage.not_found")
    p = plan(session, stage.id, division.id, ineligible, target_id)
    if _already(session, p):
        raise Conflict("advancement.already_enrolled", field="division")
    unfinished = [b.id for b in p.boards if b.publication != "final"]
    if unfinished:
        raise InvalidState("advancement.results_not_final", field="stage",
                           boards=", ".join(str(b) for b in unfinished))
    if not p.result.qualifiers:
        raise InvalidState("advancement.nobody_qualifies", field="division")
    summary = _describe(session, p)
    try:
        with session.begin_nested():
            created = {q.entry_id: _copy_team(session, p.teams[q.entry_id], p.target)
                       for q in p.result.qualifiers}
            session.flush()
            board = boards.get_or_create(session, p.target, division, None,
                                         f"{event.name} · {division.name} · {p.target.name}")
            for q in summary["qualifiers"]:
                q["enrolled_team"] = created[q["team"]].id
            summary["board"] = board.id
            summary["enrolled"] = True
            record = events.append(session, "advancement.enrolled", summary, actor=actor.label,
                                   competition_id=event.competition_id, device_id=actor.device_id)
            session.flush()
            session.add_all(Qualification(
                source_stage_id=stage.id, target_stage_id=p.target.id, division_id=division.id,
                source_team_id=q.entry_id, target_team_id=created[q.entry_id].id, reason=q.reason,
                position=q.order, event_record_id=record.id, actor=actor.label) for q in p.result.qualifiers)
            session.add_all(Qualification(
                source_stage_id=stage.id, target_stage_id=p.target.id, division_id=division.id,
                source_team_id=r.entry_id, target_team_id=None, reason="reserve", position=r.order,
                event_record_id=record.id, actor=actor.label) for r in p.result.reserves)
            session.flush()
    except IntegrityError:
        raise Conflict("advancement.already_enrolled", field="division") from None
    return Enrolment(summary, record.id, board.id)


def _copy_team(session: Session, source: Team, target: Stage) -> Team:
    team = Team(division_id=source.division_id, stage_id=target.id, institution_id=source.institution_id,
                zone_id=source.zone_id, name=source.name, status="registered")
    team.members = [TeamMember(name=m.name, role=m.role, position=m.position) for m in source.members]
    team.coaches = [Coach(name=c.name) for c in source.coaches]
    session.add(team)
    return team


def enrolled(session: Session, actor: Actor, stage_id: int, division_id: int) -> list[dict[str, Any]]:
    """The stored qualifications of a division from a zone stage, in order, with reasons."""
    stage, _division, event = _place(session, stage_id, division_id)
    permissions.require(actor, "team.read", event.competition_id, not_found="stage.not_found")
    rows = session.scalars(select(Qualification).where(Qualification.source_stage_id == stage.id,
                                                        Qualification.division_id == division_id)
                           .order_by(Qualification.reason == "reserve", Qualification.position))
    return [{"team": q.source_team_id, "enrolled_team": q.target_team_id, "reason": q.reason,
             "order": q.position, "event": q.event_record_id} for q in rows]
