"""Panels (裁判组): who judges which entries on which aspects, and the sheets that follow.

Owns: creating a panel for one stage × division (× zone) with its aspects and judges, adding and
removing a judge, the sheets that exist because of an assignment (one per sheet-holding judge ×
entry, on the board of that stage × division × zone, created through ``boards.get_or_create``),
recusal at assignment (回避: no sheet for a judge × entry in conflict), overrides of a recusal
(a reason is required, stored and logged), and re-syncing sheets when entries are added later.

Vocabulary: *entries* of a panel are the teams of its stage and division (and zone, if it has
one); a *sheet-holding* role is ``scoring`` or ``onsite`` (a chief judge, supervisor or
arbitrator sits on the panel without sheets); the *recusal scope* comes from the event's rules
(``compete.accounts.domain.recusal``); a *recused pair* is a judge × entry left without a sheet.
The same test runs again when a mark arrives (``scoring.marking``), where an override lifts it.

Error codes: panel.not_found, panel.bad_stage, panel.bad_zone, panel.bad_aspect,
panel.bad_judge, panel.bad_role, panel.judge_has_sheet, panel.judge_not_on_panel,
panel.judge_has_marks, panel.team_not_on_panel, recusal.no_conflict, recusal.reason_required, recusal.bad_scope.

Who: every write needs ``judge.write`` over the panel's competition and zone
(``compete.accounts.permissions``): admins, and zone admins for their zones' panels.

Must not: import flask, commit, or change marks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.recusal import Home, conflict, home_of, scope_of
from compete.accounts.models import JUDGE_ROLES, Judge
from compete.errors import Conflict, NotFound, ValidationFailed
from compete.registration.models import Division, Institution, SkillEvent, Stage, Team, Zone
from compete.security import Actor
from scoring import boards, repository
from scoring.models import Board, Mark, Panel, PanelAspect, PanelJudge, RecusalOverride, Sheet

SHEET_ROLES = ("scoring", "onsite")
REASON_MAX = 500


@dataclasses.dataclass(frozen=True)
class PanelSpec:
    stage_id: int
    division_id: int
    zone_id: int | None
    name: str
    #: None: every aspect of the event's scheme
    aspect_ids: tuple[int, ...] | None = None
    #: (judge id, panel role)
    judges: tuple[tuple[int, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Recused:
    judge_id: int
    team_id: int
    code: str
    conflict: str


@dataclasses.dataclass
class Assignment:
    panel_id: int
    sheets_created: int = 0
    recused: list[Recused] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"panel": self.panel_id, "sheets_created": self.sheets_created,
                "recused": [{"judge": r.judge_id, "team": r.team_id, "code": r.code, "conflict": r.conflict}
                            for r in self.recused]}


# -- reading -------------------------------------------------------------------------------

def get_panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound("panel.not_found", field="panel")
    return panel


def event_of(session: Session, panel: Panel) -> SkillEvent:
    stage = session.get(Stage, panel.stage_id)
    assert stage is not None
    event = session.get(SkillEvent, stage.event_id)
    assert event is not None
    return event


def board_of(session: Session, panel: Panel) -> Board:
    stage = session.get(Stage, panel.stage_id)
    division = session.get(Division, panel.division_id)
    assert stage is not None and division is not None
    event = session.get(SkillEvent, stage.event_id)
    assert event is not None
    title = f"{event.name} · {division.name}"
    if panel.zone_id is not None:
        zone = session.get(Zone, panel.zone_id)
        title += f" · {zone.name}" if zone else ""
    return boards.get_or_create(session, stage, division, panel.zone_id, title)


def entries(session: Session, panel: Panel) -> list[Team]:
    query = select(Team).where(Team.stage_id == panel.stage_id, Team.division_id == panel.division_id)
    if panel.zone_id is not None:
        query = query.where(Team.zone_id == panel.zone_id)
    return list(session.scalars(query.order_by(Team.id)))


def panels_of(session: Session, competition_id: int, zones: Iterable[int] | None = None) -> list[Panel]:
    query = (select(Panel).join(Stage, Stage.id == Panel.stage_id).join(SkillEvent, SkillEvent.id == Stage.event_id)
             .where(SkillEvent.competition_id == competition_id))
    if zones is not None:
        query = query.where(Panel.zone_id.in_(list(zones)))
    return list(session.scalars(query.order_by(SkillEvent.id, Stage.position, Panel.zone_id, Panel.id)))


def recusal_scope(session: Session, panel: Panel) -> str:
    return scope_of(event_of(session, panel).rules)


def judge_home(session: Session, judge: Judge) -> Home:
    institution = None
    if judge.province is None and judge.institution_id is not None:
        institution = session.get(Institution, judge.institution_id)
    return home_of(judge.institution_id, judge.province, institution.province if institution else None)


def team_home(session: Session, team: Team) -> Home:
    institution = session.get(Institution, team.institution_id)
    return Home(team.institution_id, institution.province if institution else None)


# -- writing -------------------------------------------------------------------------------

def _require(actor: Actor, competition_id: int, zone_id: int | None) -> None:
    """Assigning judges is ``judge.write`` over the panel's competition and zone."""
    permissions.require(actor, "judge.write", competition_id, zone_id, not_found="panel.not_found")


