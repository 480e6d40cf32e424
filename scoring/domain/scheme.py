"""Marking scheme (评分标准): modules, aspects and the values a judge may enter.

Owns: the shape of a marking scheme (criterion/module 模块 → optional sub-criterion →
aspect 评分项), the validation of a whole scheme, and the check of one mark value
against its aspect.

Vocabulary:
- *module*: a criterion with a weight (a fraction, ``Decimal("0.3")``); the weights of a
  scheme sum to exactly 1. ``scale_to`` (optional) rescales the module's raw score to
  that many points (raw / raw maximum × scale_to) before weighting.
- *aspect*: one thing judged, of one *kind*:
  measurement (objective: 0 or max, or a part mark from a tolerance table; one agreed
  value per entry), judgement (each judge gives an integer 0..3; the panel mark is
  max × sum/(3·n)), points (0..max, aggregated over judges), deduction (a penalty
  amount 0..max, subtracted inside its module, module floored at 0).
- *sub_criterion*: a free label grouping aspects inside a module (display only).
- *tolerance band*: (within, mark) - a measured deviation ``<= within`` earns ``mark``.
- *step*: when set, a points/deduction value must be a whole multiple of it.

Error codes (all ``ValidationFailed``):
  scheme.no_modules, scheme.duplicate_module, scheme.bad_weight, scheme.total_mismatch,
  scheme.bad_scale, scheme.duplicate_aspect_id, scheme.duplicate_aspect_code,
  scheme.unknown_module, scheme.bad_max_mark, scheme.bad_step, scheme.bad_tolerance,
  scheme.empty_module,
  mark.not_a_number, mark.out_of_range, mark.not_a_judgement_step,
  mark.not_a_measurement_value, mark.not_a_step.

Must not: aggregate, rank or know about judges, storage or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from compete.errors import ValidationFailed

JUDGEMENT_MAX = Decimal(3)
"""A judgement mark is an integer 0..JUDGEMENT_MAX given by each judge."""

_ZERO = Decimal(0)
_ONE = Decimal(1)


class AspectKind(StrEnum):
    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"
    POINTS = "points"
    DEDUCTION = "deduction"


@dataclass(frozen=True)
class ToleranceBand:
    """A measured deviation of at most ``within`` earns ``mark`` (measurement aspects)."""

    within: Decimal
    mark: Decimal


@dataclass(frozen=True)
class Aspect:
    id: int
    code: str
    name: str
    kind: AspectKind
    max_mark: Decimal
    module_code: str
    sub_criterion: str = ""
    tolerance: tuple[ToleranceBand, ...] = ()
    step: Decimal | None = None


@dataclass(frozen=True)
class Module:
    code: str
    name: str
    weight: Decimal
    scale_to: Decimal | None = None


@dataclass(frozen=True)
class Scheme:
    modules: tuple[Module, ...]
    aspects: tuple[Aspect, ...]

    def module_max(self, module_code: str) -> Decimal:
        """Raw maximum of a module: the sum of its non-deduction aspects' maxima."""
        return sum(
            (a.max_mark for a in self.aspects
             if a.module_code == module_code and a.kind is not AspectKind.DEDUCTION),
            _ZERO,
        )


