"""Submitting a mark: the first half of the path of one mark (architecture.md, "One mark").

``submit_mark`` reads everything its checks need in one query (``_CONTEXT``), then checks, in
order: the sheet is the judge's; the submission id was not seen before (a repeat returns the
first receipt, so retries are harmless, even after the sheet moved on); the aspect is on the
judge's panel; the judge is not recused from the entry (回避, checked again here although the
assignment already left recused pairs without a sheet: the judge's institution, and their
province when the event's rules say ``"recusal": "province"``; an override recorded by
``scoring.panels.override_recusal`` lifts it); the sheet accepts marks
(``scoring.domain.workflow.accepts_marks``: only a draft does); and the value fits the aspect.
The sheet row is read with a shared lock so that a mark cannot slip in while the sheet is
being submitted or locked. It then inserts an append-only mark (revision + 1) with an insert
that yields nothing instead of failing on a taken key (a concurrent repeat, or a concurrent
revision of the same aspect: ``mark.concurrent_change``), and appends a ``mark.submitted``
event in the same transaction. ``dispatch`` runs *after* the commit and requests a coalesced
board recompute; if Redis is down the event log's relay catches up.

Must not: commit (the caller's unit of work does), import flask, or compute boards.
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from compete import events
from compete.accounts.domain.recusal import Home, conflict, home_of, scope_of
from compete.accounts.models import Judge
from compete.errors import Conflict, Forbidden, InvalidState, NotFound
from compete.registration.models import Institution, SkillEvent, Stage, Team
from compete.security import Actor
from scoring import repository
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
    ctx = _context(session, actor, command)
    if ctx is None:
        raise NotFound("sheet.not_found", field="sheet")
    if ctx.existing is not None:
        return _repeat(session, actor, command.submission_id)
    if ctx.aspect_id is None:
        raise NotFound("aspect.not_found", field="aspect")
    _check_not_recused(ctx)
    if not accepts_marks(ctx.state):
        raise InvalidState("sheet.not_open", field="sheet", state=ctx.state)
    check_mark_value(repository.aspect_rule(ctx), command.value)

    revision = 1 + (ctx.last_revision or 0)
    mark_id = _insert_once(session, {
        "submission_id": command.submission_id, "sheet_id": command.sheet_id, "aspect_id": ctx.aspect_id,
        "judge_id": actor.id, "team_id": ctx.team_id, "board_id": ctx.board_id, "value": command.value,
        "revision": revision, "reason": command.reason, "actor": actor.label, "device_id": actor.device_id})
    if mark_id is None:
        # A concurrent request won the race: with the same submission id it is a repeat;
        # otherwise another revision of this aspect was stored first.
        if _find(session, command.submission_id) is not None:
            return _repeat(session, actor, command.submission_id)
        raise Conflict("mark.concurrent_change", field="aspect")
    record = events.append(
        session, "mark.submitted",
        {"mark": mark_id, "sheet": command.sheet_id, "aspect": ctx.aspect_id, "team": ctx.team_id,
         "board": ctx.board_id, "value": str(command.value), "revision": revision},
        actor=actor.label, device_id=actor.device_id, competition_id=ctx.competition_id,
    )
    return Receipt(submission_id=command.submission_id, mark_id=mark_id, sheet_id=command.sheet_id,
                   aspect_id=ctx.aspect_id, value=command.value, revision=revision, sheet_state=ctx.state,
                   board_id=ctx.board_id, event_id=record.id, duplicate=False)


_JUDGE_INSTITUTION = aliased(Institution)
#: everything the checks of one mark need, in one round trip (built once: composing a statement
#: of this size costs more than running it)
_CONTEXT = (
    select(Sheet.state, Sheet.team_id, Sheet.board_id, Aspect.id.label("aspect_id"), Aspect.code, Aspect.name,
           Aspect.kind, Aspect.max_mark, Aspect.tolerance, Aspect.step, SkillEvent.rules,
           Team.institution_id.label("team_institution"), Institution.province.label("team_province"),
           Judge.institution_id.label("judge_institution"), Judge.province.label("judge_province"),
           _JUDGE_INSTITUTION.province.label("judge_institution_province"), Judge.competition_id,
           select(RecusalOverride.id)
           .where(RecusalOverride.judge_id == Sheet.judge_id, RecusalOverride.team_id == Sheet.team_id)
           .limit(1).scalar_subquery().label("overridden"),
           select(func.max(Mark.revision))
           .where(Mark.sheet_id == Sheet.id, Mark.aspect_id == bindparam("aspect"))
           .scalar_subquery().label("last_revision"),
           select(Mark.id).where(Mark.submission_id == bindparam("submission"))
           .scalar_subquery().label("existing"))
    .select_from(Sheet)
    .join(Judge, Judge.id == Sheet.judge_id)
    .join(Panel, Panel.id == Sheet.panel_id)
    .join(Stage, Stage.id == Panel.stage_id)
    .join(SkillEvent, SkillEvent.id == Stage.event_id)
    .join(Team, Team.id == Sheet.team_id)
    .join(Institution, Institution.id == Team.institution_id)
    .outerjoin(_JUDGE_INSTITUTION, _JUDGE_INSTITUTION.id == Judge.institution_id)
    .outerjoin(PanelAspect, and_(PanelAspect.panel_id == Sheet.panel_id, PanelAspect.aspect_id == bindparam("aspect")))
    .outerjoin(Aspect, Aspect.id == PanelAspect.aspect_id)
    .where(Sheet.id == bindparam("sheet"), Sheet.judge_id == bindparam("judge"))
    .with_for_update(read=True, of=Sheet)
)
#: insert one mark unless a unique key (the submission id; sheet, aspect and revision) is taken
#: (on the table itself: the ORM's bulk-insert machinery costs more than the insert)
_INSERT_ONCE = {dialect.__name__.rpartition(".")[2]:
                dialect.insert(Mark.__table__).on_conflict_do_nothing().returning(Mark.__table__.c.id)
                for dialect in (postgresql, sqlite)}


def _context(session: Session, actor: Actor, command: SubmitMark) -> Row[Any] | None:
    """The judge's sheet (read with a shared lock so that it cannot be submitted or locked under
    the mark), the aspect if it is on the sheet's panel, both homes for recusal, any override,
    the last revision and an earlier mark with this submission id. None when the sheet is not
    the judge's."""
    return session.execute(_CONTEXT, {"sheet": command.sheet_id, "judge": actor.id, "aspect": command.aspect_id,
                                      "submission": command.submission_id}).one_or_none()


