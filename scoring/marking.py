"""Submitting a mark: the first half of the path of one mark (architecture.md, "One mark").

``submit_mark`` checks, in order: the submission id was not seen before (a repeat returns the
first receipt, so retries are harmless), the sheet is the judge's, the aspect is on the
judge's panel, the judge is not recused from the entry (回避, checked again here although the
assignment already left recused pairs without a sheet: the judge's institution, and their
province when the event's rules say ``"recusal": "province"``; an override recorded by
``scoring.panels.override_recusal`` lifts it), the sheet accepts marks
(``scoring.domain.workflow.accepts_marks``: only a draft does), and the value fits the aspect.
The sheet row is read with a shared lock so that a mark cannot slip in while the sheet is
being submitted or locked. It then inserts an append-only mark (revision + 1) and appends a
``mark.submitted`` event in the same transaction. ``dispatch`` runs *after* the commit and
requests a coalesced board recompute; if Redis is down the event log's relay catches up.

Must not: commit (the caller's unit of work does), import flask, or compute boards.
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from compete import events
from compete.accounts.domain.recusal import Home, conflict, scope_of
from compete.accounts.models import Judge
from compete.errors import Conflict, Forbidden, InvalidState, NotFound
from compete.registration.models import Institution, SkillEvent, Stage, Team
from compete.security import Actor
from scoring import panels, repository
from scoring.domain.scheme import check_mark_value
from scoring.domain.workflow import accepts_marks
from scoring.models import Aspect, Mark, Panel, PanelAspect, RecusalOverride, Sheet
from scoring.recompute import Coalescer

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class SubmitMark:
    submission_id: str
    sheet_id: int
    aspect_id: int
    value: Decimal
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class Receipt:
    submission_id: str
    mark_id: int
    sheet_id: int
    aspect_id: int
    value: Decimal
    revision: int
    sheet_state: str
    board_id: int
    event_id: int | None
    duplicate: bool

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["value"] = f"{self.value.normalize():f}"
        return data


def submit_mark(session: Session, actor: Actor, command: SubmitMark) -> Receipt:
    existing = _find(session, command.submission_id)
    if existing is not None:
        return _repeat(session, actor, existing)
    sheet = session.get(Sheet, command.sheet_id, with_for_update={"read": True})
    if sheet is None or sheet.judge_id != actor.id:
        raise NotFound("sheet.not_found", field="sheet")
    aspect = session.get(Aspect, command.aspect_id)
    on_panel = session.get(PanelAspect, (sheet.panel_id, command.aspect_id))
    if aspect is None or on_panel is None:
        raise NotFound("aspect.not_found", field="aspect")
    _check_not_recused(session, actor, sheet)
    if not accepts_marks(sheet.state):
        raise InvalidState("sheet.not_open", field="sheet", state=sheet.state)
    check_mark_value(repository.domain_aspect(session, aspect), command.value)

    revision = 1 + (
        session.scalar(
            select(func.max(Mark.revision)).where(Mark.sheet_id == sheet.id, Mark.aspect_id == aspect.id)
        )
        or 0
    )
    mark = Mark(
        submission_id=command.submission_id, sheet_id=sheet.id, aspect_id=aspect.id, judge_id=actor.id,
        team_id=sheet.team_id, board_id=sheet.board_id, value=command.value, revision=revision,
        reason=command.reason, actor=actor.label, device_id=actor.device_id,
    )
    try:
        with session.begin_nested():
            session.add(mark)
            session.flush()
    except IntegrityError:
        # A concurrent request with the same submission id won the race: answer as a repeat.
        existing = _find(session, command.submission_id)
        if existing is not None:
            return _repeat(session, actor, existing)
        raise Conflict("mark.concurrent_change", field="aspect") from None
    record = events.append(
        session, "mark.submitted",
        {"mark": mark.id, "sheet": sheet.id, "aspect": aspect.id, "team": sheet.team_id,
         "board": sheet.board_id, "value": str(command.value), "revision": revision},
        actor=actor.label, device_id=actor.device_id, competition_id=_competition_of(session, actor),
    )
    session.flush()
    return _receipt(mark, sheet, record.id, duplicate=False)


def dispatch(coalescer: Coalescer, receipt: Receipt) -> None:
    """After the commit: ask for a board recompute. Never fails the request if Redis is down."""
    if receipt.duplicate:
        return
    try:
        coalescer.request(receipt.board_id, receipt.event_id)
    except Exception:  # noqa: BLE001 - the mark is committed; the relay will re-queue from the log
        log.warning("recompute request for board %s deferred to the relay", receipt.board_id, exc_info=True)


def _find(session: Session, submission_id: str) -> Mark | None:
    return session.scalar(select(Mark).where(Mark.submission_id == submission_id))


def _repeat(session: Session, actor: Actor, mark: Mark) -> Receipt:
    if mark.judge_id != actor.id:
        raise Conflict("mark.submission_reused", field="submission_id")
    sheet = session.get(Sheet, mark.sheet_id)
    assert sheet is not None
    return _receipt(mark, sheet, None, duplicate=True)


def _receipt(mark: Mark, sheet: Sheet, event_id: int | None, *, duplicate: bool) -> Receipt:
    return Receipt(
        submission_id=mark.submission_id, mark_id=mark.id, sheet_id=mark.sheet_id, aspect_id=mark.aspect_id,
        value=Decimal(mark.value), revision=mark.revision, sheet_state=sheet.state, board_id=mark.board_id,
        event_id=event_id, duplicate=duplicate,
    )


#: the refusal's code per conflict
RECUSED = {"institution": "mark.recused", "province": "mark.recused_province"}


def _check_not_recused(session: Session, actor: Actor, sheet: Sheet) -> None:
    """Refuse a judge recused from the sheet's entry unless an override was recorded (one query)."""
    judge = session.get(Judge, actor.id)
    row = session.execute(
        select(SkillEvent.rules, Team.institution_id, Institution.province)
        .select_from(Sheet)
        .join(Panel, Panel.id == Sheet.panel_id)
        .join(Stage, Stage.id == Panel.stage_id)
        .join(SkillEvent, SkillEvent.id == Stage.event_id)
        .join(Team, Team.id == Sheet.team_id)
        .join(Institution, Institution.id == Team.institution_id)
        .where(Sheet.id == sheet.id)
    ).one_or_none()
    if judge is None or row is None:
        raise NotFound("sheet.not_found", field="sheet")
    rules, institution_id, province = row
    why = conflict(panels.judge_home(session, judge), Home(institution_id, province), scope_of(rules))
    if why is None:
        return
    overridden = session.scalar(select(RecusalOverride.id).where(
        RecusalOverride.judge_id == judge.id, RecusalOverride.team_id == sheet.team_id))
    if overridden is None:
        raise Forbidden(RECUSED[why], field="sheet")


def _competition_of(session: Session, actor: Actor) -> int | None:
    judge = session.get(Judge, actor.id)
    return judge.competition_id if judge else None

