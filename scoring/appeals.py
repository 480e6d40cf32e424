"""The appeals service: file (申诉), arbitrate (仲裁), and correct marks by a previewed set, audited.

Owns the *service* around ``scoring.domain.appeals``: load the board or the appeal (locked),
check the actor against the permission table over the board's competition and zone (403
without the role, 404 outside the scope), apply one step, store it in the appeal's history
(``AppealStep``) and append one event in the same transaction. Time comes in as ``now``
(default: the clock, read here, never in the domain).

Steps and who (``accounts.domain.permissions``):
- ``file`` (organiser or zone admin in scope, ``appeal.file``), on the team's behalf: the team
  leader's name, the grounds, the team (an entry of the board); only during the board's public
  notice (``ResultLifecycle.notice_at`` .. ``notice_ends_at``). ``appeal.filed``.
- ``move`` (arbitrator in scope, ``appeal.arbitrate``): accept | reject | hear | decide |
  escalate | conclude, each with a reason. ``appeal.<new state>`` (e.g. ``appeal.accepted``)
  with who (the event's actor), when (its time) and why (``reason``).
- ``preview`` (arbitrator): what a correction set would make of the board - rank and total of
  each entry before → after - computed from the stored current marks with the set applied
  through the pure engine (``compute_panels``); nothing is written.
- ``apply`` (arbitrator): the set as new ``Mark`` revisions (revision + 1 per sheet × aspect,
  never an update; actor = the arbitrator, reason = "appeal <id>: <the change's reason>"), one
  ``appeal.corrected`` event listing them and one ``board.changed`` event (``scoring.relay``
  recomputes the board from it if the request after the commit is lost), all or nothing. The
  caller commits, then calls ``dispatch``. The lifecycle's signatures, which store a digest of
  the board's data, become stale by themselves.
- ``holding`` counts a board's open accepted appeals (``scoring.lifecycle.holding_appeals``).

Error codes: board.not_found, appeal.not_found, appeal.team_not_on_board,
appeal.sheet_not_on_board, appeal.aspect_not_on_sheet (404), user.role_required (403), the
mark codes of ``scoring.domain.scheme.check_mark_value`` with the field
``changes.<i>.value``, plus those of ``scoring.domain.appeals``.

Must not: import flask, commit, or emit; update or delete a mark.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.permissions import roles_for
from compete.accounts.models import Judge
from compete.errors import DomainError, Forbidden, NotFound
from compete.registration.models import Team
from compete.security import Actor
from scoring import live, publication, repository
from scoring.domain import appeals as rules
from scoring.domain.appeals import AppealState
from scoring.domain.engine import BoardResult, compute_panels
from scoring.domain.lifecycle import LifecycleState
from scoring.domain.scheme import check_mark_value
from scoring.models import (
    Appeal,
    AppealStep,
    Aspect,
    Board,
    Mark,
    PanelAspect,
    ResultLifecycle,
    Sheet,
)
from scoring.recompute import Coalescer

log = logging.getLogger(__name__)

FILE, ARBITRATE, READ = "appeal.file", "appeal.arbitrate", "appeal.read"
#: roles that may open a board's appeals (scope is checked per board)
READ_ROLES: tuple[str, ...] = tuple(sorted(roles_for(READ) | roles_for(FILE) | roles_for(ARBITRATE)))
REASON_MAX = 500


@dataclasses.dataclass(frozen=True)
class Change:
    """One change of a correction set: a sheet's aspect gets a new value, for a reason."""

    sheet_id: int
    aspect_id: int
    value: Decimal
    reason: str


@dataclasses.dataclass(frozen=True)
class Step:
    appeal_id: int
    board_id: int
    action: str
    state: str
    event_id: int
    #: the ``board.changed`` event to dispatch after the commit (a correction set only)
    recompute_event_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"appeal": self.appeal_id, "board": self.board_id, "action": self.action, "state": self.state,
                "event": self.event_id}


