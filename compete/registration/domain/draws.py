"""Draws of lots (加密): entry number → station number → review number, reproducible from a seed.

Owns: ``draw_numbers(seed, team_ids, prefix, width)`` — the numbers 1..n shuffled by
``random.Random(seed)`` and dealt to the teams in ascending id order, so the same seed and the
same teams always give the same numbers (the demo's recorded draws follow the same recipe);
``new_seed()``; the order of the chain (``KINDS``, ``previous``) and ``check_ready`` (a station
draw needs every team's entry number, a review draw every station number; a kind is drawn once).

Vocabulary: a *draw* covers the teams of one stage × division (× zone); its *prefix* is written
before each number (``GD-07``); its *width* is the least number of digits.

Must not: import anything but the standard library and ``compete.errors``; read storage.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence

from compete.errors import Conflict, InvalidState, ValidationFailed

KINDS = ("entry", "station", "review")


def new_seed() -> str:
    """A fresh, unguessable seed to record with the draw."""
    return secrets.token_hex(16)


def previous(kind: str) -> str | None:
    if kind not in KINDS:
        raise ValidationFailed("draw.unknown_kind", field="kind", kind=kind)
    index = KINDS.index(kind)
    return KINDS[index - 1] if index else None


def draw_numbers(seed: str, team_ids: Sequence[int], *, prefix: str = "", width: int = 2) -> dict[int, str]:
    """Team id → number for this seed. Independent of the order ``team_ids`` come in."""
    if not seed:
        raise ValidationFailed("draw.seed_required", field="seed")
    ordered = sorted(set(team_ids))
    numbers = list(range(1, len(ordered) + 1))
    random.Random(seed).shuffle(numbers)
    digits = max(width, len(str(len(ordered))))
    return {team: f"{prefix}{number:0{digits}d}" for team, number in zip(ordered, numbers, strict=True)}


def check_ready(kind: str, current: Mapping[int, Mapping[str, str | None]]) -> None:
    """Refuse a draw whose previous link is missing or that was already made for these teams.

    ``current`` maps team id → that team's numbers by kind (``{"entry": "GD-01", ...}``).
    """
    if not current:
        raise InvalidState("draw.no_teams", field="division")
    before = previous(kind)
    if before is not None and any(not numbers.get(before) for numbers in current.values()):
        raise InvalidState(f"draw.needs_{before}", field="kind")
    if any(numbers.get(kind) for numbers in current.values()):
        raise Conflict(f"draw.already_{kind}", field="kind")


def same_result(recorded: Mapping[str, str], recomputed: Mapping[int, str]) -> bool:
    """Whether a stored result (JSON keys are strings) equals a recomputed one."""
    return dict(recorded) == {str(team): number for team, number in recomputed.items()}