def create_panel(session: Session, actor: Actor, spec: PanelSpec) -> tuple[Panel, Assignment]:
    stage = session.get(Stage, spec.stage_id)
    division = session.get(Division, spec.division_id)
    if stage is None or division is None or stage.event_id != division.event_id:
        raise ValidationFailed("panel.bad_stage", field="division" if stage else "stage")
    event = session.get(SkillEvent, stage.event_id)
    assert event is not None
    _require(actor, event.competition_id, spec.zone_id)
    scope_of(event.rules)  # a bad recusal setting fails here, not at the first mark
    if spec.zone_id is not None:
        zone = session.get(Zone, spec.zone_id)
        if zone is None or zone.competition_id != event.competition_id:
            raise ValidationFailed("panel.bad_zone", field="zone")
    aspect_ids = _aspects_of(session, event, spec.aspect_ids)
    name = spec.name.strip()
    if not name:
        raise ValidationFailed("panel.bad_name", field="name")
    panel = Panel(stage_id=stage.id, division_id=division.id, zone_id=spec.zone_id, name=name[:100])
    session.add(panel)
    session.flush()
    session.add_all(PanelAspect(panel_id=panel.id, aspect_id=a) for a in aspect_ids)
    board = board_of(session, panel)
    events.append(session, "panel.created",
                  {"panel": panel.id, "stage": stage.id, "division": division.id, "zone": spec.zone_id,
                   "board": board.id, "aspects": list(aspect_ids), "name": panel.name},
                  actor=actor.label, competition_id=event.competition_id)
    total = Assignment(panel.id)
    for judge_id, role in spec.judges:
        one = assign_judge(session, actor, panel.id, judge_id, role)
        total.sheets_created += one.sheets_created
        total.recused.extend(one.recused)
    return panel, total


def _aspects_of(session: Session, event: SkillEvent, wanted: Sequence[int] | None) -> tuple[int, ...]:
    scheme = repository.scheme_row(session, event.id)
    available = [a.id for a in scheme.aspects] if scheme is not None else []
    if wanted is None:
        return tuple(available)
    unknown = [a for a in wanted if a not in available]
    if unknown or not wanted:
        raise ValidationFailed("panel.bad_aspect", field="aspects", aspects=", ".join(map(str, unknown)))
    return tuple(dict.fromkeys(wanted))