def _now(now: datetime | None) -> datetime:
    return now if now is not None else events.utcnow()


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for aware columns: they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _iso(value: datetime | None) -> str | None:
    found = _aware(value)
    return found.isoformat() if found is not None else None


# -- loading and who ---------------------------------------------------------------------------

def _board(session: Session, board_id: int, *, lock: bool = False) -> Board:
    board = session.get(Board, board_id, with_for_update=lock or None)
    if board is None:
        raise NotFound("board.not_found", field="board")
    return board


def _appeal(session: Session, appeal_id: int, *, lock: bool = False) -> tuple[Appeal, Board]:
    appeal = session.get(Appeal, appeal_id, with_for_update=lock or None)
    if appeal is None:
        raise NotFound("appeal.not_found", field="appeal")
    return appeal, _board(session, appeal.board_id, lock=lock)


def _target(session: Session, board: Board) -> tuple[int | None, int | None]:
    return publication._competition_id(session, board), board.zone_id


def _require(session: Session, actor: Actor, action: str, board: Board, not_found: str) -> None:
    permissions.require(actor, action, *_target(session, board), not_found=not_found)


def _lifecycle(session: Session, board_id: int) -> ResultLifecycle | None:
    return session.get(ResultLifecycle, board_id)


def _results_final(session: Session, board_id: int) -> bool:
    row = _lifecycle(session, board_id)
    return row is not None and row.state == LifecycleState.FINAL.value


def _log(session: Session, actor: Actor, board: Board, kind: str, payload: dict[str, Any]) -> int:
    record = events.append(session, kind, {"board": board.id, **payload}, actor=actor.label,
                           competition_id=publication._competition_id(session, board), device_id=actor.device_id)
    session.flush()
    return int(record.id)


def holding(session: Session, board_id: int) -> int:
    """The board's open accepted appeals (they hold it at public notice)."""
    return int(session.scalar(select(func.count(Appeal.id)).where(
        Appeal.board_id == board_id, Appeal.state.in_([s.value for s in rules.HOLDING]))) or 0)


# -- filing and moving --------------------------------------------------------------------------

def file(session: Session, actor: Actor, board_id: int, team_id: int, leader: str, grounds: str, *,
         now: datetime | None = None) -> Step:
    """Record a team's written appeal on its behalf (during the board's public notice)."""
    board = _board(session, board_id, lock=True)
    _require(session, actor, FILE, board, "board.not_found")
    when = _now(now)
    row = _lifecycle(session, board_id)
    rules.check_window(_aware(row.notice_at) if row else None, _aware(row.notice_ends_at) if row else None, when)
    rules.check_filing(leader, grounds)
    team = session.get(Team, team_id)
    if team is None or team.id not in {t.id for t in repository.board_teams(session, board)}:
        raise NotFound("appeal.team_not_on_board", field="team")
    appeal = Appeal(board_id=board.id, team_id=team.id, leader=leader.strip(), grounds=grounds.strip(),
                    state=AppealState.FILED.value, filed_by=actor.label, filed_at=when, updated_at=when)
    session.add(appeal)
    session.flush()
    event_id = _log(session, actor, board, "appeal.filed",
                    {"appeal": appeal.id, "team": team.id, "leader": appeal.leader, "grounds": appeal.grounds})
    session.add(AppealStep(appeal_id=appeal.id, action="file", from_state=None, to_state=appeal.state,
                           reason=appeal.grounds[:1000], actor=actor.label, at=when, event_id=event_id))
    return Step(appeal.id, board.id, "file", appeal.state, event_id)


