"""The sheet workflow service: moving sheets through draft → submitted → checked → signed → locked.

Owns: ``act`` (one action on one sheet, by a judge's device or by a chief judge), ``act_on_panel``
(one action on every sheet of a panel, or of one entry, that is in a state allowing it), the
panel spread rule applied to the workflow (``violations``), who may act on or watch a panel
(``check_watch``, ``check_chair``), and the record every change leaves: a ``SheetRevision``
(from, to, who, which device, why) and an event-log row ``sheet.<past tense>`` in the same
transaction.

Rules (beside ``scoring.domain.workflow``, which owns the states, actions and roles):
- a judge submits only their own sheet, and only when every aspect of the panel that is not a
  deduction has a mark (``sheet.incomplete``);
- ``return`` (back to the judge for a re-score) needs a reason, like ``unlock``;
- the *spread rule* (``scoring.domain.aggregation.spread_violations``; limit from the event's
  rules, default 1): when the last sheet of an entry on a panel is submitted, every judgement
  aspect of that entry whose judges differ by more than the limit sends the sheets that marked
  it back to draft (actor ``system``, reason ``spread:<aspect codes>``) and logs
  ``panel.spread_violation``; signing a sheet of an entry with a violation is refused
  (``sheet.spread_violation``) until the judges re-score;
- a chief judge acts as ``Role.CHIEF_JUDGE``: a user with the ``chief_judge`` role whose grant
  reaches the panel's competition and zone (``accounts.permissions``, action ``judge.read``);
  when their user is linked to judges seated as chief judge of some panels, only those panels.
  Watching a console needs ``judge.read`` or ``progress.read`` there (admins, zone admins,
  chief judges, supervisors).

Vocabulary: a *change* is one state move of one sheet; an *outcome* is the changes one request
made (an action may cause spread returns) plus what a bulk action skipped and why.

Error codes: sheet.not_found, sheet.incomplete, sheet.reason_required, sheet.reason_too_long,
sheet.spread_violation, sheet.role_forbidden, sheet.invalid_transition, panel.not_found.

Must not: import flask, commit, emit (views do after the commit), or change marks.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.models import Judge
from compete.errors import DomainError, Forbidden, InvalidState, NotFound, ValidationFailed
from compete.registration.models import Team
from compete.security import SYSTEM, Actor
from scoring import event_rules, panels
from scoring.domain import workflow
from scoring.domain.aggregation import SPREAD_LIMIT, spread_violations
from scoring.models import Aspect, Mark, Panel, PanelAspect, PanelJudge, Sheet, SheetRevision

PAST = {"submit": "submitted", "check": "checked", "return": "returned", "sign": "signed", "lock": "locked",
        "unlock": "unlocked"}
ACTIONS = tuple(PAST)
#: actions that need a reason here (``workflow.REASON_REQUIRED`` plus a return for a re-score)
NEEDS_REASON = frozenset(workflow.REASON_REQUIRED | {"return"})
WATCH_ROLES = ("admin", "zone_admin", "chief_judge", "supervisor")
CHIEF_ROLES = ("chief_judge",)
SPREAD_REASON = "spread:"
REASON_MAX = 500


@dataclasses.dataclass(frozen=True)
class Change:
    sheet_id: int
    panel_id: int
    team_id: int
    judge_id: int
    action: str
    from_state: str
    to_state: str
    reason: str | None
    actor: str
    device_id: int | None
    revision_id: int
    event_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet_id, "panel": self.panel_id, "team": self.team_id, "judge": self.judge_id,
                "action": self.action, "from": self.from_state, "to": self.to_state, "reason": self.reason,
                "actor": self.actor, "device": self.device_id, "revision": self.revision_id}


@dataclasses.dataclass(frozen=True)
class Violation:
    """A judgement aspect of one entry whose judges differ by more than the spread limit."""

    team_id: int
    code: str
    aspect_id: int
    aspect_code: str
    values: dict[int, Decimal]  # judge id → current value

    def as_dict(self) -> dict[str, Any]:
        return {"team": self.team_id, "code": self.code, "aspect": self.aspect_id, "aspect_code": self.aspect_code,
                "values": {str(j): f"{v.normalize():f}" for j, v in self.values.items()}}


@dataclasses.dataclass
class Outcome:
    panel_id: int
    changes: list[Change] = dataclasses.field(default_factory=list)
    skipped: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    violations: list[Violation] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"panel": self.panel_id, "changes": [c.as_dict() for c in self.changes], "skipped": self.skipped,
                "violations": [v.as_dict() for v in self.violations]}


# -- who ------------------------------------------------------------------------------------

def workflow_role(actor: Actor) -> workflow.Role:
    if actor.kind == "judge":
        return workflow.Role.SCORING_JUDGE
    if actor.kind == "user" and actor.has_any(*CHIEF_ROLES):
        return workflow.Role.CHIEF_JUDGE
    raise Forbidden("sheet.role_forbidden", field="action", action="", role=actor.kind)


def _chaired(session: Session, actor: Actor) -> set[int]:
    return set(session.scalars(select(PanelJudge.panel_id).join(Judge, Judge.id == PanelJudge.judge_id).where(
        Judge.user_id == actor.id, PanelJudge.role == "chief_judge")))


def _reaches(session: Session, actor: Actor, panel: Panel, actions: tuple[str, ...]) -> bool:
    """Whether one of ``actions`` is granted over the panel's competition and zone. A chief judge
    linked to judges seated as a panel's chief reaches only those panels (admins: everywhere)."""
    if actor.kind != "user":
        return False
    if actor.has_any("chief_judge") and not actor.has_any("admin"):
        chaired = _chaired(session, actor)
        if chaired and panel.id not in chaired and not actor.has_any("zone_admin", "supervisor"):
            return False
    competition = panels.event_of(session, panel).competition_id
    return any(permissions.allows(actor, a, competition, panel.zone_id) for a in actions)


