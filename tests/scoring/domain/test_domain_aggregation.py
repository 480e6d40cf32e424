"""Panel aggregation rules (scoring.domain.aggregation), one row per case from domain.md."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compete.errors import ValidationFailed
from scoring.domain.aggregation import (
    aggregate,
    diving,
    judgement_mark,
    mean,
    median,
    spread_violations,
    trimmed_mean,
)


def ds(*xs: str) -> list[D]:
    return [D(x) for x in xs]


@pytest.mark.parametrize(
    "method, values, kw, expected, missing",
    [
        ("mean", ds("80", "85", "90"), {}, D("85"), False),
        # Chinese subjective items: 5 judges, drop 1 high and 1 low, average the other 3
        ("trimmed_mean", ds("70", "80", "85", "90", "99"), {"trim": 1}, D("85"), False),
        ("trimmed_mean", ds("99", "85", "70", "90", "80"), {"trim": 1}, D("85"), False),
        ("median", ds("3", "1", "2"), {}, D("2"), False),
        ("median", ds("7", "9", "8", "6"), {}, D("7.5"), False),
        # diving: 7 judges, drop 2+2, sum of the middle 3 × multiplier: (7+7+7.5)×3.2
        ("diving", ds("6.0", "6.5", "7.0", "7.0", "7.5", "8.0", "9.0"),
         {"trim": 2, "multiplier": D("3.2")}, D("68.80"), False),
        ("judgement", ds("2", "3", "2"), {}, D(7) / D(3), False),
        # missing judge → mean of those present, flagged
        ("trimmed_mean", ds("80", "90", "70", "60"), {"trim": 1, "expected": 5}, D("75"), True),
        ("median", ds("1", "2", "9"), {"expected": 4}, D("4"), True),
        ("mean", ds("8", "9"), {"expected": 3}, D("8.5"), True),
        # diving with a missing judge keeps the sum's scale: mean × (7 − 4) × multiplier
        ("diving", ds("6", "7", "7", "7", "8", "9"), {"trim": 2, "multiplier": D("2"), "expected": 7},
         D("44"), True),
        # policy "method": apply the method to those present
        ("trimmed_mean", ds("80", "90", "70", "60"),
         {"trim": 1, "expected": 5, "missing_policy": "method"}, D("75"), True),
        ("median", ds("1", "2", "9"), {"expected": 4, "missing_policy": "method"}, D("2"), True),
        # too few to trim → mean, flagged
        ("trimmed_mean", ds("80", "90"), {"trim": 1}, D("85"), True),
        # a full panel is not "missing"
        ("mean", ds("8", "9", "10"), {"expected": 3}, D("9"), False),
    ],
)
def test_aggregate(method: str, values: list[D], kw: dict[str, object], expected: D,
                   missing: bool) -> None:
    value, flagged = aggregate(method, values, **kw)  # type: ignore[arg-type]
    assert value == expected
    assert flagged is missing


@pytest.mark.parametrize(
    "values, max_mark, expected",
    [
        (ds("2", "3", "2"), "10", D(70) / D(9)),    # 10 × 7/(3·3)
        (ds("3", "3", "3"), "6", D(6)),
        (ds("0", "1", "1", "0"), "4", D(4) * 2 / 12),
        (ds("0", "0", "0"), "5", D(0)),
    ],
)
def test_judgement_mark(values: list[D], max_mark: str, expected: D) -> None:
    assert judgement_mark(values, D(max_mark)) == expected


@pytest.mark.parametrize(
    "values, violates",
    [(ds("1", "2", "2"), False), (ds("1", "3", "2"), True), (ds("0", "2"), True),
     (ds("3", "3"), False), (ds("2",), False), (ds("0", "1", "1", "0"), False)],
)
def test_judgement_spread_rule(values: list[D], violates: bool) -> None:
    assert spread_violations({("e", "a"): values}) == ((("e", "a"),) if violates else ())


def test_spread_violations_keep_order_and_accept_pairs() -> None:
    panels = [((1, 1), ds("0", "3")), ((1, 2), ds("1", "1")), ((2, 1), ds("3", "1"))]
    assert spread_violations(panels) == ((1, 1), (2, 1))


def test_helpers() -> None:
    assert mean(ds("1", "2")) == D("1.5")
    assert median(ds("5")) == D("5")
    assert trimmed_mean(ds("1", "2", "3", "4", "5", "6", "7"), 2) == D("4")
    assert diving(ds("1", "2", "3"), 1, D("2")) == D("4")


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda: aggregate("average", ds("1")), "aggregation.unknown_method"),
        (lambda: aggregate("mean", []), "aggregation.no_values"),
        (lambda: trimmed_mean(ds("1", "2"), 1), "aggregation.bad_trim"),
        (lambda: mean([]), "aggregation.no_values"),
    ],
)
def test_errors(call: object, code: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        call()  # type: ignore[operator]
    assert info.value.code == code
