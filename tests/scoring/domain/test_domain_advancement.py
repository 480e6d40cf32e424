"""Advancement zone → final (scoring.domain.advancement), one row per rule in domain.md."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compete.errors import ValidationFailed
from scoring.domain.advancement import (
    AdvancementRules,
    Candidate,
    advance,
    previous_winner_exclusions,
)


def c(eid: int, zone: str, rank: int | None, measure: str, inst: str | None = None,
      prov: str = "P0", prize: str | None = None, ineligible: str | None = None) -> Candidate:
    return Candidate(eid, zone, inst or f"I{eid}", prov, rank, D(measure), prize, ineligible)


# zone Z1: 11, 12, 13; zone Z2: 21, 22, 23
BASE = [c(11, "Z1", 1, "95"), c(12, "Z1", 2, "88"), c(13, "Z1", 3, "85"),
        c(21, "Z2", 1, "92"), c(22, "Z2", 2, "90"), c(23, "Z2", 3, "70")]


def summary(cands: list[Candidate], rules: AdvancementRules
            ) -> tuple[list[tuple[int, str]], list[int], list[tuple[int, str]]]:
    r = advance(cands, rules)
    return ([(q.entry_id, q.reason) for q in r.qualifiers], [x.entry_id for x in r.reserves],
            [(e.entry_id, e.reason) for e in r.excluded])


@pytest.mark.parametrize(
    "cands, rules, qualifiers, reserves, excluded",
    [
        # top N per zone
        (BASE, AdvancementRules(per_zone=2),
         [(11, "zone_place"), (21, "zone_place"), (22, "zone_place"), (12, "zone_place")], [], []),
        # wildcards ranked across zones on the comparable measure, then reserves
        (BASE, AdvancementRules(per_zone=1, wildcards=2, reserves=2),
         [(11, "zone_place"), (21, "zone_place"), (22, "wildcard"), (12, "wildcard")],
         [13, 23], []),
        # per-zone override
        (BASE, AdvancementRules(per_zone=1, zone_places={"Z2": 3}),
         [(11, "zone_place"), (21, "zone_place"), (22, "zone_place"), (23, "zone_place")], [], []),
        # institution cap: 12 shares 11's institution, 13 replaces it
        ([c(11, "Z1", 1, "95", "X"), c(12, "Z1", 2, "88", "X"), c(13, "Z1", 3, "85", "Y")],
         AdvancementRules(per_zone=2, institution_cap=1),
         [(11, "zone_place"), (13, "replacement")], [], [(12, "institution_cap")]),
        # per-province quota across zones: the rank-1s are taken by measure, 21 is over quota
        ([c(11, "Z1", 1, "95", prov="湖南"), c(21, "Z2", 1, "92", prov="湖南"),
          c(22, "Z2", 2, "90", prov="重庆")],
         AdvancementRules(per_zone=1, province_quota=1),
         [(11, "zone_place"), (22, "replacement")], [], [(21, "province_quota")]),
        ([c(11, "Z1", 1, "95", prov="湖南"), c(21, "Z2", 1, "92", prov="湖南"),
          c(22, "Z2", 2, "90", prov="重庆")],
         AdvancementRules(per_zone=1, province_quota=1, province_quotas={"湖南": 2}),
         [(11, "zone_place"), (21, "zone_place")], [], []),
        # eligibility: a previous national first-prize winner may not enter
        ([c(11, "Z1", 1, "95", ineligible="previous_national_first"), c(12, "Z1", 2, "88")],
         AdvancementRules(per_zone=1),
         [(12, "replacement")], [], [(11, "ineligible:previous_national_first")]),
        # tie at the last place: all tied qualify ...
        ([c(11, "Z1", 1, "95"), c(12, "Z1", 2, "80"), c(13, "Z1", 2, "78"), c(14, "Z1", 4, "70")],
         AdvancementRules(per_zone=2, last_place_tie="all"),
         [(11, "zone_place"), (12, "zone_place"), (13, "zone_place")], [], []),
        # ... or the comparable measure decides
        ([c(11, "Z1", 1, "95"), c(12, "Z1", 2, "80"), c(13, "Z1", 2, "78"), c(14, "Z1", 4, "70")],
         AdvancementRules(per_zone=2, last_place_tie="measure", reserves=1),
         [(11, "zone_place"), (12, "zone_place")], [13], []),
        ([c(11, "Z1", 1, "95"), c(12, "Z1", 2, "80"), c(13, "Z1", 2, "80")],
         AdvancementRules(per_zone=2, last_place_tie="measure"),
         [(11, "zone_place"), (12, "zone_place"), (13, "zone_place")], [], []),
        # a tie at the last wildcard place takes everyone tied on the measure
        ([c(11, "Z1", 1, "95"), c(12, "Z1", 2, "90"), c(21, "Z2", 1, "92"), c(22, "Z2", 2, "90"),
          c(23, "Z2", 3, "89")],
         AdvancementRules(per_zone=1, wildcards=1, reserves=1),
         [(11, "zone_place"), (21, "zone_place"), (12, "wildcard"), (22, "wildcard")], [23], []),
        # only zone first-prize teams advance
        ([c(11, "Z1", 1, "95", prize="first"), c(12, "Z1", 2, "90", prize="first"),
          c(13, "Z1", 3, "85", prize="second"), c(21, "Z2", 1, "92", prize="first")],
         AdvancementRules(per_zone=None, first_prize_only=True),
         [(11, "zone_place"), (21, "zone_place"), (12, "zone_place")], [],
         [(13, "not_first_prize")]),
        # unranked entries never qualify
        ([c(11, "Z1", None, "0"), c(12, "Z1", 1, "50")], AdvancementRules(per_zone=2),
         [(12, "zone_place")], [], [(11, "unranked")]),
        # a reserve who could not be admitted under the caps is skipped
        ([c(11, "Z1", 1, "95", "X"), c(12, "Z1", 2, "90", "X"), c(13, "Z1", 3, "85", "Y")],
         AdvancementRules(per_zone=1, institution_cap=1, reserves=2),
         [(11, "zone_place")], [13], []),
    ],
)
def test_advancement(cands: list[Candidate], rules: AdvancementRules,
                     qualifiers: list[tuple[int, str]], reserves: list[int],
                     excluded: list[tuple[int, str]]) -> None:
    assert summary(cands, rules) == (qualifiers, reserves, excluded)


def test_withdrawal_promotes_the_reserve_as_replacement() -> None:
    first = advance(BASE, AdvancementRules(per_zone=1, wildcards=1, reserves=1))
    assert first.qualified_ids == (11, 21, 22) and first.reserves[0].entry_id == 12
    withdrawn = [x if x.entry_id != 21 else c(21, "Z2", 1, "92", ineligible="withdrawn")
                 for x in BASE]
    again = advance(withdrawn, AdvancementRules(per_zone=1, wildcards=1, reserves=1))
    assert [(q.entry_id, q.reason) for q in again.qualifiers] == [
        (11, "zone_place"), (22, "replacement"), (12, "wildcard")]


def test_result_does_not_depend_on_input_order() -> None:
    rules = AdvancementRules(per_zone=1, wildcards=2, reserves=2, institution_cap=2)
    assert advance(BASE, rules) == advance(list(reversed(BASE)), rules)


def test_previous_winner_exclusions() -> None:
    got = previous_winner_exclusions({1: ["p1", "p2"], 2: ["p3"]}, {"p2"})
    assert got == {1: "previous_national_first"}


@pytest.mark.parametrize("rules, field", [(AdvancementRules(per_zone=-1), "per_zone"),
                                          (AdvancementRules(last_place_tie="coin"), "last_place_tie"),
                                          (AdvancementRules(zone_places={"Z": -2}), "zone_places.Z")])
def test_bad_rules(rules: AdvancementRules, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        advance(BASE, rules)
    assert (info.value.code, info.value.field) == ("advancement.bad_rule", field)