def _is_finite(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def validate_scheme(scheme: Scheme) -> None:
    """Raise ``ValidationFailed`` (field names the culprit) unless the scheme is usable."""
    if not scheme.modules:
        raise ValidationFailed("scheme.no_modules", field="modules")
    seen_modules: set[str] = set()
    weight_sum = _ZERO
    for i, module in enumerate(scheme.modules):
        if module.code in seen_modules:
            raise ValidationFailed("scheme.duplicate_module", field=f"modules[{i}].code",
                                   module=module.code)
        seen_modules.add(module.code)
        if not _is_finite(module.weight) or module.weight <= _ZERO or module.weight > _ONE:
            raise ValidationFailed("scheme.bad_weight", field=f"modules[{i}].weight",
                                   min="0", max="1")
        if module.scale_to is not None and (
            not _is_finite(module.scale_to) or module.scale_to <= _ZERO
        ):
            raise ValidationFailed("scheme.bad_scale", field=f"modules[{i}].scale_to")
        weight_sum += module.weight
    if weight_sum != _ONE:
        raise ValidationFailed("scheme.total_mismatch", field="modules",
                               total=str(weight_sum), expected="1")

    seen_ids: set[int] = set()
    seen_codes: set[str] = set()
    used_modules: set[str] = set()
    for i, aspect in enumerate(scheme.aspects):
        where = f"aspects[{i}]"
        if aspect.id in seen_ids:
            raise ValidationFailed("scheme.duplicate_aspect_id", field=f"{where}.id", id=aspect.id)
        if aspect.code in seen_codes:
            raise ValidationFailed("scheme.duplicate_aspect_code", field=f"{where}.code",
                                   aspect=aspect.code)
        seen_ids.add(aspect.id)
        seen_codes.add(aspect.code)
        if aspect.module_code not in seen_modules:
            raise ValidationFailed("scheme.unknown_module", field=f"{where}.module_code",
                                   module=aspect.module_code)
        if not _is_finite(aspect.max_mark) or aspect.max_mark <= _ZERO:
            raise ValidationFailed("scheme.bad_max_mark", field=f"{where}.max_mark")
        if aspect.step is not None and (
            not _is_finite(aspect.step) or aspect.step <= _ZERO
            or aspect.kind in (AspectKind.JUDGEMENT, AspectKind.MEASUREMENT)
        ):
            raise ValidationFailed("scheme.bad_step", field=f"{where}.step")
        if aspect.tolerance:
            if aspect.kind is not AspectKind.MEASUREMENT:
                raise ValidationFailed("scheme.bad_tolerance", field=f"{where}.tolerance")
            for j, band in enumerate(aspect.tolerance):
                if (not _is_finite(band.within) or band.within < _ZERO
                        or not _is_finite(band.mark)
                        or not _ZERO <= band.mark <= aspect.max_mark):
                    raise ValidationFailed("scheme.bad_tolerance",
                                           field=f"{where}.tolerance[{j}]")
        if aspect.kind is not AspectKind.DEDUCTION:
            used_modules.add(aspect.module_code)
    for i, module in enumerate(scheme.modules):
        if module.code not in used_modules:
            raise ValidationFailed("scheme.empty_module", field=f"modules[{i}]", module=module.code)


def measurement_values(aspect: Aspect) -> frozenset[Decimal]:
    """The values a measurement aspect accepts: 0, max, and every tolerance-band mark."""
    return frozenset({_ZERO, aspect.max_mark, *(b.mark for b in aspect.tolerance)})


def tolerance_mark(aspect: Aspect, deviation: Decimal) -> Decimal:
    """Mark earned by a measured ``deviation`` (absolute value used): best band it fits, else 0.

    With no tolerance table, a deviation of 0 earns the maximum and anything else 0.
    """
    dev = abs(deviation)
    if not aspect.tolerance:
        return aspect.max_mark if dev == _ZERO else _ZERO
    fitting = [b.mark for b in aspect.tolerance if dev <= b.within]
    return max(fitting) if fitting else _ZERO


def check_mark_value(aspect: Aspect, value: Decimal) -> None:
    """Raise ``ValidationFailed`` (field ``value``) unless one judge may enter ``value``."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed("mark.not_a_number", field="value")
    kind = aspect.kind
    top = JUDGEMENT_MAX if kind is AspectKind.JUDGEMENT else aspect.max_mark
    if value < _ZERO or value > top:
        raise ValidationFailed("mark.out_of_range", field="value", min="0", max=str(top))
    if kind is AspectKind.JUDGEMENT:
        if value != value.to_integral_value():
            raise ValidationFailed("mark.not_a_judgement_step", field="value",
                                   allowed="0,1,2,3")
    elif kind is AspectKind.MEASUREMENT:
        allowed = measurement_values(aspect)
        if value not in allowed:
            raise ValidationFailed("mark.not_a_measurement_value", field="value",
                                   allowed=",".join(str(v) for v in sorted(allowed)))
    elif aspect.step is not None and value % aspect.step != _ZERO:
        raise ValidationFailed("mark.not_a_step", field="value", step=str(aspect.step))
