"""Result review (复核) after decryption: which entries supervisors re-check, and the verdict.

Owns: the review sample - every entry in the top ``top_ratio`` (30 %) of the ranked board
plus a reproducible random ``random_ratio`` (15 %) of the rest - and the outcome rule: more
than ``error_limit`` (5 %) of the checked entries with errors → re-check every entry.

Vocabulary: counts use ROUND_HALF_UP (like prize counts); the random part is drawn with
``random.Random(seed)`` over the remaining entry ids in board order, so a recorded seed
reproduces the sample exactly. Outcomes: ``pass``, ``recheck_all``.

Error codes: review.bad_ratio (``ValidationFailed``).

Must not: read storage, or draw a seed itself (the caller records and passes it).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compete.errors import ValidationFailed

from .awards import round_half_up


@dataclass(frozen=True)
class ReviewSample:
    top: tuple[int, ...]
    random: tuple[int, ...]
    seed: int

    @property
    def all(self) -> tuple[int, ...]:
        return self.top + self.random


def review_sample(ranked_ids: Sequence[int], seed: int, *, top_ratio: Decimal = Decimal("0.3"),
                  random_ratio: Decimal = Decimal("0.15")) -> ReviewSample:
    """``ranked_ids`` in board order (best first). Reproducible for a given seed."""
    for name, ratio in (("top_ratio", top_ratio), ("random_ratio", random_ratio)):
        if not Decimal(0) <= ratio <= Decimal(1):
            raise ValidationFailed("review.bad_ratio", field=name, min="0", max="1")
    n_top = round_half_up(top_ratio * len(ranked_ids))
    top = tuple(ranked_ids[:n_top])
    rest = list(ranked_ids[n_top:])
    n_random = round_half_up(random_ratio * len(rest))
    picked = random.Random(seed).sample(rest, n_random)
    order = {entry_id: i for i, entry_id in enumerate(rest)}
    return ReviewSample(top, tuple(sorted(picked, key=order.__getitem__)), seed)


def review_outcome(checked: int, with_errors: int,
                   error_limit: Decimal = Decimal("0.05")) -> str:
    """``recheck_all`` when errors exceed the limit (strictly more than 5 %), else ``pass``."""
    if checked <= 0:
        return "pass"
    return "recheck_all" if Decimal(with_errors) > error_limit * checked else "pass"
