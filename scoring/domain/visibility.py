"""Visibility: what each audience may see of a board, by publication state.

Owns: publication states per division (hidden → live → frozen → revealed → final) and their
transitions, and the *materialisation* of the public and officials' views. The public view
is built only from data the public may have: it is never a filter applied later.

Vocabulary:
- ``hidden``: officials only; the public gets no rows.
- ``live``: the public sees the current board.
- ``frozen``: the public sees the board *as at the freeze* (``frozen_rows``, the snapshot
  the caller stored when freezing); current rows are not read at all. Officials see all.
- ``revealed``: the ceremony. Prize rows appear level by level: ``reveal_level`` ``none``
  (no prize row yet), ``third``, ``second``, ``first`` (all). Rows without a prize show.
- ``final``: everyone sees the current (final) board.
- *decrypted*: identities (names, institutions) are attached only after decryption; before
  it the public - and officials' boards - carry codes only, whatever ``identities`` holds.
- Public rows never carry entry ids, flags, judge counts, per-aspect marks or exact totals.

Error codes: publication.invalid_transition, publication.unknown_action,
publication.not_decrypted, publication.no_freeze_snapshot, publication.bad_reveal_level
(``InvalidState`` / ``ValidationFailed`` for the level).

Must not: compute scores or query anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from compete.errors import InvalidState, ValidationFailed

from .awards import PRIZES
from .engine import RankedRow


class PublicationState(StrEnum):
    HIDDEN = "hidden"
    LIVE = "live"
    FROZEN = "frozen"
    REVEALED = "revealed"
    FINAL = "final"


P = PublicationState
PUBLICATION_TRANSITIONS: dict[str, dict[PublicationState, PublicationState]] = {
    "go_live": {P.HIDDEN: P.LIVE},
    "hide": {P.LIVE: P.HIDDEN},
    "freeze": {P.LIVE: P.FROZEN},
    "unfreeze": {P.FROZEN: P.LIVE},
    "reveal": {P.FROZEN: P.REVEALED, P.LIVE: P.REVEALED, P.HIDDEN: P.REVEALED},
    "finalise": {P.REVEALED: P.FINAL},
}
REVEAL_LEVELS: tuple[str, ...] = ("none", "third", "second", "first")


@dataclass(frozen=True)
class Identity:
    name: str
    institution: str | None = None


@dataclass(frozen=True)
class PublicRow:
    code: str
    rank: int | None
    total: Decimal
    modules: Mapping[str, Decimal]
    prize: str | None
    medal: str | None
    decided_by: str | None
    name: str | None = None
    institution: str | None = None

    def to_mapping(self) -> dict[str, object]:
        return {"code": self.code, "rank": self.rank, "total": str(self.total),
                "modules": {k: str(v) for k, v in self.modules.items()},
                "prize": self.prize, "medal": self.medal, "decided_by": self.decided_by,
                "name": self.name, "institution": self.institution}


@dataclass(frozen=True)
class OfficialRow:
    row: RankedRow
    name: str | None = None
    institution: str | None = None


def publication_transition(state: PublicationState | str, action: str, *,
                           decrypted: bool = False) -> PublicationState:
    """The publication state after ``action``; revealing needs decrypted identities."""
    current = PublicationState(state)
    targets = PUBLICATION_TRANSITIONS.get(action)
    if targets is None:
        raise InvalidState("publication.unknown_action", field="action", action=action)
    if current not in targets:
        raise InvalidState("publication.invalid_transition", field="action",
                           state=current.value, action=action)
    if action == "reveal" and not decrypted:
        raise InvalidState("publication.not_decrypted", field="action")
    return targets[current]


def available_actions(state: PublicationState | str, *, decrypted: bool, reveal_level: str) -> frozenset[str]:
    """The organiser's actions that make sense now: the transitions out of ``state`` (the
    ceremony once decrypted), the ceremony's next level while one is left, and decryption
    until done (its preconditions are the decryption rule's to check)."""
    current = PublicationState(state)
    actions = {action for action, targets in PUBLICATION_TRANSITIONS.items()
               if current in targets and (action != "reveal" or decrypted)}
    if current is PublicationState.REVEALED and REVEAL_LEVELS.index(reveal_level) + 1 < len(REVEAL_LEVELS):
        actions.add("reveal_next")
    if not decrypted:
        actions.add("decrypt")
    return frozenset(actions)


def _mask(row: RankedRow, decrypted: bool,
          identities: Mapping[int, Identity] | None) -> PublicRow:
    who = identities.get(row.entry_id) if (decrypted and identities is not None) else None
    return PublicRow(code=row.code, rank=row.rank, total=row.total, modules=dict(row.modules),
                     prize=row.prize, medal=row.medal, decided_by=row.decided_by,
                     name=who.name if who else None,
                     institution=who.institution if who else None)


def public_view(board_rows: Sequence[RankedRow], publication_state: PublicationState | str,
                decrypted: bool, frozen_rows: Sequence[RankedRow] | None, *,
                identities: Mapping[int, Identity] | None = None,
                reveal_level: str = "none") -> tuple[PublicRow, ...]:
    """The rows the public may receive now (see the module docstring for each state)."""
    state = PublicationState(publication_state)
    if state is PublicationState.HIDDEN:
        return ()
    if state is PublicationState.FROZEN:
        if frozen_rows is None:
            raise InvalidState("publication.no_freeze_snapshot", field="frozen_rows")
        return tuple(_mask(r, decrypted, identities) for r in frozen_rows)
    if state is PublicationState.REVEALED:
        if reveal_level not in REVEAL_LEVELS:
            raise ValidationFailed("publication.bad_reveal_level", field="reveal_level",
                                   allowed=",".join(REVEAL_LEVELS))
        # third prizes first, then second, then first: PRIZES is (first, second, third)
        shown = set(PRIZES[len(PRIZES) - REVEAL_LEVELS.index(reveal_level):])
        return tuple(_mask(r, decrypted, identities) for r in board_rows
                     if r.prize is None or r.prize in shown)
    return tuple(_mask(r, decrypted, identities) for r in board_rows)


def officials_view(board_rows: Sequence[RankedRow], decrypted: bool,
                   identities: Mapping[int, Identity] | None = None
                   ) -> tuple[OfficialRow, ...]:
    """Officials always see the current rows in full; names only after decryption."""
    out = []
    for row in board_rows:
        who = identities.get(row.entry_id) if (decrypted and identities is not None) else None
        out.append(OfficialRow(row, who.name if who else None,
                               who.institution if who else None))
    return tuple(out)
