"""Appeals (申诉) and arbitration (仲裁): the pure rules of one appeal's life.

domain.md, "Appeals": filed in writing by the team leader, with grounds, within a window; the
window is the board's public notice (公示, ``scoring.domain.lifecycle``): from the moment the
notice opened to the moment it ends (both inclusive of the opening, exclusive of the end).

States (``AppealState``) and the moves (``MOVES``: action → (from states, to state)), each by an
arbitrator and each with a reason::

    filed --accept--> accepted --hear--> hearing --decide--> decided --escalate--> escalated
      \\--reject--> rejected                                          --conclude--> final

``rejected``, ``final`` and a ``decided`` appeal that is not escalated are closed. An *open
accepted* appeal - ``accepted``, ``hearing``, ``escalated`` (a decision escalated to the zone
arbitration committee) - holds the board at public notice (``HOLDING``): the lifecycle's final
step is refused with ``lifecycle.appeal_pending`` while one exists. A decision may not be
escalated once the board's results are final.

A *correction set* (the marks a decision changes) may be previewed and applied while the appeal
is being heard (``hearing``) or heard again (``escalated``): ``CORRECTABLE``. A set is not empty,
names each (sheet, aspect) at most once, and gives every change a reason; each value is checked
like any mark (``scoring.domain.scheme.check_mark_value``, by the service).

Owns: ``AppealState``, ``MOVES``, ``HOLDING``, ``CORRECTABLE``, ``check_window``,
``check_filing``, ``next_state``, ``check_correctable``, ``check_changes``, ``actions_from``.

Error codes (the field in brackets): appeal.window_not_open, appeal.window_closed
(``InvalidState`` 409) [filed_at]; appeal.leader_required, appeal.grounds_required,
appeal.reason_required (``ValidationFailed`` 422) [leader | grounds | reason];
appeal.unknown_action (422) [action]; appeal.invalid_transition (409) [action];
appeal.results_final (409) [action]; appeal.not_correctable (409) [appeal];
appeal.no_changes, appeal.duplicate_change, appeal.change_reason_required (422)
[changes | changes.<i>.aspect | changes.<i>.reason].

Must not: import anything but the standard library, ``compete.errors`` and other domain
modules; read storage or clocks (the caller passes ``now``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from compete.errors import InvalidState, ValidationFailed


class AppealState(StrEnum):
    FILED = "filed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HEARING = "hearing"
    DECIDED = "decided"
    ESCALATED = "escalated"
    FINAL = "final"


A = AppealState

#: action → (states it may start from, the state it leads to)
MOVES: dict[str, tuple[frozenset[AppealState], AppealState]] = {
    "accept": (frozenset({A.FILED}), A.ACCEPTED),
    "reject": (frozenset({A.FILED}), A.REJECTED),
    "hear": (frozenset({A.ACCEPTED}), A.HEARING),
    "decide": (frozenset({A.HEARING}), A.DECIDED),
    "escalate": (frozenset({A.DECIDED}), A.ESCALATED),
    "conclude": (frozenset({A.ESCALATED}), A.FINAL),
}
ACTIONS: tuple[str, ...] = tuple(MOVES)
#: open accepted appeals: they hold the board at public notice
HOLDING: frozenset[AppealState] = frozenset({A.ACCEPTED, A.HEARING, A.ESCALATED})
#: states in which a correction set may be previewed and applied
CORRECTABLE: frozenset[AppealState] = frozenset({A.HEARING, A.ESCALATED})


def holds(state: AppealState | str) -> bool:
    return AppealState(state) in HOLDING


def check_window(notice_at: datetime | None, notice_ends_at: datetime | None, now: datetime) -> None:
    """Raise unless ``now`` lies in the public notice: [opened, ends)."""
    if notice_at is None or notice_ends_at is None or now < notice_at:
        raise InvalidState("appeal.window_not_open", field="filed_at")
    if now >= notice_ends_at:
        raise InvalidState("appeal.window_closed", field="filed_at",
                           ends_at=notice_ends_at.strftime("%Y-%m-%d %H:%M UTC"))


def check_filing(leader: str, grounds: str) -> None:
    """An appeal is in writing (grounds) and by the team leader (named)."""
    if not leader.strip():
        raise ValidationFailed("appeal.leader_required", field="leader")
    if not grounds.strip():
        raise ValidationFailed("appeal.grounds_required", field="grounds")


def next_state(state: AppealState | str, action: str, reason: str, *, results_final: bool = False) -> AppealState:
    """The state ``action`` leads to from ``state``; raises the first rule broken."""
    if action not in MOVES:
        raise ValidationFailed("appeal.unknown_action", field="action", action=action)
    if not reason.strip():
        raise ValidationFailed("appeal.reason_required", field="reason")
    sources, target = MOVES[action]
    current = AppealState(state)
    if current not in sources:
        raise InvalidState("appeal.invalid_transition", field="action", state=current.value, action=action)
    if action == "escalate" and results_final:
        raise InvalidState("appeal.results_final", field="action")
    return target


def actions_from(state: AppealState | str) -> tuple[str, ...]:
    """The moves possible from ``state`` (in ``MOVES`` order)."""
    current = AppealState(state)
    return tuple(action for action, (sources, _target) in MOVES.items() if current in sources)


def check_correctable(state: AppealState | str, *, results_final: bool = False) -> None:
    current = AppealState(state)
    if current not in CORRECTABLE:
        raise InvalidState("appeal.not_correctable", field="appeal", state=current.value)
    if results_final:
        raise InvalidState("appeal.results_final", field="action")


def check_changes(changes: Sequence[tuple[int, int, str]]) -> None:
    """A correction set's shape: (sheet, aspect, reason) per change, as given."""
    if not changes:
        raise ValidationFailed("appeal.no_changes", field="changes")
    seen: set[tuple[int, int]] = set()
    for i, (sheet, aspect, reason) in enumerate(changes):
        if (sheet, aspect) in seen:
            raise ValidationFailed("appeal.duplicate_change", field=f"changes.{i}.aspect")
        seen.add((sheet, aspect))
        if not reason.strip():
            raise ValidationFailed("appeal.change_reason_required", field=f"changes.{i}.reason")
