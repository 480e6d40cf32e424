"""The result lifecycle service: review (复核) → public notice (公示) → final, per board, audited.

Owns the *service* around ``scoring.domain.lifecycle`` (the states, the sample, the error rule
and what each step needs): load the board and its ``ResultLifecycle`` row (locked), check the
actor against the permission table over the board's competition and zone (403 without the
role, 404 outside the scope), apply one step, and append one event in the same transaction.
Time comes in as ``now`` (default: the clock, read here, never in the domain).

Steps and who (``accounts.domain.permissions``):
- ``start_review`` (organiser, ``board.publish``): needs decryption; ranks the board from its
  stored marks (every row of the board, in board order), draws the sample from a recorded seed (fresh, or given) and stores the ranking
  it was drawn from, so ``view`` can show that the sample is reproducible. ``results.review_started``.
- ``record_check`` (supervisor, ``results.review``): one check per required entry, confirmed or
  an error with a note. When the error rule is met the row's ``recheck_all`` is set (and the
  event says ``recheck_all: true``): every entry must then be checked. ``results.checked``.
- ``open_notice`` (organiser): once every required entry is checked; the countdown's length is
  the event's ``lifecycle.notice_minutes`` (default 120). ``results.notice_opened``.
- ``sign`` (``role`` ``chief_judge``: ``results.sign_chief``; ``supervisor``:
  ``results.sign_supervisor``): during the notice; stores who, when and the digest of the
  board's data it covers (a correction afterwards makes it stale). ``results.signed``.
- ``finalise`` (organiser): the notice has ended, no appeal holds the board
  (``holding_appeals``), every sheet is locked, both signatures current and by different
  people; stores the SHA-256 ``final_hash`` of the board's current marks and ranked rows, logs
  it (event ``results.finalised`` and this module's logger). Only then may the publication's
  ``finalise`` (``scoring.publication``) publish the final board (``is_final``).

Error codes: board.not_found (404), user.role_required (403), lifecycle.unknown_action (422),
lifecycle.entry_not_found (404), plus those of ``scoring.domain.lifecycle``.

Must not: import flask, commit, or emit (the caller commits; nothing here changes a board's
snapshot, so nothing is recomputed).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.permissions import roles_for
from compete.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from compete.registration.domain.draws import new_seed
from compete.registration.models import SkillEvent, Stage, Team
from compete.security import Actor
from scoring import boards, event_rules, publication, repository
from scoring.domain import lifecycle as rules
from scoring.domain.lifecycle import LifecycleRules, LifecycleState, Review, Signature
from scoring.models import Board, ResultCheck, ResultLifecycle

log = logging.getLogger(__name__)

PUBLISH, REVIEW, READ = "board.publish", "results.review", "results.read"
SIGN_PERMISSION = {"chief_judge": "results.sign_chief", "supervisor": "results.sign_supervisor"}
#: the organiser's steps, in the order the page offers them
ORGANISER_ACTIONS: tuple[str, ...] = ("start_review", "open_notice", "finalise")
ACTIONS: tuple[str, ...] = (*ORGANISER_ACTIONS, "sign")
#: roles that may see a board's lifecycle (scope is checked per board)
READ_ROLES: tuple[str, ...] = tuple(sorted(roles_for(READ) | roles_for(PUBLISH)))


@dataclasses.dataclass(frozen=True)
class Step:
    board_id: int
    action: str
    state: str
    event_id: int

    def as_dict(self) -> dict[str, object]:
        return {"board": self.board_id, "action": self.action, "state": self.state, "event": self.event_id}


def _now(now: datetime | None) -> datetime:
    return now if now is not None else events.utcnow()


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for aware columns: they are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


# -- loading -----------------------------------------------------------------------------------

def _board(session: Session, board_id: int, *, lock: bool = False) -> Board:
    board = session.get(Board, board_id, with_for_update=lock or None)
    if board is None:
        raise NotFound("board.not_found", field="board")
    return board


def _target(session: Session, board: Board) -> tuple[int | None, int | None]:
    return publication._competition_id(session, board), board.zone_id


def _require(session: Session, actor: Actor, action: str, board: Board) -> None:
    permissions.require(actor, action, *_target(session, board), not_found="board.not_found")


def _row(session: Session, board_id: int, *, lock: bool = False) -> ResultLifecycle | None:
    return session.get(ResultLifecycle, board_id, with_for_update=lock or None)


def rules_of(session: Session, board: Board) -> LifecycleRules:
    rules_mapping = session.scalar(select(SkillEvent.rules).join(Stage, Stage.event_id == SkillEvent.id)
                                   .where(Stage.id == board.stage_id))
    return event_rules.parse_lifecycle(rules_mapping)


def state_of(row: ResultLifecycle | None) -> LifecycleState:
    return LifecycleState(row.state) if row is not None else LifecycleState.PENDING


def _checks(session: Session, board_id: int) -> list[ResultCheck]:
    return list(session.scalars(select(ResultCheck).where(ResultCheck.board_id == board_id)
                                .order_by(ResultCheck.id)))


def review_of(session: Session, row: ResultLifecycle) -> Review:
    return Review(entries=tuple(row.ranked), sample=tuple(row.sample_top) + tuple(row.sample_random),
                  checks={c.team_id: c.outcome == "error" for c in _checks(session, row.board_id)},
                  recheck_all=row.recheck_all)


def holding_appeals(session: Session, board_id: int) -> int:
    """Appeals that hold the board at public notice: its open accepted appeals (accepted, being
    heard, or escalated; ``scoring.domain.appeals.HOLDING``)."""
    from scoring.appeals import holding  # the appeals service owns the count

    return holding(session, board_id)


def digest(session: Session, board: Board) -> str:
    """The SHA-256 of the board's current marks and its ranked rows, as computed now."""
    marks = [(entry, aspect, judge, value)
             for (entry, aspect), judged in repository.current_panels(session, board.id).items()
             for judge, value in judged.items()]
    result, _ = boards.compute(session, board)
    return rules.results_digest(marks, boards.freeze_rows(result))


