"""Module scores and the weighted total of one entry.

Owns: module score = Σ marks of its measurement/judgement/points aspects − Σ its deduction
marks, floored at 0 (a deduction never reaches into another module), optionally rescaled
to ``Module.scale_to`` points; total = Σ weightₘ × moduleₘ (e.g. theory 0.3 + practical 0.7).

Vocabulary: *aspect marks* are already aggregated panel marks (see ``aggregation``), keyed by
aspect id; an aspect without a mark contributes 0. A *module plan* is the scheme compiled
once per board so that each entry costs one pass over the aspects.

Must not: aggregate judges, rank, round for display, or read storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .scheme import AspectKind, Scheme

_ZERO = Decimal(0)


@dataclass(frozen=True)
class ModulePlan:
    code: str
    weight: Decimal
    add: tuple[int, ...]          # aspect ids whose marks are added
    subtract: tuple[int, ...]     # deduction aspect ids
    factor: Decimal | None        # scale_to / raw maximum, or None for raw points


def compile_modules(scheme: Scheme) -> tuple[ModulePlan, ...]:
    """Compile the scheme (assumed valid) into per-module plans, in scheme order."""
    plans: list[ModulePlan] = []
    for module in scheme.modules:
        add = tuple(a.id for a in scheme.aspects
                    if a.module_code == module.code and a.kind is not AspectKind.DEDUCTION)
        sub = tuple(a.id for a in scheme.aspects
                    if a.module_code == module.code and a.kind is AspectKind.DEDUCTION)
        factor = None
        if module.scale_to is not None:
            raw_max = scheme.module_max(module.code)
            factor = module.scale_to / raw_max if raw_max else None
        plans.append(ModulePlan(module.code, module.weight, add, sub, factor))
    return tuple(plans)


def module_score(plan: ModulePlan, aspect_marks: Mapping[int, Decimal]) -> Decimal:
    """One module: added marks − deductions, floored at 0, then scaled if the plan says so."""
    get = aspect_marks.get
    score = _ZERO
    for aspect_id in plan.add:
        score += get(aspect_id, _ZERO)
    for aspect_id in plan.subtract:
        score -= get(aspect_id, _ZERO)
    if score < _ZERO:
        score = _ZERO
    if plan.factor is not None:
        score *= plan.factor
    return score


def module_scores(plans: tuple[ModulePlan, ...],
                  aspect_marks: Mapping[int, Decimal]) -> dict[str, Decimal]:
    return {plan.code: module_score(plan, aspect_marks) for plan in plans}


def weighted_total(plans: tuple[ModulePlan, ...], modules: Mapping[str, Decimal]) -> Decimal:
    """Σ weightₘ × moduleₘ, summed in scheme order (deterministic rounding)."""
    total = _ZERO
    for plan in plans:
        total += plan.weight * modules.get(plan.code, _ZERO)
    return total
