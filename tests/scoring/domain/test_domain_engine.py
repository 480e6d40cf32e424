"""compute_board end to end, EventRules round trip, and hypothesis properties."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compete.errors import ValidationFailed
from scoring.domain.awards import MedalRules, PrizeRules
from scoring.domain.engine import (
    BoardResult,
    EntryInput,
    EventRules,
    MarkInput,
    RankedRow,
    compute_board,
)
from scoring.domain.rules import AspectRule
from scoring.domain.scheme import Aspect, AspectKind, Module, Scheme
from scoring.domain.standardisation import StandardisationRules

K = AspectKind


def one_module(*aspects: Aspect) -> Scheme:
    return Scheme((Module("M", "main", D(1)),), tuple(aspects))


def pts(id: int, max_mark: str = "100", module: str = "M", kind: AspectKind = K.POINTS) -> Aspect:
    return Aspect(id, f"A{id}", f"aspect {id}", kind, D(max_mark), module)


def marks(entry: int, aspect: int, *values: str) -> list[MarkInput]:
    return [MarkInput(entry, aspect, j + 1, D(v)) for j, v in enumerate(values)]


def entries(n: int) -> list[EntryInput]:
    return [EntryInput(i, f"E{i:02d}") for i in range(1, n + 1)]


def by_id(board: BoardResult) -> dict[int, RankedRow]:
    return {r.entry_id: r for r in board.rows}


# -- aggregation through the engine ---------------------------------------------------------


@pytest.mark.parametrize(
    "rules, values, expected",
    [
        (EventRules(), ("80", "85", "90"), D("85")),
        (EventRules(aggregation="trimmed_mean", trim=1), ("70", "80", "85", "90", "99"), D("85")),
        (EventRules(aggregation="median"), ("7", "9", "8", "6"), D("7.5")),
        (EventRules(aggregation="diving", trim=2, multiplier=D("3.2")),
         ("6.0", "6.5", "7.0", "7.0", "7.5", "8.0", "9.0"), D("68.80")),
    ],
)
def test_aggregation_methods(rules: EventRules, values: tuple[str, ...], expected: D) -> None:
    board = compute_board(one_module(pts(1)), entries(1), marks(1, 1, *values), rules)
    row = board.rows[0]
    assert row.exact_total == expected
    assert row.marks_in == len(values)
    assert row.flags == ()


def test_per_aspect_override() -> None:
    scheme = one_module(pts(1), pts(2))
    rules = EventRules(aggregation="mean", aspect_rules={"A2": AspectRule(aggregation="median")})
    ms = marks(1, 1, "1", "2", "9") + marks(1, 2, "1", "2", "9")
    row = compute_board(scheme, entries(1), ms, rules).rows[0]
    assert row.aspects == {"A1": D(4), "A2": D(2)}


def test_judgement_formula_and_spread_rule() -> None:
    scheme = one_module(pts(1, "6", kind=K.JUDGEMENT), pts(2, "3", kind=K.JUDGEMENT))
    ms = marks(1, 1, "2", "3", "3") + marks(1, 2, "1", "3", "3")
    row = compute_board(scheme, entries(1), ms).rows[0]
    assert row.aspects["A1"] == D(6) * 8 / 9           # max × sum/(3·n)
    assert row.aspects["A2"] == D(3) * 7 / 9
    assert row.flags == ("spread_violation:A2",)      # max − min = 2 > 1: re-score


def test_missing_judge_uses_mean_of_present_and_flags() -> None:
    rules = EventRules(aggregation="trimmed_mean", trim=1, panel_size=5)
    board = compute_board(one_module(pts(1)), entries(2),
                          marks(1, 1, "70", "80", "85", "90", "99")
                          + marks(2, 1, "80", "90", "70", "60"), rules)
    rows = by_id(board)
    assert rows[1].exact_total == D(85) and rows[1].flags == ()
    assert rows[2].exact_total == D(75)
    assert rows[2].flags == ("missing_judge", "missing_judge:A1")


def test_missing_judge_inferred_from_the_largest_panel_seen() -> None:
    board = compute_board(one_module(pts(1)), entries(2),
                          marks(1, 1, "8", "9", "10") + marks(2, 1, "9", "10"))
    assert by_id(board)[2].flags == ("missing_judge", "missing_judge:A1")
    assert by_id(board)[1].flags == ()


@pytest.mark.parametrize("panel_size, expected", [(None, D(75)), (5, D("77.5"))])
def test_inferred_panel_only_flags_explicit_panel_applies_mean_of_present(
        panel_size: int | None, expected: D) -> None:
    rules = EventRules(aggregation="trimmed_mean", panel_size=panel_size)
    ms = marks(1, 1, "70", "80", "85", "90", "99") + marks(2, 1, "60", "70", "80", "100")
    row = by_id(compute_board(one_module(pts(1)), entries(2), ms, rules))[2]
    assert row.exact_total == expected       # None: trimmed mean of 4 (70+80)/2; 5: mean of 4
    assert "missing_judge:A1" in row.flags


def test_measurement_is_one_agreed_value() -> None:
    scheme = one_module(pts(1, "5", kind=K.MEASUREMENT), pts(2, "5"))
    ms = marks(1, 1, "5") + marks(1, 2, "4", "4", "4") + marks(2, 1, "5", "0") + marks(2, 2, "4", "4", "4")
    rows = by_id(compute_board(scheme, entries(2), ms))
    assert rows[1].exact_total == D(9) and rows[1].flags == ()     # one value is not "missing"
    assert rows[2].flags == ("measurement_disagreement:A1",)


def test_deduction_floors_module_and_stays_in_it() -> None:
    scheme = Scheme((Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
                    (pts(1, module="T"), pts(2, module="P"), pts(3, "50", "P", K.DEDUCTION)))
    ms = marks(1, 1, "80") + marks(1, 2, "10") + marks(1, 3, "30")
    row = compute_board(scheme, entries(1), ms).rows[0]
    assert row.modules == {"T": D("80.00"), "P": D("0.00")}
    assert row.total == D("24.00")


def test_weighted_total_30_70() -> None:
    scheme = Scheme((Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
                    (pts(1, module="T"), pts(2, module="P")))
    row = compute_board(scheme, entries(1), marks(1, 1, "80") + marks(1, 2, "90")).rows[0]
    assert row.total == D("87.00")


def test_sheet_level_aggregates_judges_subtotals() -> None:
    scheme = one_module(pts(1, "10"), pts(2, "10"))
    a = ("9", "8", "6", "7", "9")
    b = ("1", "8", "6", "7", "9")
    ms = marks(1, 1, *a) + marks(1, 2, *b)
    sheet = compute_board(scheme, entries(1), ms,
                          EventRules(aggregation="trimmed_mean", aggregation_level="sheet"))
    per_aspect = compute_board(scheme, entries(1), ms, EventRules(aggregation="trimmed_mean"))
    assert sheet.rows[0].exact_total == D(14)       # sheets 10,16,12,14,18 → mean(16,12,14)
    assert per_aspect.rows[0].exact_total == D(15)  # 8 + 7


def test_sheet_level_missing_and_incomplete() -> None:
    scheme = one_module(pts(1, "10"), pts(2, "10"))
    ms = marks(1, 1, "5", "5", "5") + marks(1, 2, "5", "5", "5") + marks(2, 1, "6", "6") \
        + [MarkInput(2, 2, 1, D(6))]
    rows = by_id(compute_board(scheme, entries(2), ms, EventRules(aggregation_level="sheet")))
    assert rows[2].flags == ("missing_judge", "missing_judge:M", "incomplete_sheet:M")
    trimmed = EventRules(aggregation="trimmed_mean", aggregation_level="sheet", panel_size=3)
    rows = by_id(compute_board(scheme, entries(2), ms, trimmed))
    assert rows[2].flags == ("missing_judge", "missing_judge:M", "incomplete_sheet:M")
    assert rows[2].exact_total == D(9)      # sheets 12 and 6 → mean of those present


def test_display_rounding_is_half_up_and_ties_use_unrounded_values() -> None:
    scheme = one_module(pts(1))
    ms = marks(1, 1, "85.00", "85.01") + marks(2, 1, "85.00", "85.008")
    board = compute_board(scheme, entries(2), ms)
    first, second = board.rows
    assert (first.entry_id, first.total, first.exact_total) == (1, D("85.01"), D("85.005"))
    assert (second.entry_id, second.total, second.rank) == (2, D("85.00"), 2)
    assert second.decided_by == "total"
    rounded = compute_board(scheme, entries(2), marks(1, 1, "85.001") + marks(2, 1, "85.004"),
                            EventRules(tie_on_rounded=True))
    assert [r.rank for r in rounded.rows] == [1, 1]


def test_entries_without_marks_and_not_competing() -> None:
    es = [EntryInput(1, "C"), EntryInput(2, "B"), EntryInput(3, "A"), EntryInput(4, "D"),
          EntryInput(5, "0", competing=False)]
    ms = marks(4, 1, "50") + marks(5, 1, "99")
    board = compute_board(one_module(pts(1)), es, ms)
    assert [(r.code, r.rank, r.total, r.flags) for r in board.rows] == [
        ("D", 1, D("50.00"), ()),
        ("A", None, D("0.00"), ("no_marks",)),
        ("B", None, D("0.00"), ("no_marks",)),
        ("C", None, D("0.00"), ("no_marks",)),
        ("0", None, D("99.00"), ("not_competing",)),
    ]


@pytest.mark.parametrize("base, n", [("registered", 5), ("started", 4), ("finished", 2)])
def test_prize_base(base: str, n: int) -> None:
    es = entries(4) + [EntryInput(5, "E05", competing=False)]
    ms = marks(1, 1, "90") + marks(2, 1, "80")
    board = compute_board(one_module(pts(1)), es, ms,
                          EventRules(prizes=PrizeRules(base=base)))
    assert board.parameters["prize_n"] == str(n)


def test_prizes_on_the_board_n5() -> None:
    ms = [m for i, v in enumerate(("90", "80", "70", "60", "50"), 1) for m in marks(i, 1, v)]
    board = compute_board(one_module(pts(1)), entries(5), ms)
    assert [r.prize for r in board.rows] == ["first", "second", "third", "third", None]
    assert board.parameters["prize_counts"] == "1,1,2"


TIE_SCHEME = Scheme((Module("theory", "theory", D("0.5")), Module("practical", "practical", D("0.5"))),
                    (pts(1, module="theory"), pts(2, module="practical")))


def tie_entries() -> list[EntryInput]:
    return [EntryInput(1, "A", completion_seconds=D(100), lot=2),
            EntryInput(2, "B", completion_seconds=D(90)),
            EntryInput(3, "C", completion_seconds=D(100)),
            EntryInput(4, "D", completion_seconds=D(100), lot=1)]


def tie_marks() -> list[MarkInput]:
    # every total is 80; B is fastest; C has the best practical; A and D are identical
    return (marks(1, 1, "70") + marks(1, 2, "90") + marks(2, 1, "60") + marks(2, 2, "100")
            + marks(3, 1, "60") + marks(3, 2, "100") + marks(4, 1, "70") + marks(4, 2, "90"))


@pytest.mark.parametrize(
    "final, expected",
    [
        ("shared", [("B", 1, None), ("C", 2, "completion_time"), ("A", 3, "module:practical"),
                    ("D", 3, "shared")]),
        ("lots", [("B", 1, None), ("C", 2, "completion_time"), ("D", 3, "module:practical"),
                  ("A", 4, "lots")]),
    ],
)
def test_three_step_tie_chain_on_the_board(final: str, expected: list[tuple[str, int, str]]) -> None:
    rules = EventRules(tie_chain=("total", "completion_time", "module:practical", "module:theory"),
                       tie_final=final)
    board = compute_board(TIE_SCHEME, tie_entries(), tie_marks(), rules)
    assert [(r.code, r.rank, r.decided_by) for r in board.rows] == expected


def test_unknown_module_in_tie_chain() -> None:
    with pytest.raises(ValidationFailed) as info:
        compute_board(TIE_SCHEME, tie_entries(), tie_marks(),
                      EventRules(tie_chain=("total", "module:nope")))
    assert (info.value.code, info.value.field) == ("ranking.unknown_comparator", "tie_chain[1]")


def test_standardisation_on_the_board() -> None:
    vals = ("2", "4", "4", "4", "5", "5", "7", "9")
    ms = [m for i, v in enumerate(vals, 1) for m in marks(i, 1, v)]
    rules = EventRules(standardisation=StandardisationRules(C=D(700), k=D(100)),
                       medals=MedalRules(threshold=D(700), tie_window=D(0)))
    board = compute_board(one_module(pts(1, "10")), entries(8), ms, rules)
    assert [(r.code, r.total) for r in board.rows[:3]] == [
        ("E08", D("900.00")), ("E07", D("800.00")), ("E05", D("700.00"))]
    assert board.rows[0].raw_total == D(9)
    assert board.parameters["standardisation.centre"] == "5"
    assert board.parameters["standardisation.spread"] == "2"
    medals = [r.medal for r in board.rows]
    assert medals == ["gold", "silver", "bronze", "bronze", None, None, None, None]  # E05 = E06


def test_marks_for_unknown_entries_are_ignored_and_counted() -> None:
    board = compute_board(one_module(pts(1)), entries(1), marks(1, 1, "5") + marks(9, 1, "5", "6")
                          + marks(1, 99, "1"))
    assert board.parameters["ignored_marks"] == "3"
    assert board.rows[0].marks_in == 1


# -- EventRules mapping ---------------------------------------------------------------------------

FULL = {
    "aggregation": "trimmed_mean", "aggregation_level": "aspect", "trim": 1, "multiplier": "1",
    "panel_size": 5, "missing_judge": "mean",
    "aspect_rules": {"A1": {"aggregation": "median", "panel_size": 3}},
    "spread_limit": "1", "decimals": 3, "tie_on_rounded": False,
    "standardisation": {"centre": "median", "spread": "mad", "C": "700", "k": "100"},
    "tie_chain": ["total", "completion_time", "module:P"], "tie_final": "lots",
    "prizes": {"ratios": ["0.1", "0.2", "0.3"], "base": "finished", "min_score": "60",
               "tie_at_cut": "tiebreak"},
    "medals": {"threshold": "700", "tie_window": "1", "medallion": True},
}


def test_rules_round_trip() -> None:
    rules = EventRules.from_mapping(FULL)
    assert rules.aspect_rules["A1"] == AspectRule(aggregation="median", panel_size=3)
    assert rules.prizes.min_score == D(60)
    assert EventRules.from_mapping(rules.to_mapping()) == rules
    assert rules.to_mapping() == FULL
    assert EventRules.from_mapping({}) == EventRules()
    assert EventRules.from_mapping(EventRules().to_mapping()) == EventRules()


def test_final_rule_may_end_the_chain() -> None:
    rules = EventRules.from_mapping({"tie_chain": ["total", "completion_time", "lots"]})
    assert (rules.tie_chain, rules.tie_final) == (("total", "completion_time"), "lots")


@pytest.mark.parametrize(
    "data, code, field",
    [
        ({"bogus": 1}, "rules.unknown_field", "bogus"),
        ({"aggregation": "average"}, "rules.bad_choice", "aggregation"),
        ({"multiplier": 1.5}, "rules.not_a_decimal", "multiplier"),
        ({"multiplier": "abc"}, "rules.not_a_decimal", "multiplier"),
        ({"trim": "1"}, "rules.not_an_integer", "trim"),
        ({"trim": -1}, "rules.out_of_range", "trim"),
        ({"decimals": True}, "rules.not_an_integer", "decimals"),
        ({"prizes": {"ratios": ["0.1", "x", "0.3"]}}, "rules.not_a_decimal", "prizes.ratios[1]"),
        ({"prizes": {"ratios": ["0.1", "0.2"]}}, "awards.bad_ratio", "prizes.ratios"),
        ({"prizes": {"ratios": ["0.5", "0.5", "0.3"]}}, "awards.bad_ratio", "prizes.ratios"),
        ({"prizes": {"base": "everyone"}}, "awards.bad_base", "prizes.base"),
        ({"prizes": {"tie_at_cut": "coin"}}, "awards.bad_tie_policy", "prizes.tie_at_cut"),
        ({"prizes": {"extra": 1}}, "rules.unknown_field", "prizes.extra"),
        ({"standardisation": {"spread": "iqr"}}, "standardisation.bad_spread",
         "standardisation.spread"),
        ({"standardisation": {"k": "0"}}, "standardisation.bad_scale", "standardisation.k"),
        ({"tie_chain": ["total", "speed"]}, "ranking.unknown_comparator", "tie_chain[1]"),
        ({"tie_chain": "total"}, "rules.not_a_list", "tie_chain"),
        ({"aspect_rules": {"A1": {"trim": 0.5}}}, "rules.not_an_integer", "aspect_rules.A1.trim"),
        ({"aspect_rules": {"A1": {"agg": "x"}}}, "rules.unknown_field", "aspect_rules.A1.agg"),
        ({"medals": {"tie_window": "-1"}}, "rules.out_of_range", "medals.tie_window"),
        ({"medals": "yes"}, "rules.not_a_mapping", "medals"),
        ({"aggregation_level": "sheet", "aspect_rules": {"A1": {"trim": 1}}},
         "rules.aspect_rules_need_aspect_level", "aspect_rules"),
    ],
)
def test_rules_validation_names_the_field(data: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        EventRules.from_mapping(data)
    assert (info.value.code, info.value.field) == (code, field)


def test_rules_unknown_aspect_is_caught_against_the_scheme() -> None:
    rules = EventRules(aspect_rules={"ZZ": AspectRule(trim=0)})
    with pytest.raises(ValidationFailed) as info:
        compute_board(one_module(pts(1)), entries(1), [], rules)
    assert (info.value.code, info.value.field) == ("rules.unknown_aspect", "aspect_rules.ZZ")


# -- properties -------------------------------------------------------------------------------------

PROP_SCHEME = Scheme(
    (Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
    (pts(1, "10", "T"), pts(2, "6", "P", K.JUDGEMENT), pts(3, "20", "P"),
     pts(4, "5", "P", K.DEDUCTION), pts(5, "4", "T", K.MEASUREMENT)),
)
MAXES = {1: 10, 2: 3, 3: 20, 4: 5, 5: 4}
PROP_RULES = [
    EventRules(),
    EventRules(aggregation="trimmed_mean", trim=1),
    EventRules(aggregation="median", panel_size=4),
    EventRules(aggregation="diving", trim=1, multiplier=D("1.5")),
    EventRules(aggregation="trimmed_mean", aggregation_level="sheet"),
    EventRules(tie_chain=("total", "completion_time", "module:P"), tie_final="lots"),
]
PROP_ENTRIES = [EntryInput(i, f"E{i}", completion_seconds=D(100 + i % 3), lot=i)
                for i in range(1, 7)]


@st.composite
def mark_sets(draw: st.DrawFn) -> list[MarkInput]:
    out = []
    for entry in range(1, 7):
        for aspect_id, top in MAXES.items():
            judges = 1 if aspect_id == 5 else draw(st.integers(0, 4))
            for judge in range(1, judges + 1):
                if aspect_id == 5:
                    value = D(draw(st.sampled_from([0, 4])))
                elif aspect_id == 3:
                    value = D(draw(st.integers(0, 40))) / 2
                else:
                    value = D(draw(st.integers(0, top)))
                out.append(MarkInput(entry, aspect_id, judge, value))
    return out


@settings(max_examples=60, deadline=None)
@given(ms=mark_sets(), rules=st.sampled_from(PROP_RULES), seed=st.integers(0, 10_000))
def test_order_of_marks_never_changes_the_board(ms: list[MarkInput], rules: EventRules,
                                                seed: int) -> None:
    shuffled = list(ms)
    random.Random(seed).shuffle(shuffled)
    assert compute_board(PROP_SCHEME, PROP_ENTRIES, ms, rules) == \
        compute_board(PROP_SCHEME, PROP_ENTRIES, shuffled, rules)


@settings(max_examples=80, deadline=None)
@given(ms=mark_sets(), rules=st.sampled_from(PROP_RULES), pick=st.integers(0, 10_000),
       bump=st.integers(1, 20))
def test_raising_a_mark_never_lowers_rank_nor_moves_others(ms: list[MarkInput], rules: EventRules,
                                                           pick: int, bump: int) -> None:
    raisable = [i for i, m in enumerate(ms)
                if m.aspect_id in (1, 2, 3) and m.value < MAXES[m.aspect_id]]
    if not raisable:
        return
    i = raisable[pick % len(raisable)]
    m = ms[i]
    step = D(bump) / 2 if m.aspect_id == 3 else D(1)
    new_value = min(m.value + step, D(MAXES[m.aspect_id]))
    raised = list(ms)
    raised[i] = MarkInput(m.entry_id, m.aspect_id, m.judge_id, new_value)
    before = by_id(compute_board(PROP_SCHEME, PROP_ENTRIES, ms, rules))
    after = by_id(compute_board(PROP_SCHEME, PROP_ENTRIES, raised, rules))
    old, new = before[m.entry_id], after[m.entry_id]
    assert new.exact_total >= old.exact_total
    assert old.rank is not None and new.rank is not None and new.rank <= old.rank
    for entry_id, row in before.items():
        if entry_id != m.entry_id:
            assert after[entry_id].exact_total == row.exact_total
            assert after[entry_id].modules == row.modules


@settings(max_examples=60, deadline=None)
@given(ms=mark_sets(), rules=st.sampled_from(PROP_RULES), entry=st.integers(1, 6),
       aspect=st.sampled_from([1, 2, 3, 4]), value=st.integers(0, 3))
def test_adding_a_mark_never_changes_other_entries_totals(
        ms: list[MarkInput], rules: EventRules, entry: int, aspect: int, value: int) -> None:
    added = ms + [MarkInput(entry, aspect, 99, D(value))]        # a new judge's mark
    before = by_id(compute_board(PROP_SCHEME, PROP_ENTRIES, ms, rules))
    after = by_id(compute_board(PROP_SCHEME, PROP_ENTRIES, added, rules))
    for entry_id, row in before.items():
        if entry_id != entry:
            assert after[entry_id].exact_total == row.exact_total


@settings(max_examples=40, deadline=None)
@given(ms=mark_sets(), rules=st.sampled_from(PROP_RULES), seed=st.integers(0, 10_000))
def test_board_is_invariant_to_entry_order(ms: list[MarkInput], rules: EventRules,
                                           seed: int) -> None:
    shuffled = list(PROP_ENTRIES)
    random.Random(seed).shuffle(shuffled)
    assert compute_board(PROP_SCHEME, PROP_ENTRIES, ms, rules) == \
        compute_board(PROP_SCHEME, shuffled, ms, rules)


def test_an_empty_scheme_lists_everyone_unranked() -> None:
    board = compute_board(Scheme((), ()), entries(2), marks(1, 1, "5"))
    assert [(r.code, r.rank, r.total, r.flags) for r in board.rows] == [
        ("E01", None, D("0.00"), ("no_marks",)), ("E02", None, D("0.00"), ("no_marks",))]
    assert board.parameters["scheme"] == "empty" and board.parameters["ignored_marks"] == "1"
