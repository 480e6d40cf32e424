"""The board engine: scheme + entries + current marks + rules → one ranked board.

Owns: the entry point ``compute_board`` and its input/output records. It wires the
other domain modules together: aggregation (judges → aspect or sheet marks), totals (module
scores, weighted total), standardisation, ranking, awards. ``compute_panels`` is the same
board from values already grouped as (entry, aspect) → judge → value (what storage reads
straight into, without a ``MarkInput`` per mark). The two halves are public for the
incremental ``LiveBoard`` (``incremental``): ``score_entry`` (one entry's marks → modules,
total, flags, under a ``Setup`` compiled once per scheme × rules) and ``assemble`` (scored
entries → ranked, standardised, awarded board).

Vocabulary:
- ``MarkInput``: the *current* value of one judge for one entry on one aspect (the caller
  has already chosen the latest revision; one mark per judge × entry × aspect). Values are
  not re-checked here (``scheme.check_mark_value`` runs when a mark is written). Marks for
  entries or aspects not passed in are ignored and counted in ``parameters["ignored_marks"]``.
- ranked row: a *competing* entry with at least one mark. A competing entry without marks
  is listed after the ranked rows with total 0, rank None and flag ``no_marks``; an entry
  with ``competing=False`` comes last (its own total, rank None, flag ``not_competing``).
  Both groups are ordered by code.
- ``RankedRow.total`` / ``modules`` are rounded for display (``rules.decimals``,
  ROUND_HALF_UP); ``exact_total`` is the unrounded value ties are compared on (unless
  ``rules.tie_on_rounded``); ``raw_total`` is the weighted total before standardisation;
  ``aspects`` maps aspect code → unrounded panel mark.
- missing judges: with a ``panel_size`` (event or aspect override), fewer values than it
  → the mean of those present (``aggregation``), flagged. With ``panel_size`` None the
  panel is *inferred* as the most judges seen on that aspect (sheet level: module) for any
  entry, and a shortfall is only *flagged*: the value still comes from the method, so one
  entry's marks never change another entry's total.
- flags: ``missing_judge`` plus ``missing_judge:<aspect or module code>`` (see above),
  ``spread_violation:<aspect code>`` (judgement max − min > 1: re-score),
  ``measurement_disagreement:<aspect code>`` (judges entered different measurement values;
  their mean is used), ``incomplete_sheet:<module code>`` (sheet level: a judge has not
  marked every aspect of the module), ``no_marks``, ``not_competing``, ``lot_required``.
- judgement aspects: mark = max × agg(values)/3 (agg = mean gives max × sum/(3·n));
  measurement aspects: the mean of the values entered (one agreed value), never "missing".
- standardisation (when on) is computed over the ranked rows' raw totals and replaces
  their ``total``; parameters are returned in ``BoardResult.parameters``.

An empty scheme (no modules, no aspects: not set up yet) gives every entry unranked with
total 0 and ``parameters["scheme"] == "empty"`` instead of an error; any other invalid scheme
or rules raise ``ValidationFailed`` (codes: see ``scheme`` and ``rules``).

Performance: one pass groups the marks by (entry, aspect) in dicts; a full panel under
mean / trimmed mean is aggregated inline. ~90,000 marks (300 entries × 10 judges × 30
aspects) take roughly 20-35 ms of CPU at aspect level (sheet level ~50-65 ms).

All arithmetic runs in one local Decimal context (28 digits, ROUND_HALF_EVEN); sums run in
scheme order so the board never depends on the order of the marks.

Must not: read storage, know about HTTP or publication (see ``visibility``), use floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from .aggregation import aggregate
from .awards import Standing, assign_medals, assign_prizes, prize_counts
from .ranking import Rankable, rank
from .rules import AspectPlan, AspectRule, EventRules, plan_aspects
from .scheme import JUDGEMENT_MAX, AspectKind, Scheme, validate_scheme
from .sheets import SheetPart, sheet_modules, sheet_panels, sheet_parts
from .standardisation import parameters as standardisation_parameters
from .standardisation import standardise
from .totals import ModulePlan, compile_modules, module_scores, weighted_total

__all__ = ["AspectRule", "BoardResult", "EntryInput", "EventRules", "MarkInput", "RankedRow",
           "compute_board", "compute_panels"]

_ZERO = Decimal(0)
_MEASUREMENT = AspectKind.MEASUREMENT
_JUDGEMENT = AspectKind.JUDGEMENT


@dataclass(frozen=True, slots=True)
class MarkInput:
    entry_id: int
    aspect_id: int
    judge_id: int
    value: Decimal


@dataclass(frozen=True)
class EntryInput:
    id: int
    code: str
    competing: bool = True
    completion_seconds: Decimal | None = None
    lot: int | None = None


@dataclass(frozen=True)
class RankedRow:
    entry_id: int
    code: str
    rank: int | None
    total: Decimal
    modules: Mapping[str, Decimal]
    prize: str | None
    medal: str | None
    decided_by: str | None
    flags: tuple[str, ...]
    marks_in: int
    exact_total: Decimal = _ZERO
    raw_total: Decimal = _ZERO
    aspects: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardResult:
    rows: tuple[RankedRow, ...]
    parameters: Mapping[str, str]


@dataclass
class Scored:
    """One entry scored, before ranking: unrounded modules, aspect marks and raw total."""

    entry: EntryInput
    modules: dict[str, Decimal]
    aspects: dict[str, Decimal]
    raw_total: Decimal
    flags: list[str]
    marks_in: int


def compute_board(scheme: Scheme, entries: Sequence[EntryInput], marks: Iterable[MarkInput],
                  rules: EventRules = EventRules()) -> BoardResult:
    """Compute one board. Raises ``ValidationFailed`` for an invalid scheme or rules.

    An empty scheme (no modules and no aspects: not set up yet) is not an error: every entry
    is listed unranked with total 0 and ``parameters["scheme"] == "empty"``.
    """
    empty = not scheme.modules and not scheme.aspects
    if empty:
        rules.validate()
    else:
        validate_scheme(scheme)
        rules.validate_for(scheme)
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.rounding = ROUND_HALF_EVEN
        if empty:
            return empty_board(entries, rules, sum(1 for _ in marks))
        return _compute(scheme, entries, marks, rules)


def empty_board(entries: Sequence[EntryInput], rules: EventRules, ignored: int) -> BoardResult:
    board = assemble([Scored(e, {}, {}, _ZERO, [], 0) for e in entries], rules, ignored)
    return BoardResult(board.rows, {**board.parameters, "scheme": "empty"})


def _aspect_mark(plan: AspectPlan, values: Sequence[Decimal], expected: int | None,
                 seen: int | None, rules: EventRules, flags: list[str]) -> Decimal:
    if plan.kind is _MEASUREMENT:
        if len(values) > 1 and min(values) != max(values):
            flags.append(f"measurement_disagreement:{plan.code}")
        return sum(values, _ZERO) / len(values)
    value, missing = aggregate(plan.method, values, trim=plan.trim, multiplier=plan.multiplier,
                               expected=expected, missing_policy=rules.missing_judge)
    if missing or (expected is None and seen is not None and len(values) < seen):
        flags.append(f"missing_judge:{plan.code}")
    if plan.kind is _JUDGEMENT:
        if len(values) > 1 and max(values) - min(values) > rules.spread_limit:
            flags.append(f"spread_violation:{plan.code}")
        value = plan.max_mark * value / JUDGEMENT_MAX
    return value


@dataclass(frozen=True)
class Setup:
    """A scheme and rules compiled once per board (valid scheme assumed)."""

    rules: EventRules
    plans: tuple[AspectPlan, ...]
    module_plans: tuple[ModulePlan, ...]
    sheet: bool
    parts: tuple[SheetPart, ...]

    @classmethod
    def build(cls, scheme: Scheme, rules: EventRules) -> Setup:
        plans = plan_aspects(scheme, rules)
        sheet = rules.aggregation_level == "sheet"
        return cls(rules, plans, compile_modules(scheme), sheet,
                   sheet_parts(scheme, plans) if sheet else ())

    def fast(self, inferred: Mapping[int, int]) -> list[_Fast]:
        """Per aspect: (plan, panel threshold, judgement?, fast method: 0 none, 1 mean,
        2 trimmed mean) - a full panel under mean / trimmed mean is aggregated inline with
        the same arithmetic as ``aggregation.mean`` / ``trimmed_mean``."""
        sheet = self.sheet
        return [(plan, (plan.panel_size if plan.panel_size is not None
                        else inferred.get(plan.id, 0)) if not sheet else 0,
                 plan.kind is _JUDGEMENT,
                 0 if plan.kind is _MEASUREMENT else 1 if plan.method in ("mean", "judgement")
                 else 2 if plan.method == "trimmed_mean" else 0)
                for plan in self.plans]


_Fast = tuple[AspectPlan, int, bool, int]
#: (entry id, aspect id) → the current values of the judges present
Groups = Mapping[tuple[int, int], Collection[Decimal]]
#: (entry id, aspect id) → judge id → current value
Panels = Mapping[tuple[int, int], Mapping[int, Decimal]]


def _compute(scheme: Scheme, entries: Sequence[EntryInput], marks: Iterable[MarkInput],
             rules: EventRules) -> BoardResult:
    setup = Setup.build(scheme, rules)
    # -- hot loop: group current values by (entry, aspect) ------------------------------
    by_judge: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    groups: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    if setup.sheet:
        for m in marks:
            by_judge[(m.entry_id, m.aspect_id)][m.judge_id] = m.value
        for key, judged in by_judge.items():
            groups[key] = list(judged.values())
    else:
        for m in marks:
            groups[(m.entry_id, m.aspect_id)].append(m.value)
    return _from_groups(setup, entries, groups, by_judge)


def compute_panels(scheme: Scheme, entries: Sequence[EntryInput], panels: Panels,
                   rules: EventRules = EventRules()) -> BoardResult:
    """``compute_board`` for marks already grouped as (entry, aspect) → judge → value: the
    same board as ``compute_board`` on the corresponding ``MarkInput`` rows, without them."""
    if not scheme.modules and not scheme.aspects:
        rules.validate()
        return empty_board(entries, rules, sum(len(judged) for judged in panels.values()))
    validate_scheme(scheme)
    rules.validate_for(scheme)
    with localcontext() as ctx:
        ctx.prec = 28
        ctx.rounding = ROUND_HALF_EVEN
        groups = {key: judged.values() for key, judged in panels.items()}
        return _from_groups(Setup.build(scheme, rules), entries, groups, panels)


def panel_sizes(setup: Setup, known_entries: set[int], groups: Groups,
                by_judge: Panels) -> tuple[dict[int, int], dict[str, int], int]:
    """The inferred panel per aspect (aspect level) or per module (sheet level) over the
    known entries, and the number of values ignored (unknown entry or aspect)."""
    known_aspects = {p.id for p in setup.plans}
    inferred: dict[int, int] = {}
    ignored = 0
    for (entry_id, aspect_id), present in groups.items():
        if entry_id not in known_entries or aspect_id not in known_aspects:
            ignored += len(present)
        elif len(present) > inferred.get(aspect_id, 0):
            inferred[aspect_id] = len(present)
    seen = sheet_panels(by_judge, setup.plans, known_entries) if setup.sheet else {}
    return inferred, seen, ignored


def _from_groups(setup: Setup, entries: Sequence[EntryInput], groups: Groups,
                 by_judge: Panels) -> BoardResult:
    inferred, panels_seen, ignored = panel_sizes(setup, {e.id for e in entries}, groups,
                                                 by_judge)
    fast = setup.fast(inferred)
    scored = [score_entry(setup, fast, entry, groups, by_judge, panels_seen)
              for entry in entries]
    return assemble(scored, setup.rules, ignored)


def score_entry(setup: Setup, fast: Sequence[_Fast], entry: EntryInput, groups: Groups,
                by_judge: Panels, panels_seen: Mapping[str, int]) -> Scored:
    """One entry's aspect marks, modules, weighted total and flags (before ranking)."""
    rules = setup.rules
    sheet = setup.sheet
    limit = rules.spread_limit
    flags: list[str] = []
    marks_in = 0
    aspect_marks: dict[int, Decimal] = {}
    aspect_view: dict[str, Decimal] = {}
    entry_id = entry.id
    for plan, threshold, judgement, method in fast:
        values = groups.get((entry_id, plan.id))
        if not values:
            continue
        n = len(values)
        marks_in += n
        trim = plan.trim
        if method and n >= threshold and (method == 1 or n > 2 * trim):
            if method == 1:
                value = sum(values, _ZERO) / n
            else:
                kept = sorted(values)[trim:n - trim]
                value = sum(kept, _ZERO) / len(kept)
            if judgement:
                if n > 1 and max(values) - min(values) > limit:
                    flags.append(f"spread_violation:{plan.code}")
                value = plan.max_mark * value / JUDGEMENT_MAX
        elif sheet:  # per-aspect view only; missing judges are judged per module below
            own: list[str] = []
            value = _aspect_mark(plan, list(values), None, None, rules, own)
            flags.extend(f for f in own if not f.startswith("missing_judge:"))
        else:
            value = _aspect_mark(plan, list(values), plan.panel_size,
                                 threshold if plan.panel_size is None else None, rules, flags)
        aspect_marks[plan.id] = value
        aspect_view[plan.code] = value
    if sheet:
        modules = sheet_modules(entry_id, setup.parts, by_judge, aspect_marks,
                                panels_seen, rules, flags)
    else:
        modules = module_scores(setup.module_plans, aspect_marks)
    total = weighted_total(setup.module_plans, modules)
    if any(f.startswith("missing_judge:") for f in flags):
        flags.insert(0, "missing_judge")
    return Scored(entry, modules, aspect_view, total, flags, marks_in)