def check_watch(session: Session, actor: Actor, panel: Panel) -> None:
    """Raise unless the user may watch this panel's console (403 without a role, 404 out of scope)."""
    if actor.kind != "user" or not actor.has_any(*WATCH_ROLES):
        raise Forbidden("user.role_required")
    if not _reaches(session, actor, panel, ("judge.read", "progress.read")):
        raise NotFound("panel.not_found", field="panel")


def check_chair(session: Session, actor: Actor, panel: Panel) -> None:
    """Raise unless the user may act as this panel's chief judge."""
    if workflow_role(actor) is not workflow.Role.CHIEF_JUDGE:
        raise Forbidden("sheet.role_forbidden", field="action", action="", role=actor.kind)
    if not _reaches(session, actor, panel, ("judge.read",)):
        raise NotFound("panel.not_found", field="panel")


# -- acting ---------------------------------------------------------------------------------

def act(session: Session, actor: Actor, sheet_id: int, action: str, *, reason: str | None = None) -> Outcome:
    """One action on one sheet. A submit that completes an entry may return sheets for a re-score."""
    sheet = session.get(Sheet, sheet_id, with_for_update=True)
    if sheet is None or (actor.kind == "judge" and sheet.judge_id != actor.id):
        raise NotFound("sheet.not_found", field="sheet")
    panel = panels.get_panel(session, sheet.panel_id)
    role = workflow_role(actor)
    if role is workflow.Role.CHIEF_JUDGE:
        check_chair(session, actor, panel)
    workflow.transition(sheet.state, action, reason=_reason(action, reason), role=role)  # allowed now?
    outcome = Outcome(panel.id)
    limit = spread_limit(session, panel)
    if action == "submit":
        _check_complete(session, sheet)
    if action == "sign":
        _check_no_violation(session, panel, sheet.team_id, limit)
    outcome.changes.append(_move(session, panel, sheet, action, actor, role, reason))
    if action == "submit":
        _spread_after_submit(session, panel, sheet.team_id, limit, outcome)
    return outcome