def is_final(session: Session, board_id: int) -> bool:
    return state_of(_row(session, board_id)) is LifecycleState.FINAL


def _log(session: Session, actor: Actor, board: Board, kind: str, payload: dict[str, Any]) -> int:
    record = events.append(session, f"results.{kind}", {"board": board.id, **payload}, actor=actor.label,
                           competition_id=publication._competition_id(session, board), device_id=actor.device_id)
    session.flush()
    return int(record.id)


# -- the steps ---------------------------------------------------------------------------------

def start_review(session: Session, actor: Actor, board_id: int, *, seed: str | None = None,
                 now: datetime | None = None) -> Step:
    board = _board(session, board_id, lock=True)
    _require(session, actor, PUBLISH, board)
    row = _row(session, board_id, lock=True)
    result, _ = boards.compute(session, board)
    ranked = [r.entry_id for r in result.rows]  # board order: unranked rows (no marks yet) last
    rules.check_start_review(state_of(row), decrypted=board.decrypted, entries=len(ranked))
    seed = seed or new_seed()
    sample = rules.review_sample(ranked, seed, rules_of(session, board))
    session.add(ResultLifecycle(board_id=board.id, state=LifecycleState.REVIEW.value, seed=seed, ranked=ranked,
                                sample_top=list(sample.top), sample_random=list(sample.random),
                                recheck_all=False, review_by=actor.label, review_at=_now(now)))
    event_id = _log(session, actor, board, "review_started",
                    {"seed": seed, "entries": len(ranked), "top": list(sample.top), "random": list(sample.random)})
    return Step(board.id, "start_review", LifecycleState.REVIEW.value, event_id)


def record_check(session: Session, actor: Actor, board_id: int, entry_id: int, outcome: str,
                 note: str | None = None, *, now: datetime | None = None) -> Step:
    board = _board(session, board_id, lock=True)
    _require(session, actor, REVIEW, board)
    if outcome not in rules.OUTCOMES:
        raise ValidationFailed("lifecycle.bad_outcome", field="outcome", allowed=",".join(rules.OUTCOMES))
    row = _row(session, board_id, lock=True)
    if row is None:
        raise InvalidState("lifecycle.not_in_review", field="action", state=LifecycleState.PENDING.value)
    team = session.get(Team, entry_id)
    if team is None or entry_id not in row.ranked:
        raise NotFound("lifecycle.entry_not_found", field="entry")
    limit = rules_of(session, board).error_limit
    review = review_of(session, row)
    rules.check_record(row.state, review, limit, entry_id, outcome, note)
    clean_note = (note or "").strip() or None
    session.add(ResultCheck(board_id=board.id, team_id=entry_id, outcome=outcome, note=clean_note,
                            actor=actor.label, at=_now(now)))
    after = dataclasses.replace(review, checks={**review.checks, entry_id: outcome == "error"})
    escalated = not row.recheck_all and after.exceeds(limit)
    if escalated:
        row.recheck_all = True
    event_id = _log(session, actor, board, "checked",
                    {"entry": entry_id, "outcome": outcome, "note": clean_note, "recheck_all": row.recheck_all,
                     "escalated": escalated, "missing": len(after.missing(limit))})
    return Step(board.id, "check", row.state, event_id)


