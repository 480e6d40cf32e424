"""Sheet-level aggregation: a sheet is one judge's marks for one entry, here per module.

Owns: each judge's module subtotal (judgement marks scaled max × v/3, points added,
deductions subtracted), the aggregation of those subtotals across judges with the event's
method, then measurement marks added, the module floored at 0 and rescaled (``scale_to``);
the inferred panel size per module and the flags ``missing_judge:<module>`` and
``incomplete_sheet:<module>`` (a judge has not marked every judged aspect of the module).

Vocabulary: see ``aggregation`` and ``engine``. With ``panel_size`` None the panel is the
most judges seen on one entry's module and a shortfall is only flagged.

Must not: rank, round, or read storage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .aggregation import aggregate
from .rules import AspectPlan, EventRules
from .scheme import JUDGEMENT_MAX, AspectKind, Module, Scheme

_ZERO = Decimal(0)
_MEASUREMENT = AspectKind.MEASUREMENT
_JUDGEMENT = AspectKind.JUDGEMENT
_DEDUCTION = AspectKind.DEDUCTION


def sheet_panels(by_judge: Mapping[tuple[int, int], Mapping[int, Decimal]],
                  plans: Sequence[AspectPlan], known_entries: set[int]) -> dict[str, int]:
    """Sheet level: the most judges seen on one entry's judged aspects, per module."""
    module_of = {p.id: p.module_code for p in plans if p.kind is not _MEASUREMENT}
    judges: dict[tuple[int, str], set[int]] = defaultdict(set)
    for (entry_id, aspect_id), judged in by_judge.items():
        module = module_of.get(aspect_id)
        if module is not None and entry_id in known_entries:
            judges[(entry_id, module)].update(judged)
    panels: dict[str, int] = {}
    for (_entry, module), seen in judges.items():
        panels[module] = max(panels.get(module, 0), len(seen))
    return panels


@dataclass(frozen=True)
class SheetPart:
    module: Module
    judged: tuple[AspectPlan, ...]        # judgement, points, deduction aspects
    measured: tuple[int, ...]              # measurement aspect ids (added after aggregation)
    raw_max: Decimal


def sheet_parts(scheme: Scheme, plans: Sequence[AspectPlan]) -> tuple[SheetPart, ...]:
    return tuple(
        SheetPart(module,
                   tuple(p for p in plans if p.module_code == module.code
                         and p.kind is not _MEASUREMENT),
                   tuple(p.id for p in plans if p.module_code == module.code
                         and p.kind is _MEASUREMENT),
                   scheme.module_max(module.code))
        for module in scheme.modules)


def sheet_modules(entry_id: int, parts: Sequence[SheetPart],
                   by_judge: Mapping[tuple[int, int], Mapping[int, Decimal]],
                   aspect_marks: Mapping[int, Decimal], panels: Mapping[str, int],
                   rules: EventRules, flags: list[str]) -> dict[str, Decimal]:
    """Sheet level: aggregate each judge's module subtotal, add measurements, floor, scale."""
    modules: dict[str, Decimal] = {}
    empty: Mapping[int, Decimal] = {}
    for part in parts:
        module = part.module
        subtotals: dict[int, Decimal] = {}
        counts: dict[int, int] = {}
        for p in part.judged:
            judged = by_judge.get((entry_id, p.id), empty)
            if not judged:
                continue
            kind = p.kind
            for judge_id, v in judged.items():  # inlined _contribution (hot loop)
                if kind is _JUDGEMENT:
                    v = p.max_mark * v / JUDGEMENT_MAX
                elif kind is _DEDUCTION:
                    v = -v
                subtotals[judge_id] = subtotals.get(judge_id, _ZERO) + v
                counts[judge_id] = counts.get(judge_id, 0) + 1
        score = _ZERO
        if subtotals:
            ordered = [subtotals[j] for j in sorted(subtotals)]
            score, missing = aggregate(rules.aggregation, ordered, trim=rules.trim,
                                       multiplier=rules.multiplier, expected=rules.panel_size,
                                       missing_policy=rules.missing_judge)
            seen = panels.get(module.code)
            if missing or (rules.panel_size is None and seen is not None
                           and len(ordered) < seen):
                flags.append(f"missing_judge:{module.code}")
            if any(c < len(part.judged) for c in counts.values()):
                flags.append(f"incomplete_sheet:{module.code}")
        for aspect_id in part.measured:
            score += aspect_marks.get(aspect_id, _ZERO)
        if score < _ZERO:
            score = _ZERO
        if module.scale_to is not None:
            score = score * module.scale_to / part.raw_max
        modules[module.code] = score
    return modules