def move(session: Session, actor: Actor, appeal_id: int, action: str, reason: str, *,
         now: datetime | None = None) -> Step:
    """One arbitrator's move of an appeal (accept, reject, hear, decide, escalate, conclude)."""
    appeal, board = _appeal(session, appeal_id, lock=True)
    _require(session, actor, ARBITRATE, board, "appeal.not_found")
    before = appeal.state
    after = rules.next_state(before, action, reason, results_final=_results_final(session, board.id))
    when = _now(now)
    appeal.state, appeal.updated_at = after.value, when
    clean = reason.strip()
    event_id = _log(session, actor, board, f"appeal.{after.value}",
                    {"appeal": appeal.id, "team": appeal.team_id, "action": action, "from": before,
                     "to": after.value, "reason": clean})
    session.add(AppealStep(appeal_id=appeal.id, action=action, from_state=before, to_state=after.value,
                           reason=clean, actor=actor.label, at=when, event_id=event_id))
    return Step(appeal.id, board.id, action, after.value, event_id)


# -- correction sets --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Checked:
    change: Change
    sheet: Sheet
    last: Mark | None


def _check_set(session: Session, board: Board, changes: Sequence[Change]) -> list[_Checked]:
    """Every change of the set checked (the first one wrong refuses the whole set)."""
    rules.check_changes([(c.sheet_id, c.aspect_id, c.reason) for c in changes])
    out = []
    for i, change in enumerate(changes):
        sheet = session.get(Sheet, change.sheet_id)
        if sheet is None or sheet.board_id != board.id:
            raise NotFound("appeal.sheet_not_on_board", field=f"changes.{i}.sheet")
        aspect = session.scalar(select(Aspect).join(PanelAspect, PanelAspect.aspect_id == Aspect.id)
                                .where(PanelAspect.panel_id == sheet.panel_id, Aspect.id == change.aspect_id))
        if aspect is None:
            raise NotFound("appeal.aspect_not_on_sheet", field=f"changes.{i}.aspect")
        rule = repository.aspect_rule(dataclasses.make_dataclass("Row", [
            "aspect_id", "code", "name", "kind", "max_mark", "tolerance", "step"])(
            aspect.id, aspect.code, aspect.name, aspect.kind, aspect.max_mark, aspect.tolerance, aspect.step))
        try:
            check_mark_value(rule, change.value)
        except DomainError as error:
            raise type(error)(error.code, field=f"changes.{i}.value", **error.params) from None
        last = session.scalar(select(Mark).where(Mark.sheet_id == sheet.id, Mark.aspect_id == aspect.id)
                              .order_by(Mark.revision.desc()).limit(1))
        out.append(_Checked(change, sheet, last))
    return out


def _correctable(session: Session, actor: Actor, appeal_id: int, *, lock: bool) -> tuple[Appeal, Board]:
    appeal, board = _appeal(session, appeal_id, lock=lock)
    _require(session, actor, ARBITRATE, board, "appeal.not_found")
    rules.check_correctable(appeal.state, results_final=_results_final(session, board.id))
    return appeal, board


def _rows(result: BoardResult) -> dict[int, tuple[int | None, Decimal]]:
    return {r.entry_id: (r.rank, r.total) for r in result.rows}


def _plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "0") else text


def preview(session: Session, actor: Actor, appeal_id: int, changes: Sequence[Change]) -> dict[str, Any]:
    """What the board would become with ``changes`` applied; writes nothing."""
    appeal, board = _correctable(session, actor, appeal_id, lock=False)
    checked = _check_set(session, board, changes)
    given, _seen = live.inputs(session, board)
    panels = repository.current_panels(session, board.id)
    before = compute_panels(given.scheme, given.entries, panels, given.rules)
    for item in checked:
        judged = panels.setdefault((item.sheet.team_id, item.change.aspect_id), {})
        judged[item.sheet.judge_id] = Decimal(item.change.value)
    after = compute_panels(given.scheme, given.entries, panels, given.rules)
    old, new = _rows(before), _rows(after)
    teams = {t.id: t for t in repository.board_teams(session, board)}
    entries = []
    for row in after.rows:
        rank_before, total_before = old.get(row.entry_id, (None, Decimal(0)))
        team = teams.get(row.entry_id)
        entries.append({"entry": row.entry_id, "code": row.code, "name": team.name if team and board.decrypted else None,
                        "rank_before": rank_before, "rank_after": row.rank,
                        "total_before": _plain(total_before), "total_after": _plain(row.total),
                        "changed": (rank_before, total_before) != new[row.entry_id],
                        "appellant": row.entry_id == appeal.team_id})
    return {"appeal": appeal.id, "board": board.id, "entries": entries,
            "changes": [_change_view(item) for item in checked]}