def open_notice(session: Session, actor: Actor, board_id: int, *, now: datetime | None = None) -> Step:
    board = _board(session, board_id, lock=True)
    _require(session, actor, PUBLISH, board)
    row = _row(session, board_id, lock=True)
    lifecycle_rules = rules_of(session, board)
    if row is None:
        raise InvalidState("lifecycle.not_in_review", field="action", state=LifecycleState.PENDING.value)
    rules.check_open_notice(row.state, review_of(session, row), lifecycle_rules.error_limit)
    row.state = LifecycleState.NOTICE.value
    row.notice_by, row.notice_at = actor.label, _now(now)
    row.notice_ends_at = lifecycle_rules.notice_ends(row.notice_at)
    event_id = _log(session, actor, board, "notice_opened",
                    {"minutes": lifecycle_rules.notice_minutes, "ends_at": row.notice_ends_at.isoformat()})
    return Step(board.id, "open_notice", row.state, event_id)


def _signatures(row: ResultLifecycle) -> dict[str, Signature]:
    found = {}
    if row.chief_by and row.chief_digest:
        found["chief_judge"] = Signature(row.chief_by, row.chief_digest)
    if row.supervisor_by and row.supervisor_digest:
        found["supervisor"] = Signature(row.supervisor_by, row.supervisor_digest)
    return found


def sign(session: Session, actor: Actor, board_id: int, role: str, *, now: datetime | None = None) -> Step:
    if role not in rules.SIGNERS:
        raise ValidationFailed("lifecycle.bad_role", field="role", allowed=",".join(rules.SIGNERS))
    board = _board(session, board_id, lock=True)
    _require(session, actor, SIGN_PERMISSION[role], board)
    row = _row(session, board_id, lock=True)
    current = digest(session, board)
    rules.check_sign(state_of(row), role, actor.label, _signatures(row) if row else {}, current)
    assert row is not None
    prefix = "chief" if role == "chief_judge" else "supervisor"
    setattr(row, f"{prefix}_by", actor.label)
    setattr(row, f"{prefix}_at", _now(now))
    setattr(row, f"{prefix}_digest", current)
    event_id = _log(session, actor, board, "signed", {"role": role, "digest": current})
    return Step(board.id, "sign", row.state, event_id)


def finalise(session: Session, actor: Actor, board_id: int, *, now: datetime | None = None) -> Step:
    board = _board(session, board_id, lock=True)
    _require(session, actor, PUBLISH, board)
    row = _row(session, board_id, lock=True)
    when = _now(now)
    current = digest(session, board)
    rules.check_finalise(rules.Finality(
        state=state_of(row), now=when, notice_ends_at=_aware(row.notice_ends_at) if row else None,
        holding_appeals=holding_appeals(session, board_id),
        sheets_ready=publication.readiness(session, board, hold=True).sheets_ready, digest=current,
        signatures=_signatures(row) if row else {}))
    assert row is not None
    row.state = LifecycleState.FINAL.value
    row.final_by, row.final_at, row.final_hash = actor.label, when, current
    event_id = _log(session, actor, board, "finalised",
                    {"hash": current, "chief_judge": row.chief_by, "supervisor": row.supervisor_by})
    log.info("board %s results final: sha256 %s (event %s)", board.id, current, event_id)
    return Step(board.id, "finalise", row.state, event_id)


