"""Judge quality (评分一致性): how each judge's marks sit against their panel.

Owns: per-mark deviation from the panel median, per-judge bias, spread and outlier count,
the flags shown live to the chief judge, and home bias once identities are decrypted.

Vocabulary:
- *panel*: the judges' current values for one entry × aspect (at least ``min_panel``).
- *deviation*: value − panel median; *normalised*: deviation / the aspect's range (3 for a
  judgement aspect, else ``max_mark``), so aspects of different sizes compare. Measurement
  aspects (objective) are left out.
- *outlier*: |normalised| > ``outlier`` (default 0.34: more than one step of 0–3).
- *bias*: mean normalised deviation of a judge (+ = generous, − = severe); *spread*: the
  population standard deviation of their normalised deviations (erratic when large).
- judge flags: ``bias_high``, ``bias_low``, ``erratic`` (only with ≥ ``min_marks`` scored
  deviations) and ``outliers`` (at least one outlier mark).
- *disagreement*: a judgement aspect of one entry whose judges differ by more than the
  spread limit (max − min > 1): the panel must re-score (``judgement_disagreements``).
- *home bias*: a judge's mean normalised deviation on entries from their own home
  (institution or province key) minus that on other entries; None when either side is empty.

Must not: change marks, decide re-scores (see ``aggregation.spread_violations``), or know
identities before decryption (the caller passes home keys only then).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .aggregation import SPREAD_LIMIT, median, spread_exceeded
from .engine import MarkInput
from .scheme import JUDGEMENT_MAX, Aspect, AspectKind

_ZERO = Decimal(0)


@dataclass(frozen=True)
class ConsistencyRules:
    outlier: Decimal = Decimal("0.34")
    bias: Decimal = Decimal("0.1")
    spread: Decimal = Decimal("0.2")
    min_marks: int = 5
    min_panel: int = 2


@dataclass(frozen=True)
class MarkDeviation:
    entry_id: int
    aspect_id: int
    judge_id: int
    value: Decimal
    median: Decimal
    deviation: Decimal
    normalised: Decimal
    outlier: bool


@dataclass(frozen=True)
class JudgeStats:
    judge_id: int
    marks: int
    bias: Decimal
    spread: Decimal
    mean_abs: Decimal
    outliers: int
    flags: tuple[str, ...]


def deviations(marks: Iterable[MarkInput], aspects: Iterable[Aspect],
               rules: ConsistencyRules = ConsistencyRules()) -> tuple[MarkDeviation, ...]:
    """Every judged mark's deviation from its panel median (scheme order is not needed)."""
    ranges = {a.id: (JUDGEMENT_MAX if a.kind is AspectKind.JUDGEMENT else a.max_mark)
              for a in aspects if a.kind is not AspectKind.MEASUREMENT}
    panels: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for m in marks:
        if m.aspect_id in ranges:
            panels[(m.entry_id, m.aspect_id)][m.judge_id] = m.value
    out: list[MarkDeviation] = []
    with localcontext() as ctx:
        ctx.prec = 28
        for (entry_id, aspect_id), judged in sorted(panels.items()):
            if len(judged) < rules.min_panel:
                continue
            mid = median(list(judged.values()))
            scale = ranges[aspect_id]
            for judge_id in sorted(judged):
                value = judged[judge_id]
                dev = value - mid
                norm = dev / scale
                out.append(MarkDeviation(entry_id, aspect_id, judge_id, value, mid, dev, norm,
                                         abs(norm) > rules.outlier))
    return tuple(out)


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, _ZERO) / len(values) if values else _ZERO


def judge_consistency(marks: Iterable[MarkInput], aspects: Iterable[Aspect],
                      rules: ConsistencyRules = ConsistencyRules()) -> tuple[JudgeStats, ...]:
    """Per-judge bias, spread and outliers, ordered by judge id."""
    devs = deviations(marks, aspects, rules)
    by_judge: dict[int, list[MarkDeviation]] = defaultdict(list)
    for d in devs:
        by_judge[d.judge_id].append(d)
    out: list[JudgeStats] = []
    with localcontext() as ctx:
        ctx.prec = 28
        for judge_id in sorted(by_judge):
            items = by_judge[judge_id]
            norms = [d.normalised for d in items]
            bias = _mean(norms)
            spread = _mean([(x - bias) * (x - bias) for x in norms]).sqrt()
            mean_abs = _mean([abs(x) for x in norms])
            outliers = sum(1 for d in items if d.outlier)
            flags: list[str] = []
            if len(items) >= rules.min_marks:
                if bias > rules.bias:
                    flags.append("bias_high")
                elif bias < -rules.bias:
                    flags.append("bias_low")
                if spread > rules.spread:
                    flags.append("erratic")
            if outliers:
                flags.append("outliers")
            out.append(JudgeStats(judge_id, len(items), bias, spread, mean_abs, outliers,
                                  tuple(flags)))
    return tuple(out)


def home_bias(devs: Iterable[MarkDeviation], judge_home: Mapping[int, str],
              entry_home: Mapping[int, str]) -> dict[int, Decimal | None]:
    """Per judge: mean normalised deviation on home entries − on other entries."""
    home: dict[int, list[Decimal]] = defaultdict(list)
    away: dict[int, list[Decimal]] = defaultdict(list)
    judges: set[int] = set()
    for d in devs:
        mine = judge_home.get(d.judge_id)
        if mine is None or d.entry_id not in entry_home:
            continue
        judges.add(d.judge_id)
        (home if entry_home[d.entry_id] == mine else away)[d.judge_id].append(d.normalised)
    with localcontext() as ctx:
        ctx.prec = 28
        return {j: (_mean(home[j]) - _mean(away[j]) if home[j] and away[j] else None)
                for j in sorted(judges)}


@dataclass(frozen=True)
class Disagreement:
    entry_id: int
    aspect_id: int
    values: Mapping[int, Decimal]      # judge id → value


def judgement_disagreements(marks: Iterable[MarkInput], aspects: Iterable[Aspect],
                            limit: Decimal = SPREAD_LIMIT) -> tuple[Disagreement, ...]:
    """Entry × judgement aspect panels breaking the spread rule, ordered by (entry, aspect)."""
    judged = {a.id for a in aspects if a.kind is AspectKind.JUDGEMENT}
    panels: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for m in marks:
        if m.aspect_id in judged:
            panels[(m.entry_id, m.aspect_id)][m.judge_id] = m.value
    return tuple(Disagreement(entry_id, aspect_id, dict(sorted(values.items())))
                 for (entry_id, aspect_id), values in sorted(panels.items())
                 if spread_exceeded(list(values.values()), limit))
