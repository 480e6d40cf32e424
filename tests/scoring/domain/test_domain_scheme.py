"""Marking scheme validation and single-mark checks (scoring.domain.scheme)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compete.errors import ValidationFailed
from scoring.domain.scheme import (
    Aspect,
    AspectKind,
    Module,
    Scheme,
    ToleranceBand,
    check_mark_value,
    tolerance_mark,
    validate_scheme,
)

K = AspectKind


def aspect(id: int = 1, kind: AspectKind = K.POINTS, max_mark: str = "10", module: str = "M",
           code: str | None = None, **kw: object) -> Aspect:
    return Aspect(id, code or f"A{id}", f"aspect {id}", kind, D(max_mark), module, **kw)  # type: ignore[arg-type]


def good_scheme() -> Scheme:
    return Scheme(
        modules=(Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
        aspects=(aspect(1, module="T"), aspect(2, K.JUDGEMENT, module="P"),
                 aspect(3, K.DEDUCTION, "5", module="P")),
    )


def test_good_scheme_passes() -> None:
    validate_scheme(good_scheme())


@pytest.mark.parametrize(
    "scheme, code, field",
    [
        (Scheme((), ()), "scheme.no_modules", "modules"),
        (Scheme((Module("T", "t", D("0.3")), Module("P", "p", D("0.6"))),
                (aspect(1, module="T"), aspect(2, module="P"))),
         "scheme.total_mismatch", "modules"),
        (Scheme((Module("T", "t", D("0.5")), Module("T", "t", D("0.5"))), (aspect(1, module="T"),)),
         "scheme.duplicate_module", "modules[1].code"),
        (Scheme((Module("T", "t", D("0")), Module("P", "p", D("1"))), (aspect(1, module="P"),)),
         "scheme.bad_weight", "modules[0].weight"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, module="X"),)),
         "scheme.unknown_module", "aspects[0].module_code"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, module="T"), aspect(1, module="T", code="B"))),
         "scheme.duplicate_aspect_id", "aspects[1].id"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, module="T", code="A"), aspect(2, module="T", code="A"))),
         "scheme.duplicate_aspect_code", "aspects[1].code"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, max_mark="0", module="T"),)),
         "scheme.bad_max_mark", "aspects[0].max_mark"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, K.DEDUCTION, module="T"),)),
         "scheme.empty_module", "modules[0]"),
        (Scheme((Module("T", "t", D("1")),),
                (aspect(1, module="T", tolerance=(ToleranceBand(D("0.1"), D("5")),)),)),
         "scheme.bad_tolerance", "aspects[0].tolerance"),
        (Scheme((Module("T", "t", D("1")),),
                (aspect(1, K.MEASUREMENT, module="T", tolerance=(ToleranceBand(D("0.1"), D("11")),)),)),
         "scheme.bad_tolerance", "aspects[0].tolerance[0]"),
        (Scheme((Module("T", "t", D("1")),), (aspect(1, K.JUDGEMENT, module="T", step=D("1")),)),
         "scheme.bad_step", "aspects[0].step"),
    ],
)
def test_invalid_schemes(scheme: Scheme, code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_scheme(scheme)
    assert (info.value.code, info.value.field) == (code, field)


MEAS = aspect(1, K.MEASUREMENT, "4", tolerance=(ToleranceBand(D("0.5"), D("2")),
                                               ToleranceBand(D("0.2"), D("3"))))


@pytest.mark.parametrize(
    "a, value, error",
    [
        # judgement: integer 0..3 whatever the aspect's max
        (aspect(1, K.JUDGEMENT, "6"), "0", None),
        (aspect(1, K.JUDGEMENT, "6"), "3", None),
        (aspect(1, K.JUDGEMENT, "6"), "4", "mark.out_of_range"),
        (aspect(1, K.JUDGEMENT, "6"), "-1", "mark.out_of_range"),
        (aspect(1, K.JUDGEMENT, "6"), "1.5", "mark.not_a_judgement_step"),
        (aspect(1, K.JUDGEMENT, "6"), "2.0", None),
        # measurement: 0 or max, or a tolerance-table part mark
        (aspect(1, K.MEASUREMENT, "4"), "4", None),
        (aspect(1, K.MEASUREMENT, "4"), "0", None),
        (aspect(1, K.MEASUREMENT, "4"), "2", "mark.not_a_measurement_value"),
        (MEAS, "2", None),
        (MEAS, "3", None),
        (MEAS, "1", "mark.not_a_measurement_value"),
        (MEAS, "5", "mark.out_of_range"),
        # points: 0..max, optional step
        (aspect(1, K.POINTS, "10"), "7.25", None),
        (aspect(1, K.POINTS, "10"), "10.01", "mark.out_of_range"),
        (aspect(1, K.POINTS, "10", step=D("0.5")), "7.5", None),
        (aspect(1, K.POINTS, "10", step=D("0.5")), "7.25", "mark.not_a_step"),
        # deduction: a penalty amount 0..max
        (aspect(1, K.DEDUCTION, "5"), "5", None),
        (aspect(1, K.DEDUCTION, "5"), "-1", "mark.out_of_range"),
        (aspect(1, K.POINTS, "10"), "NaN", "mark.not_a_number"),
        (aspect(1, K.POINTS, "10"), "Infinity", "mark.not_a_number"),
    ],
)
def test_check_mark_value(a: Aspect, value: str, error: str | None) -> None:
    if error is None:
        check_mark_value(a, D(value))
    else:
        with pytest.raises(ValidationFailed) as info:
            check_mark_value(a, D(value))
        assert info.value.code == error
        assert info.value.field == "value"


def test_out_of_range_reports_bounds() -> None:
    with pytest.raises(ValidationFailed) as info:
        check_mark_value(aspect(1, K.POINTS, "10"), D("11"))
    assert info.value.params == {"min": "0", "max": "10"}


@pytest.mark.parametrize("deviation, mark", [("0", "3"), ("0.2", "3"), ("-0.3", "2"),
                                             ("0.5", "2"), ("0.51", "0")])
def test_tolerance_table(deviation: str, mark: str) -> None:
    assert tolerance_mark(MEAS, D(deviation)) == D(mark)


def test_tolerance_without_table_is_all_or_nothing() -> None:
    a = aspect(1, K.MEASUREMENT, "4")
    assert tolerance_mark(a, D(0)) == D(4)
    assert tolerance_mark(a, D("0.01")) == D(0)