def act(session: Session, actor: Actor, board_id: int, action: str, *, role: str | None = None,
        seed: str | None = None, now: datetime | None = None) -> Step:
    """One step by name (the API's ``{"action": ...}``)."""
    if action == "start_review":
        return start_review(session, actor, board_id, seed=seed, now=now)
    if action == "open_notice":
        return open_notice(session, actor, board_id, now=now)
    if action == "sign":
        if role is None:
            raise ValidationFailed("lifecycle.bad_role", field="role", allowed=",".join(rules.SIGNERS))
        return sign(session, actor, board_id, role, now=now)
    if action == "finalise":
        return finalise(session, actor, board_id, now=now)
    raise ValidationFailed("lifecycle.unknown_action", field="action", action=action)


# -- reading -----------------------------------------------------------------------------------

def may(session: Session, actor: Actor, board: Board) -> dict[str, bool]:
    target = _target(session, board)
    return {"organise": permissions.allows(actor, PUBLISH, *target),
            "check": permissions.allows(actor, REVIEW, *target),
            "sign_chief_judge": permissions.allows(actor, SIGN_PERMISSION["chief_judge"], *target),
            "sign_supervisor": permissions.allows(actor, SIGN_PERMISSION["supervisor"], *target)}


def check_reader(session: Session, actor: Actor, board: Board) -> dict[str, bool]:
    """What the actor may do here; raises unless they may at least read it (403 / 404)."""
    allowed = may(session, actor, board)
    if any(allowed.values()) or permissions.allows(actor, READ, *_target(session, board)):
        return allowed
    if permissions.has_role_for(actor, READ) or permissions.has_role_for(actor, PUBLISH):
        raise NotFound("board.not_found", field="board")
    raise Forbidden("user.role_required")


def view(session: Session, actor: Actor, board_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """The lifecycle as the API and the publish page show it."""
    board = _board(session, board_id)
    allowed = check_reader(session, actor, board)
    row = _row(session, board_id)
    lifecycle_rules = rules_of(session, board)
    when = _now(now)
    out: dict[str, Any] = {"board": board.id, "state": state_of(row).value, "decrypted": board.decrypted,
                           "rules": lifecycle_rules.to_mapping(), "may": allowed, "me": actor.label,
                           "holding_appeals": holding_appeals(session, board_id)}
    if row is None:
        return out
    review = review_of(session, row)
    limit = lifecycle_rules.error_limit
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(row.ranked)))}
    by_entry = {c.team_id: c for c in _checks(session, board_id)}
    sample = set(review.sample)
    required = set(review.required(limit))
    redrawn = rules.review_sample(row.ranked, row.seed, lifecycle_rules)
    ends = _aware(row.notice_ends_at)
    now_digest = digest(session, board) if row.state == LifecycleState.NOTICE else row.final_hash
    out.update({
        "seed": row.seed, "reproducible": redrawn.entries == review.sample,
        "recheck_all": review.everything(limit), "sample_size": len(review.sample),
        "required": len(required), "checked": sum(1 for e in required if e in review.checks),
        "errors": sum(1 for c in by_entry.values() if c.outcome == "error"),
        "complete": review.complete(limit),
        "entries": [{"entry": e, "code": teams[e].code if e in teams else f"#{e}",
                     "name": teams[e].name if e in teams else None, "position": i + 1, "in_sample": e in sample,
                     "part": "top" if e in row.sample_top else ("random" if e in sample else None),
                     "required": e in required,
                     "check": ({"outcome": by_entry[e].outcome, "note": by_entry[e].note,
                                "by": publication._person(session, by_entry[e].actor)} if e in by_entry else None)}
                    for i, e in enumerate(row.ranked)],
        "notice_at": _iso(_aware(row.notice_at)), "notice_ends_at": _iso(ends),
        "notice_seconds_left": rules.seconds_left(ends, when), "notice_ended": ends is not None and when >= ends,
        "signatures": {role: _signature_view(session, row, role, prefix, now_digest)
                       for role, prefix in (("chief_judge", "chief"), ("supervisor", "supervisor"))},
        "final_at": _iso(_aware(row.final_at)), "final_hash": row.final_hash,
        "final_by": publication._person(session, row.final_by),
    })
    return out


def _signature_view(session: Session, row: ResultLifecycle, role: str, prefix: str,
                    current: str | None) -> dict[str, Any] | None:
    by = getattr(row, f"{prefix}_by")
    if by is None:
        return None
    signed = getattr(row, f"{prefix}_digest")
    return {"by": publication._person(session, by), "label": by, "at": _iso(_aware(getattr(row, f"{prefix}_at"))),
            "digest": signed, "current": signed == current}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