def _change_view(item: _Checked, mark: Mark | None = None) -> dict[str, Any]:
    return {"sheet": item.sheet.id, "aspect": item.change.aspect_id, "team": item.sheet.team_id,
            "judge": item.sheet.judge_id, "old": _plain(item.last.value) if item.last else None,
            "new": _plain(item.change.value), "reason": item.change.reason.strip(),
            "revision": mark.revision if mark is not None else (item.last.revision + 1 if item.last else 1),
            **({"mark": mark.id} if mark is not None else {})}


def apply(session: Session, actor: Actor, appeal_id: int, changes: Sequence[Change], *,
          now: datetime | None = None) -> Step:
    """Write the set as new mark revisions, audited as one ``appeal.corrected``; all or nothing."""
    appeal, board = _correctable(session, actor, appeal_id, lock=True)
    checked = _check_set(session, board, changes)
    when = _now(now)
    written = []
    for item in checked:
        mark = Mark(submission_id=str(uuid.uuid4()), sheet_id=item.sheet.id, aspect_id=item.change.aspect_id,
                    judge_id=item.sheet.judge_id, team_id=item.sheet.team_id, board_id=board.id,
                    value=item.change.value, revision=(item.last.revision if item.last else 0) + 1,
                    reason=f"appeal {appeal.id}: {item.change.reason.strip()}"[:REASON_MAX], actor=actor.label,
                    device_id=actor.device_id, created_at=when)
        session.add(mark)
        written.append((item, mark))
    session.flush()
    listed = [_change_view(item, mark) for item, mark in written]
    reason = "; ".join(c["reason"] for c in listed)[:1000]
    event_id = _log(session, actor, board, "appeal.corrected",
                    {"appeal": appeal.id, "team": appeal.team_id, "state": appeal.state, "changes": listed})
    changed = _log(session, actor, board, "board.changed", {"cause": "appeal.corrected", "appeal": appeal.id})
    appeal.updated_at = when
    session.add(AppealStep(appeal_id=appeal.id, action="correct", from_state=appeal.state, to_state=appeal.state,
                           reason=reason, changes=listed, actor=actor.label, at=when, event_id=event_id))
    return Step(appeal.id, board.id, "correct", appeal.state, event_id, recompute_event_id=changed)


def dispatch(coalescer: Coalescer, step: Step) -> None:
    """After the commit: ask for the board's recompute. Never fails if Redis is down (the relay
    re-requests it from the ``board.changed`` event)."""
    if step.recompute_event_id is None:
        return
    try:
        coalescer.request(step.board_id, step.recompute_event_id)
    except Exception:  # committed: the relay catches up from the event log
        log.warning("recompute request for board %s deferred to the relay", step.board_id, exc_info=True)


# -- reading ------------------------------------------------------------------------------------

def may(session: Session, actor: Actor, board: Board) -> dict[str, bool]:
    target = _target(session, board)
    return {"file": permissions.allows(actor, FILE, *target), "arbitrate": permissions.allows(actor, ARBITRATE, *target)}


def check_reader(session: Session, actor: Actor, board: Board) -> dict[str, bool]:
    """What the actor may do with the board's appeals; raises unless they may read them."""
    allowed = may(session, actor, board)
    if any(allowed.values()) or permissions.allows(actor, READ, *_target(session, board)):
        return allowed
    if any(permissions.has_role_for(actor, a) for a in (READ, FILE, ARBITRATE)):
        raise NotFound("board.not_found", field="board")
    raise Forbidden("user.role_required")