#: entry id → (the scored record, what else its row depends on, the row): rows reused by
#: ``assemble`` across calls when nothing about them changed (``incremental.LiveBoard``)
RowMemo = dict[int, tuple[Scored, tuple[object, ...], RankedRow]]


def assemble(scored: list[Scored], rules: EventRules, ignored: int,
             memo: RowMemo | None = None) -> BoardResult:
    """Rank, standardise and award scored entries. With ``memo`` (kept by the caller for one
    scheme × rules), a row whose inputs did not change is reused instead of rebuilt."""
    quantum = Decimal(1).scaleb(-rules.decimals)

    def shown(x: Decimal) -> Decimal:
        return x.quantize(quantum, rounding=ROUND_HALF_UP)

    ranked = [s for s in scored if s.entry.competing and s.marks_in > 0]
    params: dict[str, str] = {"entries": str(len(scored)), "ranked": str(len(ranked)),
                              "ignored_marks": str(ignored), "decimals": str(rules.decimals)}
    final_total = {s.entry.id: s.raw_total for s in scored}
    if rules.standardisation is not None:
        std = standardisation_parameters([s.raw_total for s in ranked], rules.standardisation)
        for s in ranked:
            final_total[s.entry.id] = standardise(s.raw_total, std)
        params.update(std.as_strings())

    def compared(x: Decimal) -> Decimal:
        return shown(x) if rules.tie_on_rounded else x

    rounded = rules.tie_on_rounded
    rankables = [Rankable(s.entry.id, s.entry.code, compared(final_total[s.entry.id]),
                          s.entry.completion_seconds,
                          {k: shown(v) for k, v in s.modules.items()} if rounded else s.modules,
                          s.entry.lot)
                 for s in ranked]
    placements = rank(rankables, rules.tie_chain, rules.tie_final)
    by_id = {s.entry.id: s for s in scored}
    compare_total = {r.entry_id: r.total for r in rankables}
    standings = [Standing(p.entry_id, p.rank, compare_total[p.entry_id]) for p in placements]

    base = rules.prizes.base
    n = (len(scored) if base == "registered"
         else sum(1 for s in scored if s.entry.competing) if base == "started"
         else len(ranked))
    prizes = assign_prizes(standings, n, rules.prizes)
    medals = assign_medals(standings, rules.medals) if rules.medals is not None else {}
    params.update({"prize_base": base, "prize_n": str(n),
                   "prize_counts": ",".join(str(c) for c in prize_counts(n, rules.prizes.ratios))})

    def row(s: Scored, place_rank: int | None, decided_by: str | None,
            extra: tuple[str, ...]) -> RankedRow:
        entry_id = s.entry.id
        exact = final_total[entry_id]
        prize, medal = prizes.get(entry_id), medals.get(entry_id)
        depends = (place_rank, decided_by, extra, exact, prize, medal)
        if memo is not None:
            held = memo.get(entry_id)
            if held is not None and held[0] is s and held[1] == depends:
                return held[2]
        made = RankedRow(
            entry_id=entry_id, code=s.entry.code, rank=place_rank, total=shown(exact),
            modules={k: shown(v) for k, v in s.modules.items()}, prize=prize, medal=medal,
            decided_by=decided_by, flags=tuple(s.flags) + extra, marks_in=s.marks_in,
            exact_total=exact, raw_total=s.raw_total, aspects=s.aspects)
        if memo is not None:
            memo[entry_id] = (s, depends, made)
        return made

    rows = [row(by_id[p.entry_id], p.rank, p.decided_by, p.flags) for p in placements]
    waiting = sorted((s for s in scored if s.entry.competing and s.marks_in == 0),
                     key=lambda s: (s.entry.code, s.entry.id))
    rows.extend(row(s, None, None, ("no_marks",)) for s in waiting)
    absent = sorted((s for s in scored if not s.entry.competing),
                    key=lambda s: (s.entry.code, s.entry.id))
    rows.extend(row(s, None, None, ("not_competing",)) for s in absent)
    return BoardResult(rows=tuple(rows), parameters=params)