def assign_judge(session: Session, actor: Actor, panel_id: int, judge_id: int, role: str = "scoring") -> Assignment:
    """Put a judge on the panel; a sheet-holding judge gets a sheet per entry, except recused ones."""
    panel = get_panel(session, panel_id)
    event = event_of(session, panel)
    _require(actor, event.competition_id, panel.zone_id)
    judge = session.get(Judge, judge_id)
    if judge is None or judge.competition_id != event.competition_id:
        raise ValidationFailed("panel.bad_judge", field="judge")
    if role not in JUDGE_ROLES:
        raise ValidationFailed("panel.bad_role", field="role", allowed=", ".join(JUDGE_ROLES))
    seat = session.get(PanelJudge, (panel.id, judge.id))
    if seat is None:
        session.add(PanelJudge(panel_id=panel.id, judge_id=judge.id, role=role))
    else:
        seat.role = role
    session.flush()
    result = _create_sheets(session, panel, [judge] if role in SHEET_ROLES else [], scope_of(event.rules))
    events.append(session, "panel.judge_assigned",
                  {"panel": panel.id, "judge": judge.id, "role": role, "sheets": result.sheets_created,
                   "recused": [{"team": r.team_id, "conflict": r.conflict} for r in result.recused]},
                  actor=actor.label, competition_id=event.competition_id)
    return result


def sync_sheets(session: Session, actor: Actor, panel_id: int) -> Assignment:
    """Create the sheets missing for entries registered after the judges were assigned."""
    panel = get_panel(session, panel_id)
    event = event_of(session, panel)
    _require(actor, event.competition_id, panel.zone_id)
    judges = list(session.scalars(select(Judge).join(PanelJudge, PanelJudge.judge_id == Judge.id).where(
        PanelJudge.panel_id == panel.id, PanelJudge.role.in_(SHEET_ROLES)).order_by(Judge.id)))
    result = _create_sheets(session, panel, judges, scope_of(event.rules))
    if result.sheets_created or result.recused:
        events.append(session, "panel.sheets_synced",
                      {"panel": panel.id, "sheets": result.sheets_created, "recused": len(result.recused)},
                      actor=actor.label, competition_id=event.competition_id)
    return result


def _create_sheets(session: Session, panel: Panel, judges: Sequence[Judge], scope: str) -> Assignment:
    result = Assignment(panel.id)
    if not judges:
        return result
    board = board_of(session, panel)
    teams = entries(session, panel)
    homes = {t.id: team_home(session, t) for t in teams}
    for judge in judges:
        existing = {team_id: panel_id for team_id, panel_id in session.execute(
            select(Sheet.team_id, Sheet.panel_id).where(Sheet.judge_id == judge.id))}
        overridden = set(session.scalars(select(RecusalOverride.team_id).where(RecusalOverride.judge_id == judge.id)))
        home = judge_home(session, judge)
        for team in teams:
            if team.id in existing:
                if existing[team.id] != panel.id:
                    raise Conflict("panel.judge_has_sheet", field="judge", entry=team.code)
                continue
            reason = conflict(home, homes[team.id], scope)
            if reason is not None and team.id not in overridden:
                result.recused.append(Recused(judge.id, team.id, team.code, reason))
                continue
            session.add(Sheet(panel_id=panel.id, judge_id=judge.id, team_id=team.id, board_id=board.id))
            result.sheets_created += 1
    session.flush()
    return result


def unassign_judge(session: Session, actor: Actor, panel_id: int, judge_id: int) -> int:
    """Take a judge off the panel with their sheets; refused once they have marks. Returns sheets removed."""
    panel = get_panel(session, panel_id)
    event = event_of(session, panel)
    _require(actor, event.competition_id, panel.zone_id)
    seat = session.get(PanelJudge, (panel.id, judge_id))
    if seat is None:
        raise NotFound("panel.judge_not_on_panel", field="judge")
    sheet_ids = list(session.scalars(select(Sheet.id).where(Sheet.panel_id == panel.id, Sheet.judge_id == judge_id)))
    if sheet_ids and session.scalar(select(func.count(Mark.id)).where(Mark.sheet_id.in_(sheet_ids))):
        raise Conflict("panel.judge_has_marks", field="judge")
    if sheet_ids:
        session.execute(delete(Sheet).where(Sheet.id.in_(sheet_ids)))
    session.delete(seat)
    events.append(session, "panel.judge_removed", {"panel": panel.id, "judge": judge_id, "sheets": len(sheet_ids)},
                  actor=actor.label, competition_id=event.competition_id)
    return len(sheet_ids)