def _correction_choices(session: Session, board: Board, team_ids: set[int]) -> dict[str, Any]:
    """What an arbitrator picks a correction from: each appealed team's sheets (by judge) and
    the aspects marked on the board, labelled instead of bare ids."""
    sheets: dict[int, list[dict[str, Any]]] = {}
    if team_ids:
        for sheet_id, team_id, judge in session.execute(
                select(Sheet.id, Sheet.team_id, Judge.name).join(Judge, Judge.id == Sheet.judge_id)
                .where(Sheet.board_id == board.id, Sheet.team_id.in_(team_ids)).order_by(Sheet.id)):
            sheets.setdefault(team_id, []).append({"id": sheet_id, "judge": judge})
    aspects = [{"id": a.id, "code": a.code, "name": a.name, "max": f"{a.max_mark.normalize():f}"}
               for a in session.scalars(select(Aspect).where(Aspect.id.in_(
                   select(PanelAspect.aspect_id).join(Sheet, Sheet.panel_id == PanelAspect.panel_id)
                   .where(Sheet.board_id == board.id))).order_by(Aspect.position, Aspect.id))]
    return {"sheets": sheets, "aspects": aspects}


def view(session: Session, actor: Actor, board_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """A board's appeals as the API and the appeals page show them."""
    board = _board(session, board_id)
    allowed = check_reader(session, actor, board)
    row = _lifecycle(session, board_id)
    when = _now(now)
    opens, ends = (_aware(row.notice_at), _aware(row.notice_ends_at)) if row else (None, None)
    window_open = opens is not None and ends is not None and opens <= when < ends
    teams = {t.id: t for t in repository.board_teams(session, board)}
    found = list(session.scalars(select(Appeal).where(Appeal.board_id == board_id).order_by(Appeal.id)))
    steps: dict[int, list[AppealStep]] = {}
    if found:
        for step in session.scalars(select(AppealStep).where(AppealStep.appeal_id.in_([a.id for a in found]))
                                    .order_by(AppealStep.id)):
            steps.setdefault(step.appeal_id, []).append(step)

    choices = _correction_choices(session, board, {a.team_id for a in found}) if allowed["arbitrate"] else {}

    def team_view(team_id: int) -> dict[str, Any]:
        team = teams.get(team_id)
        return {"id": team_id, "code": team.code if team else f"#{team_id}",
                "name": team.name if team is not None and board.decrypted else None}

    return {
        "board": board.id, "title": board.title, "may": allowed, "me": actor.label,
        "lifecycle": row.state if row else LifecycleState.PENDING.value,
        "window": {"opens_at": _iso(opens), "ends_at": _iso(ends), "open": window_open},
        "holding": holding(session, board_id),
        "aspects": choices.get("aspects", []),
        "teams": [team_view(t) for t in teams] if allowed["file"] else [],
        "appeals": [{
            "id": a.id, "team": team_view(a.team_id), "leader": a.leader, "grounds": a.grounds, "state": a.state,
            "holds": rules.holds(a.state), "filed_at": _iso(a.filed_at),
            "filed_by": publication._person(session, a.filed_by),
            "actions": list(rules.actions_from(a.state)) if allowed["arbitrate"] else [],
            "correctable": allowed["arbitrate"] and AppealState(a.state) in rules.CORRECTABLE,
            "sheets": choices.get("sheets", {}).get(a.team_id, []),
            "history": [{"action": s.action, "from": s.from_state, "to": s.to_state, "reason": s.reason,
                         "by": publication._person(session, s.actor), "at": _iso(s.at), "event": s.event_id,
                         "changes": s.changes} for s in steps.get(a.id, [])],
        } for a in found],
    }
