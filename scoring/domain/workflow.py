"""Sheet workflow: the states of one sheet (one judge × one entry) and who may move it.

Owns: the state machine draft → submitted → checked → signed → locked, its actions, the
roles allowed to perform each action, the reason rule, and division-level readiness
(every sheet locked before decryption).

Vocabulary (states ``SheetState``; actions ``TRANSITIONS``):
- ``submit``  draft → submitted (the scoring judge hands the sheet in)
- ``return``  submitted | checked → draft (the chief judge asks for a re-score)
- ``check``   submitted → checked (the chief judge has reviewed it)
- ``sign``    checked → signed (the chief judge signs it)
- ``lock``    signed → locked (no more marks)
- ``unlock``  locked | signed → draft - needs a non-empty reason (it is logged by the caller)
Only a draft sheet accepts marks (``accepts_marks``).

Error codes: sheet.invalid_transition, sheet.unknown_action (``InvalidState``),
sheet.reason_required (``ValidationFailed``, field ``reason``), sheet.role_forbidden
(``Forbidden``).

Must not: store anything, timestamp, or know about marks' values.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from compete.errors import Forbidden, InvalidState, ValidationFailed


class SheetState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHECKED = "checked"
    SIGNED = "signed"
    LOCKED = "locked"


class Role(StrEnum):
    SCORING_JUDGE = "scoring_judge"
    CHIEF_JUDGE = "chief_judge"
    SUPERVISOR = "supervisor"


S = SheetState
TRANSITIONS: dict[str, dict[SheetState, SheetState]] = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "return": {S.SUBMITTED: S.DRAFT, S.CHECKED: S.DRAFT},
    "check": {S.SUBMITTED: S.CHECKED},
    "sign": {S.CHECKED: S.SIGNED},
    "lock": {S.SIGNED: S.LOCKED},
    "unlock": {S.LOCKED: S.DRAFT, S.SIGNED: S.DRAFT},
}
REASON_REQUIRED: frozenset[str] = frozenset({"unlock"})
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.SCORING_JUDGE, Role.CHIEF_JUDGE}),
    "return": frozenset({Role.CHIEF_JUDGE}),
    "check": frozenset({Role.CHIEF_JUDGE}),
    "sign": frozenset({Role.CHIEF_JUDGE}),
    "lock": frozenset({Role.CHIEF_JUDGE}),
    "unlock": frozenset({Role.CHIEF_JUDGE}),
}


def transition(state: SheetState | str, action: str, *, reason: str | None = None,
               role: Role | str | None = None) -> SheetState:
    """The state after ``action``; raises if the action is not allowed now (or for ``role``).

    ``role`` is checked only when given (the service passes the actor's role).
    """
    current = SheetState(state)
    targets = TRANSITIONS.get(action)
    if targets is None:
        raise InvalidState("sheet.unknown_action", field="action", action=action,
                           allowed=",".join(TRANSITIONS))
    if current not in targets:
        raise InvalidState("sheet.invalid_transition", field="action", state=current.value,
                           action=action, allowed=",".join(allowed_actions(current)))
    if role is not None and Role(role) not in ACTION_ROLES[action]:
        raise Forbidden("sheet.role_forbidden", field="action", action=action, role=str(role))
    if action in REASON_REQUIRED and (reason is None or not reason.strip()):
        raise ValidationFailed("sheet.reason_required", field="reason", action=action)
    return targets[current]


def allowed_actions(state: SheetState | str) -> tuple[str, ...]:
    current = SheetState(state)
    return tuple(action for action, targets in TRANSITIONS.items() if current in targets)


def accepts_marks(state: SheetState | str) -> bool:
    """Only a draft sheet takes new marks or revisions from its judge."""
    return SheetState(state) is SheetState.DRAFT


def all_locked(states: Iterable[SheetState | str]) -> bool:
    """True when there is at least one sheet and every sheet is locked (decryption may start)."""
    seen = False
    for state in states:
        seen = True
        if SheetState(state) is not SheetState.LOCKED:
            return False
    return seen