def _insert_once(session: Session, values: dict[str, Any]) -> int | None:
    """Insert one mark row; None (and no error, so the transaction stays usable) when a unique
    key is already taken."""
    return session.execute(_INSERT_ONCE[session.get_bind().dialect.name], values).scalar_one_or_none()


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


def _repeat(session: Session, actor: Actor, submission_id: str) -> Receipt:
    """The first receipt of a submission id seen before (only for the judge who sent it)."""
    mark = _find(session, submission_id)
    assert mark is not None
    if mark.judge_id != actor.id:
        raise Conflict("mark.submission_reused", field="submission_id")
    sheet = session.get(Sheet, mark.sheet_id)
    assert sheet is not None
    return Receipt(
        submission_id=mark.submission_id, mark_id=mark.id, sheet_id=mark.sheet_id, aspect_id=mark.aspect_id,
        value=Decimal(mark.value), revision=mark.revision, sheet_state=sheet.state, board_id=mark.board_id,
        event_id=None, duplicate=True,
    )


#: the refusal's code per conflict
RECUSED = {"institution": "mark.recused", "province": "mark.recused_province"}


def _check_not_recused(ctx: Row[Any]) -> None:
    """Refuse a judge recused from the sheet's entry unless an override was recorded."""
    judge = home_of(ctx.judge_institution, ctx.judge_province, ctx.judge_institution_province)
    why = conflict(judge, Home(ctx.team_institution, ctx.team_province), scope_of(ctx.rules))
    if why is not None and ctx.overridden is None:
        raise Forbidden(RECUSED[why], field="sheet")