def act_on_panel(session: Session, actor: Actor, panel_id: int, action: str, *, team_id: int | None = None,
                 reason: str | None = None) -> Outcome:
    """A chief judge's action on every sheet of the panel (or of one entry) where it applies.

    Sheets where the action does not apply now are left alone; those refused by a rule (a
    spread violation on signing) are listed in ``skipped`` with the error code and its params
    (the view adds the translated message).
    """
    panel = panels.get_panel(session, panel_id)
    if action not in PAST or action == "submit":
        raise InvalidState("sheet.unknown_action", field="action", action=action,
                           allowed=", ".join(a for a in ACTIONS if a != "submit"))
    role = workflow_role(actor)
    check_chair(session, actor, panel)
    _reason(action, reason)
    limit = spread_limit(session, panel)
    query = select(Sheet).where(Sheet.panel_id == panel.id).order_by(Sheet.team_id, Sheet.judge_id)
    if team_id is not None:
        query = query.where(Sheet.team_id == team_id)
    outcome = Outcome(panel.id)
    blocked: dict[int, list[Violation]] = {}
    if action == "sign":
        for v in violations(session, panel, [team_id] if team_id is not None else None, limit):
            blocked.setdefault(v.team_id, []).append(v)
    for sheet in list(session.scalars(query.with_for_update())):
        if action not in workflow.allowed_actions(sheet.state):
            continue
        try:
            if sheet.team_id in blocked:
                raise _violation_error(blocked[sheet.team_id])
            outcome.changes.append(_move(session, panel, sheet, action, actor, role, reason))
        except DomainError as error:
            outcome.skipped.append({"sheet": sheet.id, "team": sheet.team_id, "error": error.code,
                                    "params": {k: str(v) for k, v in error.params.items()}})
    return outcome


def _reason(action: str, reason: str | None) -> str | None:
    text = (reason or "").strip() or None
    if action in NEEDS_REASON and text is None:
        raise ValidationFailed("sheet.reason_required", field="reason", action=action)
    if text is not None and len(text) > REASON_MAX:
        raise ValidationFailed("sheet.reason_too_long", field="reason", max=REASON_MAX)
    return text


def _move(session: Session, panel: Panel, sheet: Sheet, action: str, actor: Actor, role: workflow.Role | None,
          reason: str | None, *, cause: str | None = None) -> Change:
    text = _reason(action, reason)
    before = sheet.state
    after = workflow.transition(before, action, reason=text, role=role)
    now = events.utcnow()
    sheet.state = after.value
    sheet.updated_at = now
    revision = SheetRevision(sheet_id=sheet.id, from_state=before, to_state=after.value, actor=actor.label,
                             device_id=actor.device_id, reason=text, at=now)
    session.add(revision)
    session.flush()
    payload: dict[str, Any] = {"sheet": sheet.id, "panel": panel.id, "team": sheet.team_id, "judge": sheet.judge_id,
                               "board": sheet.board_id, "from": before, "to": after.value, "reason": text}
    if cause:
        payload["cause"] = cause
    record = events.append(session, f"sheet.{PAST[action]}", payload, actor=actor.label, device_id=actor.device_id,
                           competition_id=_competition_of(session, panel))
    session.flush()
    return Change(sheet.id, panel.id, sheet.team_id, sheet.judge_id, action, before, after.value, text,
                  actor.label, actor.device_id, revision.id, record.id)


def _competition_of(session: Session, panel: Panel) -> int:
    return panels.event_of(session, panel).competition_id


def _check_complete(session: Session, sheet: Sheet) -> None:
    required = dict(session.execute(
        select(Aspect.id, Aspect.code).join(PanelAspect, PanelAspect.aspect_id == Aspect.id)
        .where(PanelAspect.panel_id == sheet.panel_id, Aspect.kind != "deduction").order_by(Aspect.position, Aspect.id)
    ).all())
    marked = set(session.scalars(select(Mark.aspect_id).where(Mark.sheet_id == sheet.id).distinct()))
    missing = [code for aspect_id, code in required.items() if aspect_id not in marked]
    if missing:
        raise InvalidState("sheet.incomplete", field="sheet", aspects=", ".join(missing))


# -- the spread rule ------------------------------------------------------------------------

