"""The incremental LiveBoard always equals a from-scratch compute (hypothesis), at both levels."""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.domain.engine import EntryInput, EventRules, MarkInput, compute_board, compute_panels
from scoring.domain.incremental import LiveBoard
from scoring.domain.scheme import Aspect, AspectKind, Module, Scheme
from scoring.domain.standardisation import StandardisationRules

K = AspectKind
SCHEME = Scheme(
    (Module("T", "theory", D("0.3")), Module("P", "practical", D("0.7"))),
    (Aspect(1, "A1", "a1", K.POINTS, D(10), "T"), Aspect(2, "A2", "a2", K.JUDGEMENT, D(6), "P"),
     Aspect(3, "A3", "a3", K.POINTS, D(20), "P"), Aspect(4, "A4", "a4", K.DEDUCTION, D(5), "P"),
     Aspect(5, "A5", "a5", K.MEASUREMENT, D(4), "T")),
)
TOPS = {1: 10, 2: 3, 3: 20, 4: 5, 5: 4}
RULES = [
    EventRules(),
    EventRules(aggregation="trimmed_mean", trim=1),
    EventRules(aggregation="median", panel_size=4),
    EventRules(aggregation="diving", trim=1, multiplier=D("1.5")),
    EventRules(aggregation="trimmed_mean", aggregation_level="sheet"),
    EventRules(aggregation="mean", aggregation_level="sheet", panel_size=3),
    EventRules(tie_chain=("total", "completion_time", "module:P"), tie_final="lots",
               standardisation=StandardisationRules()),
]
ENTRIES = [EntryInput(i, f"E{i}", completion_seconds=D(100 + i % 3), lot=i) for i in range(1, 7)]


def value(aspect: int, raw: int) -> D:
    if aspect == 5:
        return D(4) if raw % 2 else D(0)
    if aspect == 3:
        return D(raw % 41) / 2
    return D(raw % (TOPS[aspect] + 1))


# one change = (entry 1..7 (7 is unknown), aspect 1..6 (6 is unknown), judge 1..5, raw value)
changes = st.lists(st.tuples(st.integers(1, 7), st.integers(1, 6), st.integers(1, 5),
                             st.integers(0, 40)), max_size=80)


def from_scratch(panels: dict[tuple[int, int], dict[int, D]], rules: EventRules,
                 entries: list[EntryInput]):  # type: ignore[no-untyped-def]
    marks = [MarkInput(e, a, j, v) for (e, a), judged in panels.items() for j, v in judged.items()]
    return compute_board(SCHEME, entries, marks, rules)


@settings(max_examples=150, deadline=None)
@given(first=changes, later=changes, rules=st.sampled_from(RULES), checkpoints=st.integers(1, 6))
def test_a_live_board_equals_a_from_scratch_compute_after_any_changes(first, later, rules, checkpoints):  # type: ignore[no-untyped-def]
    panels: dict[tuple[int, int], dict[int, D]] = {}
    live = LiveBoard(SCHEME, rules, ENTRIES)
    for i, (e, a, j, raw) in enumerate(first + later):
        v = value(a, raw) if a in TOPS else D(raw)
        panels.setdefault((e, a), {})[j] = v
        live.put(e, a, j, v)
        if i % checkpoints == 0:  # results taken mid-way must not spoil later ones
            assert live.result() == from_scratch(panels, rules, ENTRIES)
    assert live.result() == from_scratch(panels, rules, ENTRIES)
    assert live.result() == compute_panels(SCHEME, ENTRIES, panels, rules)
    assert LiveBoard(SCHEME, rules, ENTRIES, panels).result() == live.result()  # bulk loaded


@settings(max_examples=60, deadline=None)
@given(marks=changes, rules=st.sampled_from(RULES), seed=st.integers(0, 10_000))
def test_entries_may_change_their_fields_or_their_set(marks, rules, seed):  # type: ignore[no-untyped-def]
    panels: dict[tuple[int, int], dict[int, D]] = {}
    live = LiveBoard(SCHEME, rules, ENTRIES)
    for e, a, j, raw in marks:
        v = value(a, raw) if a in TOPS else D(raw)
        panels.setdefault((e, a), {})[j] = v
        live.put(e, a, j, v)
    live.result()
    rng = random.Random(seed)
    withdrawn = [EntryInput(x.id, x.code, competing=rng.random() < 0.7, lot=rng.randint(1, 9))
                 for x in ENTRIES]
    assert live.result(withdrawn) == from_scratch(panels, rules, withdrawn)
    fewer = [x for x in ENTRIES if x.id != 2] + [EntryInput(7, "E7")]  # one left, one came
    assert live.result(fewer) == from_scratch(panels, rules, fewer)


def test_a_changed_value_moves_only_its_entry() -> None:
    live = LiveBoard(SCHEME, EventRules(), ENTRIES)
    for e in range(1, 7):
        for j in (1, 2, 3):
            live.put(e, 1, j, D(e))
    first = live.result()
    assert live.put(3, 1, 2, D(3)) is False  # the same value again changes nothing
    assert [live.put(3, 1, j, D(10)) for j in (1, 2, 3)] == [True, True, True]
    second = live.result()
    assert [r.exact_total for r in second.rows if r.entry_id != 3] == \
        [r.exact_total for r in first.rows if r.entry_id != 3 and r.rank is not None]
    assert {r.entry_id: r.rank for r in second.rows}[3] == 1


def test_an_empty_scheme_counts_every_value_as_ignored() -> None:
    live = LiveBoard(Scheme((), ()), EventRules(), ENTRIES[:2])
    live.put(1, 1, 1, D(5))
    result = live.result()
    assert result.parameters["scheme"] == "empty" and result.parameters["ignored_marks"] == "1"
    assert result == compute_board(Scheme((), ()), ENTRIES[:2], [MarkInput(1, 1, 1, D(5))])