def override_recusal(session: Session, actor: Actor, panel_id: int, judge_id: int, team_id: int,
                     reason: str) -> Sheet:
    """Let a recused judge score one entry after all: needs a reason; stored and logged."""
    panel = get_panel(session, panel_id)
    event = event_of(session, panel)
    _require(actor, event.competition_id, panel.zone_id)
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("recusal.reason_required", field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed("recusal.reason_too_long", field="reason", max=REASON_MAX)
    seat = session.get(PanelJudge, (panel.id, judge_id))
    if seat is None or seat.role not in SHEET_ROLES:
        raise NotFound("panel.judge_not_on_panel", field="judge")
    team = session.get(Team, team_id)
    if team is None or team.id not in {t.id for t in entries(session, panel)}:
        raise NotFound("panel.team_not_on_panel", field="team")
    judge = session.get(Judge, judge_id)
    assert judge is not None
    why = conflict(judge_home(session, judge), team_home(session, team), scope_of(event.rules))
    if why is None:
        raise ValidationFailed("recusal.no_conflict", field="team")
    override = session.scalar(select(RecusalOverride).where(
        RecusalOverride.judge_id == judge.id, RecusalOverride.team_id == team.id))
    if override is None:
        override = RecusalOverride(panel_id=panel.id, judge_id=judge.id, team_id=team.id, conflict=why,
                                   reason=text, actor=actor.label)
        session.add(override)
    sheet = session.scalar(select(Sheet).where(Sheet.judge_id == judge.id, Sheet.team_id == team.id))
    if sheet is None:
        sheet = Sheet(panel_id=panel.id, judge_id=judge.id, team_id=team.id, board_id=board_of(session, panel).id)
        session.add(sheet)
    session.flush()
    events.append(session, "recusal.overridden",
                  {"panel": panel.id, "judge": judge.id, "team": team.id, "code": team.code, "conflict": why,
                   "reason": text, "sheet": sheet.id},
                  actor=actor.label, competition_id=event.competition_id)
    return sheet


def recused_pairs(session: Session, panel: Panel) -> list[Recused]:
    """The judge × entry pairs of the panel left without a sheet because of a recusal."""
    scope = scope_of(event_of(session, panel).rules)
    teams = entries(session, panel)
    homes = {t.id: team_home(session, t) for t in teams}
    judges = list(session.scalars(select(Judge).join(PanelJudge, PanelJudge.judge_id == Judge.id).where(
        PanelJudge.panel_id == panel.id, PanelJudge.role.in_(SHEET_ROLES)).order_by(Judge.id)))
    have = set(session.execute(select(Sheet.judge_id, Sheet.team_id).where(Sheet.panel_id == panel.id)).all())
    out = []
    for judge in judges:
        home = judge_home(session, judge)
        for team in teams:
            if (judge.id, team.id) not in have:
                why = conflict(home, homes[team.id], scope)
                if why is not None:
                    out.append(Recused(judge.id, team.id, team.code, why))
    return out


def panel_dict(session: Session, panel: Panel) -> dict[str, Any]:
    """A panel for organisers: its scope, board, judges (with roles) and aspects."""
    seats = session.execute(select(PanelJudge, Judge).join(Judge, Judge.id == PanelJudge.judge_id)
                            .where(PanelJudge.panel_id == panel.id).order_by(Judge.id)).all()
    aspect_ids = list(session.scalars(select(PanelAspect.aspect_id).where(PanelAspect.panel_id == panel.id)))
    overrides = session.scalars(select(RecusalOverride).where(RecusalOverride.panel_id == panel.id))
    board = session.scalar(select(Board.id).where(Board.key == Board.key_for(panel.stage_id, panel.division_id,
                                                                              panel.zone_id)))
    return {"id": panel.id, "name": panel.name, "stage": panel.stage_id, "division": panel.division_id,
            "zone": panel.zone_id, "board": board, "aspects": aspect_ids,
            "judges": [{"id": j.id, "name": j.name, "role": seat.role} for seat, j in seats],
            "overrides": [{"judge": o.judge_id, "team": o.team_id, "conflict": o.conflict, "reason": o.reason,
                           "actor": o.actor} for o in overrides]}
