"""Panel aggregation: many judges' values for one entry on one aspect (or one sheet) → one mark.

Owns: the aggregation methods, the missing-judge rule and the judgement spread rule.

Vocabulary:
- *values*: the current value of each judge present (one per judge; the caller picks the
  latest revision).
- *panel* / *expected*: how many judges should have marked; fewer present = *missing judge*.
- methods (``METHODS``):
  ``mean``; ``trimmed_mean`` (drop ``trim`` highest and ``trim`` lowest, average the rest:
  5 judges, trim 1 → mean of the middle 3); ``median``; ``diving`` (drop ``trim``+``trim``,
  *sum* the rest × ``multiplier``: 7 judges, trim 2 → sum of the middle 3 × multiplier);
  ``judgement`` (an alias of ``mean``: the judgement scaling max × sum/(3·n) is applied by
  the aspect kind, see ``judgement_mark``).
- *missing judge* (domain rule): fewer values than expected → the mean of those present,
  flagged. For ``diving`` "the mean" keeps the scale of a sum: mean × (panel − 2·trim) ×
  multiplier. ``missing_policy="method"`` applies the method to those present instead
  (falling back to the mean when too few remain to trim).
- *spread rule* (judgement aspects): max − min ≤ 1 among the judges of one entry × aspect,
  otherwise the panel must re-score and the chief judge is told.

Error codes: aggregation.unknown_method, aggregation.no_values, aggregation.bad_trim
(all ``ValidationFailed``).

Must not: know about entries, modules, ranking, storage; use floats.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from compete.errors import ValidationFailed

from .scheme import JUDGEMENT_MAX

METHODS: tuple[str, ...] = ("mean", "trimmed_mean", "median", "judgement", "diving")
MISSING_POLICIES: tuple[str, ...] = ("mean", "method")
SPREAD_LIMIT = Decimal(1)

_TWO = Decimal(2)
_ONE = Decimal(1)

K = TypeVar("K", bound=Hashable)


def mean(values: Sequence[Decimal]) -> Decimal:
    if not values:
        raise ValidationFailed("aggregation.no_values", field="values")
    return sum(values, Decimal(0)) / len(values)


def median(values: Sequence[Decimal]) -> Decimal:
    if not values:
        raise ValidationFailed("aggregation.no_values", field="values")
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / _TWO


def _trimmed(values: Sequence[Decimal], trim: int) -> list[Decimal]:
    if trim < 0:
        raise ValidationFailed("aggregation.bad_trim", field="trim", min=0)
    if len(values) <= 2 * trim:
        raise ValidationFailed("aggregation.bad_trim", field="trim", judges=len(values),
                               trim=trim)
    ordered = sorted(values)
    return ordered[trim:len(ordered) - trim] if trim else ordered


def trimmed_mean(values: Sequence[Decimal], trim: int) -> Decimal:
    """Drop ``trim`` highest and ``trim`` lowest, average the rest (needs > 2·trim values)."""
    kept = _trimmed(values, trim)
    return sum(kept, Decimal(0)) / len(kept)


def diving(values: Sequence[Decimal], trim: int, multiplier: Decimal) -> Decimal:
    """Drop ``trim``+``trim``, sum the rest, times ``multiplier`` (needs > 2·trim values)."""
    return sum(_trimmed(values, trim), Decimal(0)) * multiplier


def judgement_mark(values: Sequence[Decimal], max_mark: Decimal) -> Decimal:
    """The judgement formula: max × sum/(3·n)."""
    if not values:
        raise ValidationFailed("aggregation.no_values", field="values")
    return max_mark * sum(values, Decimal(0)) / (JUDGEMENT_MAX * len(values))


def aggregate(method: str, values: Sequence[Decimal], *, trim: int = 1,
              multiplier: Decimal = _ONE, expected: int | None = None,
              missing_policy: str = "mean") -> tuple[Decimal, bool]:
    """Aggregate one panel's values. Returns (mark, missing_judge_flag).

    ``expected`` is the panel size (None = unknown: nobody counts as missing).
    Values must be non-empty. The result does not depend on the order of ``values``.
    """
    n = len(values)
    if n == 0:
        raise ValidationFailed("aggregation.no_values", field="values")
    missing = expected is not None and n < expected
    if method == "mean" or method == "judgement":
        return sum(values, Decimal(0)) / n, missing
    if method == "median":
        if missing and missing_policy == "mean":
            return sum(values, Decimal(0)) / n, True
        return median(values), missing
    if method == "trimmed_mean":
        if (missing and missing_policy == "mean") or n <= 2 * trim:
            return sum(values, Decimal(0)) / n, missing or n <= 2 * trim
        return trimmed_mean(values, trim), missing
    if method == "diving":
        panel = expected if expected is not None and expected > n else n
        counted = max(panel - 2 * trim, 1)
        if (missing and missing_policy == "mean") or n <= 2 * trim:
            return sum(values, Decimal(0)) / n * counted * multiplier, True
        return diving(values, trim, multiplier), missing
    raise ValidationFailed("aggregation.unknown_method", field="aggregation", method=method,
                           allowed=",".join(METHODS))


def spread_exceeded(values: Sequence[Decimal], limit: Decimal = SPREAD_LIMIT) -> bool:
    """True when max − min > limit (the panel must re-score this entry × aspect)."""
    return len(values) > 1 and max(values) - min(values) > limit


def spread_violations(panels: Mapping[K, Sequence[Decimal]] | Iterable[tuple[K, Sequence[Decimal]]],
                      limit: Decimal = SPREAD_LIMIT) -> tuple[K, ...]:
    """Keys (e.g. (entry_id, aspect_id)) whose judges' values differ by more than ``limit``.

    Accepts a mapping key → values or an iterable of (key, values) pairs; keeps input order.
    """
    items = panels.items() if isinstance(panels, Mapping) else panels
    return tuple(key for key, values in items if spread_exceeded(values, limit))