def spread_limit(session: Session, panel: Panel) -> Decimal:
    """The event's spread limit (``spread_limit`` in its rules), the default if unreadable."""
    try:
        return event_rules.parse(panels.event_of(session, panel).rules).spread_limit
    except DomainError:
        return SPREAD_LIMIT


def violations(session: Session, panel: Panel, team_ids: Iterable[int] | None = None,
               limit: Decimal | None = None) -> list[Violation]:
    """Entry × judgement aspect pairs of the panel breaking the spread rule, by (entry, aspect order)."""
    judged = {aspect_id: (code, position) for aspect_id, code, position in session.execute(
        select(Aspect.id, Aspect.code, Aspect.position).join(PanelAspect, PanelAspect.aspect_id == Aspect.id)
        .where(PanelAspect.panel_id == panel.id, Aspect.kind == "judgement"))}
    if not judged:
        return []
    query = (select(Mark.sheet_id, Mark.aspect_id, Mark.team_id, Mark.judge_id, Mark.value)
             .join(Sheet, Sheet.id == Mark.sheet_id)
             .where(Sheet.panel_id == panel.id, Mark.aspect_id.in_(list(judged))).order_by(Mark.id))
    wanted = list(team_ids) if team_ids is not None else None
    if wanted is not None:
        query = query.where(Mark.team_id.in_(wanted))
    latest: dict[tuple[int, int], tuple[int, int, Decimal]] = {}
    for sheet_id, aspect_id, team_id, judge_id, value in session.execute(query):
        latest[(sheet_id, aspect_id)] = (team_id, judge_id, Decimal(value))
    values: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for (_sheet, aspect_id), (team_id, judge_id, value) in latest.items():
        values[(team_id, aspect_id)][judge_id] = value
    ordered = sorted(values, key=lambda k: (k[0], judged[k[1]][1], k[1]))
    keys = spread_violations([(k, list(values[k].values())) for k in ordered],
                             spread_limit(session, panel) if limit is None else limit)
    codes = {t.id: t.code for t in session.scalars(select(Team).where(Team.id.in_({k[0] for k in keys})))} \
        if keys else {}
    return [Violation(team_id, codes.get(team_id, f"#{team_id}"), aspect_id, judged[aspect_id][0],
                      dict(sorted(values[(team_id, aspect_id)].items())))
            for team_id, aspect_id in keys]


def _violation_error(found: list[Violation]) -> InvalidState:
    return InvalidState("sheet.spread_violation", field="action", entry=found[0].code,
                        aspects=", ".join(v.aspect_code for v in found))


def _check_no_violation(session: Session, panel: Panel, team_id: int, limit: Decimal) -> None:
    found = violations(session, panel, [team_id], limit)
    if found:
        raise _violation_error(found)


def _spread_after_submit(session: Session, panel: Panel, team_id: int, limit: Decimal, outcome: Outcome) -> None:
    """When the entry's last sheet on the panel is in, send back the sheets of any violation."""
    entry_sheets = list(session.scalars(select(Sheet).where(Sheet.panel_id == panel.id, Sheet.team_id == team_id)
                                        .order_by(Sheet.judge_id).with_for_update()))
    if any(s.state == workflow.SheetState.DRAFT for s in entry_sheets):
        return
    found = violations(session, panel, [team_id], limit)
    if not found:
        return
    outcome.violations.extend(found)
    involved = {judge_id for v in found for judge_id in v.values}
    reason = SPREAD_REASON + ",".join(v.aspect_code for v in found)
    for sheet in entry_sheets:
        if sheet.judge_id in involved and "return" in workflow.allowed_actions(sheet.state):
            outcome.changes.append(_move(session, panel, sheet, "return", SYSTEM, None, reason, cause="spread"))
    events.append(session, "panel.spread_violation",
                  {"panel": panel.id, "team": team_id, "code": found[0].code,
                   "violations": [v.as_dict() for v in found], "returned": [c.sheet_id for c in outcome.changes
                                                                            if c.action == "return"]},
                  actor=SYSTEM.label, competition_id=_competition_of(session, panel))
