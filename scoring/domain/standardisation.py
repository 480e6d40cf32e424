"""Standardisation of a board's scores (optional, per division): S = C + k·(x − centre)/spread.

Owns: the centre (``mean`` or ``median``), the spread (``sd`` = population standard
deviation, or ``mad`` = 1.4826 × median absolute deviation from the median), the transform
and the parameters that are stored with the results.

Vocabulary: *C* the scale's centre (WorldSkills boards use 700), *k* points per spread unit,
*population* the values the parameters are computed from (the engine passes the totals of
ranked entries). Spread 0 (everyone equal, or a single entry) → everyone gets C.

Error codes: standardisation.bad_centre, standardisation.bad_spread,
standardisation.bad_scale (``ValidationFailed``).

Must not: rank, round for display, or use floats (square roots use ``Decimal.sqrt``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compete.errors import ValidationFailed

from .aggregation import median

CENTRES: tuple[str, ...] = ("mean", "median")
SPREADS: tuple[str, ...] = ("sd", "mad")
MAD_FACTOR = Decimal("1.4826")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class StandardisationRules:
    centre: str = "mean"
    spread: str = "sd"
    C: Decimal = Decimal(700)
    k: Decimal = Decimal(100)

    def validate(self) -> None:
        if self.centre not in CENTRES:
            raise ValidationFailed("standardisation.bad_centre", field="standardisation.centre",
                                   allowed=",".join(CENTRES))
        if self.spread not in SPREADS:
            raise ValidationFailed("standardisation.bad_spread", field="standardisation.spread",
                                   allowed=",".join(SPREADS))
        for name in ("C", "k"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or (
                    name == "k" and value <= 0):
                raise ValidationFailed("standardisation.bad_scale",
                                       field=f"standardisation.{name}")


@dataclass(frozen=True)
class Parameters:
    centre: Decimal
    spread: Decimal
    n: int
    rules: StandardisationRules

    def as_strings(self, prefix: str = "standardisation.") -> dict[str, str]:
        return {
            f"{prefix}centre_method": self.rules.centre,
            f"{prefix}spread_method": self.rules.spread,
            f"{prefix}C": str(self.rules.C),
            f"{prefix}k": str(self.rules.k),
            f"{prefix}centre": str(self.centre),
            f"{prefix}spread": str(self.spread),
            f"{prefix}n": str(self.n),
        }


def centre_of(values: Sequence[Decimal], method: str) -> Decimal:
    if not values:
        return _ZERO
    if method == "median":
        return median(values)
    return sum(sorted(values), _ZERO) / len(values)


def spread_of(values: Sequence[Decimal], method: str) -> Decimal:
    """Population SD (``sd``) or 1.4826·MAD (``mad``); 0 for fewer than two values."""
    if len(values) < 2:
        return _ZERO
    if method == "mad":
        mid = median(values)
        return MAD_FACTOR * median([abs(v - mid) for v in values])
    mu = sum(sorted(values), _ZERO) / len(values)
    variance = sum(sorted((v - mu) * (v - mu) for v in values), _ZERO) / len(values)
    return variance.sqrt()


def parameters(values: Sequence[Decimal], rules: StandardisationRules) -> Parameters:
    """Centre and spread of the population ``values`` under ``rules``."""
    return Parameters(centre_of(values, rules.centre), spread_of(values, rules.spread),
                      len(values), rules)


def standardise(x: Decimal, params: Parameters) -> Decimal:
    if params.spread == _ZERO:
        return params.rules.C
    return params.rules.C + params.rules.k * (x - params.centre) / params.spread


def standardise_all(values: Mapping[int, Decimal], rules: StandardisationRules
                    ) -> tuple[dict[int, Decimal], Parameters]:
    """Standardise every value of ``values`` (key → x) against their own population."""
    params = parameters(list(values.values()), rules)
    return {key: standardise(x, params) for key, x in values.items()}, params
