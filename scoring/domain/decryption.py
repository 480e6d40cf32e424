"""Decryption (解密): when a board's identities may be attached, as a pure rule.

domain.md: decryption "happens once per division, after all sheets are locked and the chief judge
has signed, with a supervisor's co-signature; it is logged." Here:

- *sheets ready*: the board has at least one sheet, every sheet is ``locked`` and no active
  entry of the board is without a sheet. Locked implies signed by the chief judge: in
  ``workflow`` a sheet reaches ``locked`` only from ``signed`` (and ``sign`` is the chief's).
- *co-signature*: a supervisor co-signs the locked results before anyone decrypts. It covers the
  sheets as they were when it was given: if any sheet of the board changes state afterwards
  (an unlock for a correction, a re-lock) the co-signature is *stale* and must be given again.
  Decryption re-checks the locks itself, whatever the co-signature says.
- *four eyes*: the co-signer and the person who decrypts must be different people.

Owns: ``Readiness`` (what the service counted) and the checks ``check_cosign`` and
``check_decrypt``, which raise the first rule broken.

Error codes (``InvalidState`` → 409, field ``action``, unless noted):
publication.already_decrypted; publication.no_sheets; publication.entries_without_sheets
(``count``); publication.sheets_not_locked (``locked``, ``total``); publication.already_cosigned;
publication.cosign_required; publication.cosign_stale; publication.cosigner_cannot_decrypt
(``Forbidden`` → 403).

Must not: import anything but the standard library, ``compete.errors`` and other domain modules;
read storage or clocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from compete.errors import Forbidden, InvalidState
from scoring.domain.workflow import SheetState


@dataclass(frozen=True)
class Readiness:
    """One board's preconditions for decryption, as counted by the service."""

    total: int
    locked: int
    #: active entries (not withdrawn) of the board that have no sheet at all
    unsheeted: int = 0
    decrypted: bool = False
    #: who co-signed (an actor label), or None
    cosigned_by: str | None = None
    #: False when a sheet of the board changed state after the co-signature
    cosign_current: bool = True

    @classmethod
    def of(cls, states: Iterable[SheetState | str], *, unsheeted: int = 0, decrypted: bool = False,
           cosigned_by: str | None = None, cosign_current: bool = True) -> Readiness:
        counted = [SheetState(s) for s in states]
        return cls(total=len(counted), locked=sum(1 for s in counted if s is SheetState.LOCKED),
                   unsheeted=unsheeted, decrypted=decrypted, cosigned_by=cosigned_by,
                   cosign_current=cosign_current)

    @property
    def sheets_ready(self) -> bool:
        return self.total > 0 and self.locked == self.total and self.unsheeted == 0

    @property
    def cosigned(self) -> bool:
        """A co-signature that still covers the sheets as they are."""
        return self.cosigned_by is not None and self.cosign_current


def check_sheets(r: Readiness) -> None:
    if r.total == 0:
        raise InvalidState("publication.no_sheets", field="action")
    if r.unsheeted:
        raise InvalidState("publication.entries_without_sheets", field="action", count=r.unsheeted)
    if r.locked != r.total:
        raise InvalidState("publication.sheets_not_locked", field="action", locked=r.locked, total=r.total)


def check_cosign(r: Readiness) -> None:
    """Raise unless a supervisor may co-sign now (the role and scope are the service's)."""
    if r.decrypted:
        raise InvalidState("publication.already_decrypted", field="action")
    check_sheets(r)
    if r.cosigned:
        raise InvalidState("publication.already_cosigned", field="action")


def check_decrypt(r: Readiness, decrypter: str) -> None:
    """Raise unless ``decrypter`` (an actor label) may decrypt now."""
    if r.decrypted:
        raise InvalidState("publication.already_decrypted", field="action")
    check_sheets(r)
    if r.cosigned_by is None:
        raise InvalidState("publication.cosign_required", field="action")
    if not r.cosign_current:
        raise InvalidState("publication.cosign_stale", field="action")
    if r.cosigned_by == decrypter:
        raise Forbidden("publication.cosigner_cannot_decrypt", field="action")
