"""Ranking, tie chains, prizes by ratio, medals, standardisation and module totals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compete.errors import ValidationFailed
from scoring.domain.awards import (
    MedalRules,
    PrizeRules,
    Standing,
    assign_medals,
    assign_prizes,
    outstanding_coach_entries,
    prize_counts,
)
from scoring.domain.ranking import Rankable, check_chain, rank
from scoring.domain.scheme import Aspect, AspectKind, Module, Scheme
from scoring.domain.standardisation import StandardisationRules, standardise_all
from scoring.domain.totals import compile_modules, module_scores, weighted_total

# -- prizes by ratio ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, counts",
    [
        (5, (1, 1, 2)),     # 0.5 → 1 (Python's round() would give 0), 1.0 → 1, 1.5 → 2
        (15, (2, 3, 5)),    # 1.5 → 2, 3.0 → 3, 4.5 → 5
        (10, (1, 2, 3)),
        (25, (3, 5, 8)),    # 2.5 → 3, 7.5 → 8
        (35, (4, 7, 11)),   # 3.5 → 4, 10.5 → 11
        (4, (0, 1, 1)),
        (1, (0, 0, 0)),
        (0, (0, 0, 0)),
    ],
)
def test_prize_counts_round_half_up(n: int, counts: tuple[int, int, int]) -> None:
    assert prize_counts(n) == counts


def test_prize_counts_custom_ratios() -> None:
    assert prize_counts(15, ("0.15", "0.25", "0.35")) == (2, 4, 5)  # 2.25, 3.75, 5.25


def standings(*totals: str, ranks: list[int] | None = None) -> list[Standing]:
    rs = ranks or list(range(1, len(totals) + 1))
    return [Standing(i + 1, r, D(t)) for i, (t, r) in enumerate(zip(totals, rs))]


TEN = ("95", "90", "85", "80", "75", "70", "65", "60", "55", "50")


@pytest.mark.parametrize(
    "rows, n, rules, expected",
    [
        # N=10 → 1/2/3 in rank order
        (standings(*TEN), 10, PrizeRules(),
         {1: "first", 2: "second", 3: "second", 4: "third", 5: "third", 6: "third"}),
        # N=5 gives exactly one first prize
        (standings("9", "8", "7", "6", "5"), 5, PrizeRules(),
         {1: "first", 2: "second", 3: "third", 4: "third"}),
        # minimum score: nobody below 82 gets a prize, slots are not passed down
        (standings(*TEN), 10, PrizeRules(min_score=D("82")),
         {1: "first", 2: "second", 3: "second"}),
        # tie across the first cut: rows 1 and 2 tied on total, separated by the tie chain
        (standings("95", "95", "90", "88", "85", "80", "80", "70", "60", "50"), 10,
         PrizeRules(tie_at_cut="higher"),
         {1: "first", 2: "first", 3: "second", 4: "third", 5: "third", 6: "third", 7: "third"}),
        (standings("95", "95", "90", "88", "85", "80", "80", "70", "60", "50"), 10,
         PrizeRules(tie_at_cut="tiebreak"),
         {1: "first", 2: "second", 3: "second", 4: "third", 5: "third", 6: "third"}),
        # a shared rank across a cut shares the prize under either policy
        (standings("95", "95", "90", "80", "70", "60", "50", "40", "30", "20",
                   ranks=[1, 1, 3, 4, 5, 6, 7, 8, 9, 10]), 10, PrizeRules(tie_at_cut="tiebreak"),
         {1: "first", 2: "first", 3: "second", 4: "third", 5: "third", 6: "third"}),
    ],
)
def test_assign_prizes(rows: list[Standing], n: int, rules: PrizeRules,
                       expected: dict[int, str]) -> None:
    assert assign_prizes(rows, n, rules) == expected


def test_outstanding_coach_is_first_prize_teams() -> None:
    assert outstanding_coach_entries({3: "first", 1: "first", 2: "second"}) == (1, 3)


@pytest.mark.parametrize(
    "totals, window, expected",
    [
        # medallion threshold 700 (inclusive), tie window 1 shares gold
        (("760", "759.5", "740", "720", "705", "700", "699.99"), "1",
         {1: "gold", 2: "gold", 3: "bronze", 4: "medallion", 5: "medallion", 6: "medallion"}),
        (("760", "750", "740", "700"), "0", {1: "gold", 2: "silver", 3: "bronze", 4: "medallion"}),
        # the window is measured from the group's leader, not chained
        (("760", "759.5", "758.8"), "1", {1: "gold", 2: "gold", 3: "bronze"}),
        (("690", "680", "650"), "0", {1: "gold", 2: "silver", 3: "bronze"}),
    ],
)
def test_medals(totals: tuple[str, ...], window: str, expected: dict[int, str]) -> None:
    rules = MedalRules(threshold=D(700), tie_window=D(window))
    assert assign_medals(standings(*totals), rules) == expected


def test_shared_rank_shares_medal() -> None:
    rows = standings("750", "750", "740", ranks=[1, 1, 3])
    assert assign_medals(rows, MedalRules()) == {1: "gold", 2: "gold", 3: "bronze"}


# -- ranking and tie chain ----------------------------------------------------------------------

CHAIN = ("total", "completion_time", "module:practical", "module:theory")


def item(eid: int, code: str, total: str, time: str | None, p: str, t: str,
         lot: int | None = None) -> Rankable:
    return Rankable(eid, code, D(total), None if time is None else D(time),
                    {"practical": D(p), "theory": D(t)}, lot)


ITEMS = [
    item(1, "A", "90", "100", "60", "30", lot=2),
    item(2, "B", "90", "90", "50", "40"),
    item(3, "C", "90", "100", "62", "28"),
    item(4, "D", "90", "100", "60", "31"),
    item(5, "E", "90", "100", "60", "30", lot=1),
    item(6, "F", "95", "120", "70", "25"),
    item(7, "G", "90", None, "99", "99"),
]


def test_three_step_tie_chain_ending_in_shared_rank() -> None:
    got = [(p.entry_id, p.rank, p.decided_by) for p in rank(ITEMS, CHAIN, "shared")]
    assert got == [
        (6, 1, None),
        (2, 2, "total"),
        (3, 3, "completion_time"),
        (4, 4, "module:practical"),
        (1, 5, "module:theory"),
        (5, 5, "shared"),
        (7, 7, "completion_time"),   # no time: after every timed entry
    ]


def test_tie_chain_ending_in_lots_records_the_draw() -> None:
    got = [(p.entry_id, p.rank, p.decided_by) for p in rank(ITEMS, CHAIN, "lots")]
    assert got[4:6] == [(5, 5, "module:theory"), (1, 6, "lots")]


def test_lots_without_a_drawn_lot_stays_shared_and_flags() -> None:
    items = [item(1, "A", "90", "1", "1", "1", lot=None), item(2, "B", "90", "1", "1", "1", lot=3)]
    got = rank(items, ("total",), "lots")
    assert [(p.entry_id, p.rank, p.decided_by, p.flags) for p in got] == [
        (2, 1, None, ("lot_required",)), (1, 1, "shared", ("lot_required",))]


def test_ranking_is_independent_of_input_order() -> None:
    assert rank(ITEMS, CHAIN) == rank(list(reversed(ITEMS)), CHAIN)


@pytest.mark.parametrize("chain, final, field", [(("total", "speed"), "shared", "tie_chain[1]"),
                                                 (("module:",), "shared", "tie_chain[0]"),
                                                 (("total",), "coin", "tie_final")])
def test_bad_chain(chain: tuple[str, ...], final: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        check_chain(chain, final)
    assert info.value.field == field


# -- standardisation ---------------------------------------------------------------------------


def values(*xs: str) -> dict[int, D]:
    return {i: D(x) for i, x in enumerate(xs)}


@pytest.mark.parametrize(
    "xs, rules, expected, centre, spread",
    [
        # mean 5, population SD 2: S = 700 + 100·(x − 5)/2
        (("2", "4", "4", "4", "5", "5", "7", "9"), StandardisationRules(C=D(700), k=D(100)),
         ("550", "650", "650", "650", "700", "700", "800", "900"), "5", "2"),
        # median 3, MAD = median(|x − 3|) = 1 → spread 1.4826; k = 1.4826 keeps it exact
        (("1", "2", "3", "4", "100"),
         StandardisationRules(centre="median", spread="mad", C=D(700), k=D("1.4826")),
         ("698", "699", "700", "701", "797"), "3", "1.4826"),
        # spread 0 → everyone gets C
        (("50", "50", "50"), StandardisationRules(), ("700", "700", "700"), "50", "0"),
        (("42",), StandardisationRules(), ("700",), "42", "0"),
    ],
)
def test_standardisation(xs: tuple[str, ...], rules: StandardisationRules,
                         expected: tuple[str, ...], centre: str, spread: str) -> None:
    got, params = standardise_all(values(*xs), rules)
    assert [got[i] for i in range(len(xs))] == [D(e) for e in expected]
    assert (params.centre, params.spread) == (D(centre), D(spread))
    stored = params.as_strings()
    assert stored["standardisation.C"] == str(rules.C)
    assert stored["standardisation.n"] == str(len(xs))


# -- module totals -------------------------------------------------------------------------------

SCHEME = Scheme(
    modules=(Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
    aspects=(
        Aspect(1, "T1", "t1", AspectKind.POINTS, D(100), "T"),
        Aspect(2, "P1", "p1", AspectKind.POINTS, D(60), "P"),
        Aspect(3, "P2", "p2", AspectKind.JUDGEMENT, D(40), "P"),
        Aspect(4, "PD", "penalty", AspectKind.DEDUCTION, D(100), "P"),
    ),
)


@pytest.mark.parametrize(
    "marks, modules, total",
    [
        ({1: "80", 2: "50", 3: "40"}, {"T": "80", "P": "90"}, "87"),   # 0.3·80 + 0.7·90
        ({1: "80", 2: "50", 3: "40", 4: "15"}, {"T": "80", "P": "75"}, "76.5"),
        # deduction floors the module at 0 and never reaches into the other module
        ({1: "80", 2: "5", 4: "30"}, {"T": "80", "P": "0"}, "24"),
        ({}, {"T": "0", "P": "0"}, "0"),
    ],
)
def test_module_scores_and_weighted_total(marks: dict[int, str], modules: dict[str, str],
                                          total: str) -> None:
    plans = compile_modules(SCHEME)
    got = module_scores(plans, {k: D(v) for k, v in marks.items()})
    assert got == {k: D(v) for k, v in modules.items()}
    assert weighted_total(plans, got) == D(total)


def test_module_scale_to() -> None:
    scheme = Scheme((Module("T", "t", D(1), scale_to=D(100)),),
                    (Aspect(1, "a", "a", AspectKind.POINTS, D(20), "T"),
                     Aspect(2, "b", "b", AspectKind.POINTS, D(30), "T")))
    plans = compile_modules(scheme)
    assert module_scores(plans, {1: D(10), 2: D(30)}) == {"T": D(80)}   # 40/50 × 100
