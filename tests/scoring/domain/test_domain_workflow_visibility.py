"""Sheet workflow, publication states and audience views, and judge consistency."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compete.errors import Forbidden, InvalidState, ValidationFailed
from scoring.domain.consistency import (
    deviations,
    home_bias,
    judge_consistency,
    judgement_disagreements,
)
from scoring.domain.engine import MarkInput, RankedRow
from scoring.domain.scheme import Aspect, AspectKind
from scoring.domain.visibility import (
    Identity,
    PublicationState,
    PublicRow,
    officials_view,
    public_view,
    publication_transition,
)
from scoring.domain.workflow import (
    SheetState,
    accepts_marks,
    all_locked,
    allowed_actions,
    transition,
)

S = SheetState

# -- sheet workflow ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, action, reason, expected",
    [
        (S.DRAFT, "submit", None, S.SUBMITTED),
        (S.SUBMITTED, "check", None, S.CHECKED),
        (S.CHECKED, "sign", None, S.SIGNED),
        (S.SIGNED, "lock", None, S.LOCKED),
        (S.SUBMITTED, "return", None, S.DRAFT),
        (S.CHECKED, "return", "spread > 1 on A3", S.DRAFT),
        (S.LOCKED, "unlock", "appeal 12 upheld", S.DRAFT),
        (S.SIGNED, "unlock", "typo on A2", S.DRAFT),
        ("draft", "submit", None, S.SUBMITTED),
    ],
)
def test_allowed_transitions(state: SheetState, action: str, reason: str | None,
                             expected: SheetState) -> None:
    assert transition(state, action, reason=reason) is expected


@pytest.mark.parametrize(
    "state, action",
    [(S.DRAFT, "check"), (S.DRAFT, "lock"), (S.SUBMITTED, "sign"), (S.CHECKED, "lock"),
     (S.LOCKED, "submit"), (S.LOCKED, "return"), (S.DRAFT, "unlock"), (S.SUBMITTED, "submit")],
)
def test_invalid_transitions(state: SheetState, action: str) -> None:
    with pytest.raises(InvalidState) as info:
        transition(state, action, reason="x")
    assert info.value.code == "sheet.invalid_transition"
    assert info.value.params["state"] == state.value


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_unlock_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(ValidationFailed) as info:
        transition(S.LOCKED, "unlock", reason=reason)
    assert (info.value.code, info.value.field) == ("sheet.reason_required", "reason")


def test_unknown_action_and_roles() -> None:
    with pytest.raises(InvalidState) as info:
        transition(S.DRAFT, "approve")
    assert info.value.code == "sheet.unknown_action"
    with pytest.raises(Forbidden) as forbidden:
        transition(S.SIGNED, "lock", role="scoring_judge")
    assert forbidden.value.code == "sheet.role_forbidden"
    assert transition(S.SIGNED, "lock", role="chief_judge") is S.LOCKED
    assert transition(S.DRAFT, "submit", role="scoring_judge") is S.SUBMITTED


def test_sheet_helpers() -> None:
    assert allowed_actions(S.CHECKED) == ("return", "sign")
    assert accepts_marks(S.DRAFT) and not accepts_marks(S.SUBMITTED)
    assert all_locked([S.LOCKED, "locked"]) and not all_locked([S.LOCKED, S.SIGNED])
    assert not all_locked([])


# -- publication and audience views -----------------------------------------------------------


def row(eid: int, code: str, rank: int | None, total: str, prize: str | None = None) -> RankedRow:
    return RankedRow(eid, code, rank, D(total), {"M": D(total)}, prize, None, None,
                     ("missing_judge",), 3, exact_total=D(total), raw_total=D(total))


AT_FREEZE = (row(1, "A01", 1, "80.00", "first"), row(2, "A02", 2, "70.00", "second"),
             row(3, "A03", 3, "60.00", "third"))
NOW = (row(3, "A03", 1, "99.00", "first"), row(1, "A01", 2, "81.00", "second"),
       row(2, "A02", 3, "70.00", "third"))
NAMES = {1: Identity("湖南安全技术职业学院 1队", "湖南安全技术职业学院"),
         2: Identity("重庆工业职业技术学院 1队", "重庆工业职业技术学院"),
         3: Identity("顺德职业技术学院 1队", "顺德职业技术学院")}


def test_hidden_gives_the_public_nothing() -> None:
    assert public_view(NOW, "hidden", True, None, identities=NAMES) == ()


def test_live_public_view_has_codes_not_names_before_decryption() -> None:
    view = public_view(NOW, PublicationState.LIVE, False, None, identities=NAMES)
    assert [(r.code, r.rank, r.total, r.name, r.institution) for r in view] == [
        ("A03", 1, D("99.00"), None, None), ("A01", 2, D("81.00"), None, None),
        ("A02", 3, D("70.00"), None, None)]
    payload = view[0].to_mapping()
    assert set(payload) == {"code", "rank", "total", "modules", "prize", "medal", "decided_by",
                            "name", "institution"}       # no entry id, flags or exact values
    assert not hasattr(view[0], "entry_id") and not hasattr(view[0], "flags")


def test_frozen_public_board_is_the_snapshot_at_freeze() -> None:
    view = public_view(NOW, "frozen", False, AT_FREEZE, identities=NAMES)
    assert [(r.code, r.rank, r.total) for r in view] == [
        ("A01", 1, D("80.00")), ("A02", 2, D("70.00")), ("A03", 3, D("60.00"))]
    post_freeze = {D("99.00"), D("81.00")}
    assert not any(r.total in post_freeze for r in view)
    assert all(r.name is None for r in view)


def test_frozen_without_snapshot_refuses() -> None:
    with pytest.raises(InvalidState) as info:
        public_view(NOW, "frozen", False, None)
    assert info.value.code == "publication.no_freeze_snapshot"


@given(totals=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
       decrypted=st.booleans())
def test_frozen_view_never_depends_on_current_rows(totals: list[int], decrypted: bool) -> None:
    current = tuple(row(i + 1, f"A0{i + 1}", i + 1, str(t)) for i, t in enumerate(totals))
    assert public_view(current, "frozen", decrypted, AT_FREEZE) == \
        public_view(NOW, "frozen", decrypted, AT_FREEZE)


@pytest.mark.parametrize(
    "level, codes",
    [("none", []), ("third", ["A02"]), ("second", ["A01", "A02"]), ("first", ["A03", "A01", "A02"])],
)
def test_ceremony_reveals_third_then_second_then_first(level: str, codes: list[str]) -> None:
    view = public_view(NOW, "revealed", True, AT_FREEZE, identities=NAMES, reveal_level=level)
    assert [r.code for r in view] == codes
    assert all(r.name is not None for r in view)


def test_final_view_with_decryption_carries_names() -> None:
    view = public_view(NOW, "final", True, None, identities=NAMES)
    assert view[0] == PublicRow("A03", 1, D("99.00"), {"M": D("99.00")}, "first", None, None,
                                "顺德职业技术学院 1队", "顺德职业技术学院")


def test_officials_see_everything_current_but_names_only_after_decryption() -> None:
    view = officials_view(NOW, False, NAMES)
    assert [v.row for v in view] == list(NOW) and all(v.name is None for v in view)
    assert officials_view(NOW, True, NAMES)[0].name == "顺德职业技术学院 1队"


@pytest.mark.parametrize(
    "state, action, decrypted, expected",
    [("hidden", "go_live", False, "live"), ("live", "freeze", False, "frozen"),
     ("frozen", "unfreeze", False, "live"), ("frozen", "reveal", True, "revealed"),
     ("revealed", "finalise", False, "final"), ("live", "hide", False, "hidden")],
)
def test_publication_transitions(state: str, action: str, decrypted: bool, expected: str) -> None:
    assert publication_transition(state, action, decrypted=decrypted) == expected


@pytest.mark.parametrize(
    "state, action, code",
    [("frozen", "reveal", "publication.not_decrypted"), ("hidden", "freeze",
                                                         "publication.invalid_transition"),
     ("final", "go_live", "publication.invalid_transition"), ("live", "explode",
                                                              "publication.unknown_action")],
)
def test_publication_refusals(state: str, action: str, code: str) -> None:
    with pytest.raises(InvalidState) as info:
        publication_transition(state, action)
    assert info.value.code == code


# -- judge consistency ---------------------------------------------------------------------------

J = Aspect(1, "J1", "judged", AspectKind.JUDGEMENT, D(6), "M")
P = Aspect(2, "P1", "points", AspectKind.POINTS, D(10), "M")
MEAS = Aspect(3, "X1", "measured", AspectKind.MEASUREMENT, D(4), "M")


def q(x: D | None) -> D:
    assert x is not None
    return x.quantize(D("1e-20"))


def panel(entry: int, aspect: int, *values: int) -> list[MarkInput]:
    return [MarkInput(entry, aspect, j + 1, D(v)) for j, v in enumerate(values)]


def test_deviation_from_panel_median() -> None:
    devs = deviations(panel(1, 1, 1, 1, 3) + panel(1, 3, 4, 0), [J, P, MEAS])
    assert [(d.judge_id, d.median, d.deviation, d.outlier) for d in devs] == [
        (1, D(1), D(0), False), (2, D(1), D(0), False), (3, D(1), D(2), True)]
    assert devs[2].normalised == D(2) / 3                  # judgement range is 0..3


def test_judge_bias_spread_and_outliers() -> None:
    ms = [m for e in range(1, 6) for m in panel(e, 1, 1, 1, 2)]      # judge 3 one step high
    ms += panel(6, 1, 1, 1, 3)                                        # ... and once two steps
    ms += [m for e in range(1, 6) for m in panel(e, 2, 5, 5, 5)]     # points: all agree
    stats = {s.judge_id: s for s in judge_consistency(ms, [J, P])}
    assert stats[1].bias == 0 and stats[1].flags == ()
    assert stats[3].marks == 11
    assert q(stats[3].bias) == q(D(7) / 33)                 # (5·⅓ + ⅔ + 5·0)/11
    assert stats[3].outliers == 1
    assert stats[3].flags == ("bias_high", "erratic", "outliers")


def test_erratic_judge() -> None:
    ms = []
    for e in range(1, 7):
        high = e % 2 == 0
        ms += panel(e, 2, 5, 5, 9 if high else 1)
    stats = {s.judge_id: s for s in judge_consistency(ms, [P])}
    assert stats[3].bias == 0 and stats[3].spread == D("0.4")
    assert stats[3].flags == ("erratic", "outliers")


def test_home_bias_after_decryption() -> None:
    ms = panel(1, 1, 1, 1, 3) + panel(2, 1, 1, 1, 3) + panel(3, 1, 1, 1, 2) + panel(4, 1, 1, 1, 2)
    devs = deviations(ms, [J])
    entry_home = {1: "湖南", 2: "湖南", 3: "重庆", 4: "甘肃"}
    got = home_bias(devs, {3: "湖南", 1: "重庆", 2: "西藏"}, entry_home)
    assert q(got[3]) == q(D(1) / 3)            # ⅔ at home − ⅓ away
    assert got[1] == D(0)
    assert got[2] is None                      # no home entries


def test_judgement_disagreements_for_the_chief_judge() -> None:
    ms = panel(1, 1, 1, 2, 2) + panel(2, 1, 0, 2, 1) + panel(3, 2, 0, 10, 5) + panel(4, 1, 3, 1)
    got = judgement_disagreements(ms, [J, P])
    assert [(d.entry_id, d.aspect_id, dict(d.values)) for d in got] == [
        (2, 1, {1: D(0), 2: D(2), 3: D(1)}), (4, 1, {1: D(3), 2: D(1)})]
