"""Event scoring rules over the API: validated against the scheme, stored, audited, used by boards."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from compete.events import EventRecord
from compete.queues import queue
from compete.registration.models import SkillEvent
from scoring import boards, live
from scoring.models import Aspect, Board
from tests.accounts.helpers import sign_in
from tests.factories import scenario
from tests.scoring.wiring.factories import bare_event


def event_of(session, s) -> int:  # type: ignore[no-untyped-def]
    return int(session.get(Aspect, s.aspects["T1"]).scheme.event_id)


def test_defaults_are_filled_in(client, session):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    rules = api.get(f"/api/events/{bare.event_id}/rules").json
    assert rules["aggregation"] == "mean" and rules["decimals"] == 2 and rules["tie_chain"] == ["total"]
    assert rules["prizes"] == {"ratios": ["0.1", "0.2", "0.3"], "base": "started", "min_score": None,
                               "tie_at_cut": "higher"}
    assert rules["advancement"]["per_zone"] == 1 and rules["advancement"]["wildcards"] == 0


def test_rules_are_stored_normalised_and_audited_and_foreign_keys_survive(client, session):
    bare = bare_event(session, rules={"recusal": "province"})
    api = sign_in(client, session, ["admin"])
    body = {"aggregation": "trimmed_mean", "trim": 1, "tie_chain": ["total", "completion_time", "lots"],
            "prizes": {"ratios": ["0.1", "0.2", "0.3"], "min_score": 60}, "medals": {"threshold": "700"},
            "advancement": {"per_zone": 2, "wildcards": 3, "province_quotas": {"湖南省": 2}}}
    response = api.put(f"/api/events/{bare.event_id}/rules", json=body)
    assert response.status_code == 200, response.json
    assert response.json["tie_chain"] == ["total", "completion_time"] and response.json["tie_final"] == "lots"
    assert response.json["prizes"]["min_score"] == "60" and response.json["recusal"] == "province"
    assert response.json["advancement"]["province_quotas"] == {"湖南省": 2}
    session.expire_all()
    stored = session.get(SkillEvent, bare.event_id).rules
    assert stored["aggregation"] == "trimmed_mean" and stored["recusal"] == "province"
    [record] = session.scalars(select(EventRecord).where(EventRecord.type == "rules.changed")).all()
    assert record.payload["before"] == {"recusal": "province"} and record.payload["rules"]["trim"] == 1
    assert api.get(f"/api/events/{bare.event_id}/rules").json == response.json


BAD = [
    ({"aggregation": "mode"}, "rules.bad_choice", "aggregation"),
    ({"trim": -1}, "rules.out_of_range", "trim"),
    ({"trim": "1"}, "rules.not_an_integer", "trim"),
    ({"multiplier": "x"}, "rules.not_a_decimal", "multiplier"),
    ({"decimals": 11}, "rules.out_of_range", "decimals"),
    ({"colour": "red"}, "rules.unknown_field", "colour"),
    ({"prizes": {"ratios": ["0.1", "0.2"]}}, "awards.bad_ratio", "prizes.ratios"),
    ({"prizes": {"ratios": ["0.5", "0.4", "0.3"]}}, "awards.bad_ratio", "prizes.ratios"),
    ({"prizes": {"ratios": ["0.1", "-0.2", "0.3"]}}, "awards.bad_ratio", "prizes.ratios[1]"),
    ({"prizes": {"base": "everyone"}}, "awards.bad_base", "prizes.base"),
    ({"tie_chain": ["total", "luck"]}, "ranking.unknown_comparator", "tie_chain[1]"),
    ({"tie_chain": ["total", "module:nope"]}, "ranking.unknown_comparator", "tie_chain[1]"),
    ({"aspect_rules": {"NOPE": {"trim": 1}}}, "rules.unknown_aspect", "aspect_rules.NOPE"),
    ({"aspect_rules": {"T1": {"trim": 1}}, "aggregation_level": "sheet"}, "rules.aspect_rules_need_aspect_level",
     "aspect_rules"),
    ({"standardisation": {"centre": "mode"}}, "standardisation.bad_centre", "standardisation.centre"),
    ({"standardisation": {"k": "0"}}, "standardisation.bad_scale", "standardisation.k"),
    ({"medals": {"tie_window": "-1"}}, "rules.out_of_range", "medals.tie_window"),
    ({"advancement": {"per_zone": -1}}, "advancement.bad_rule", "advancement.per_zone"),
    ({"advancement": {"zone_places": {"HN": "two"}}}, "advancement.bad_rule", "advancement.zone_places.HN"),
    ({"advancement": {"colour": 1}}, "rules.unknown_field", "advancement.colour"),
    ({"advancement": {"last_place_tie": "coin"}}, "advancement.bad_rule", "advancement.last_place_tie"),
    ({"recusal": "planet"}, "recusal.bad_scope", "recusal"),
]


@pytest.mark.parametrize(("body", "code", "field"), BAD, ids=[f"{c}:{f}" for _, c, f in BAD])
def test_bad_rules_name_the_field_and_change_nothing(client, session, body, code, field):
    s = scenario(session)
    event_id = event_of(session, s)
    api = sign_in(client, session, ["admin"])
    before = session.scalar(select(func.count()).select_from(EventRecord))
    response = api.put(f"/api/events/{event_id}/rules", json=body, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422, response.json
    assert response.json["error"] == code and field in response.json["fields"], response.json
    assert response.json["message"] and code not in response.json["message"]  # translated, not the fallback
    session.expire_all()
    assert session.get(SkillEvent, event_id).rules == {"aggregation": "mean"}
    assert session.scalar(select(func.count()).select_from(EventRecord)) == before


def test_only_organisers_change_rules(client, session):
    bare = bare_event(session)
    assert client.put(f"/api/events/{bare.event_id}/rules", json={}).status_code == 401
    api = sign_in(client, session, ["zone_admin"], zone_id=bare.zone_id)
    assert api.put(f"/api/events/{bare.event_id}/rules", json={}).status_code == 403


def post_mark(client, s, judge, team, aspect, value):  # type: ignore[no-untyped-def]
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    response = client.post("/api/marks", json=body, headers=s.auth(judge))
    assert response.status_code == 201, response.json


def test_the_worker_ranks_with_the_stored_rules(client, session, runtime):
    s = scenario(session, judges=5, teams=2)
    event_id = event_of(session, s)
    api = sign_in(client, session, ["admin"])
    assert api.put(f"/api/events/{event_id}/rules",
                   json={"aggregation": "trimmed_mean", "trim": 1, "recusal": "institution"}).status_code == 200
    for judge, value in enumerate(["1", "6", "7", "8", "10"]):  # trimmed mean 7 (the mean would be 6.4)
        post_mark(client, s, judge, 0, "T1", value)
    SimpleWorker([queue(runtime.redis, "boards")], connection=runtime.redis).work(burst=True)
    session.expire_all()
    snapshot = boards.latest(session, s.board_id, "officials")
    assert snapshot is not None
    assert {row["code"]: row["total"] for row in snapshot.payload["rows"]}["HN-01"] == "2.10"  # 0.3 × 7
    result, _teams = live.from_scratch(session, session.get(Board, s.board_id))
    assert {r.code: r.exact_total for r in result.rows}["HN-01"] == Decimal("2.1")


def test_the_engine_skips_the_keys_other_rules_keep_beside_it() -> None:
    """The bug this fixes: boards failed to compute once an event had a recusal scope or
    advancement rules, because ``EventRules.from_mapping`` refused those keys."""
    from compete.accounts.domain.recusal import RULES_KEY
    from compete.errors import ValidationFailed
    from scoring.domain.rules import STORED_BESIDE, EventRules

    assert RULES_KEY in STORED_BESIDE
    rules = EventRules.from_mapping({"aggregation": "median", "recusal": "province",
                                     "advancement": {"per_zone": 3}})
    assert rules == EventRules(aggregation="median")
    with pytest.raises(ValidationFailed) as refused:
        EventRules.from_mapping({"aggregation": "median", "colour": "red"})
    assert refused.value.field == "colour"
