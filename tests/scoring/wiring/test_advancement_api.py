"""Advancement from zone boards to the final: preview with reasons, then one audited enrolment."""

from __future__ import annotations

from sqlalchemy import func, select

from compete.events import EventRecord
from compete.registration.models import Team
from scoring.models import Board, Qualification
from tests.accounts.helpers import sign_in
from tests.scoring.wiring.factories import zone_round

ZONES = {
    "GD": [("A学院", "广东省", "90"), ("B学院", "广东省", "85"), ("C学院", "福建省", "70")],
    "HN": [("D学院", "湖南省", "88"), ("E学院", "湖南省", "80")],
    "BJ": [("F学院", "北京市", "95"), ("F学院", "北京市", "86")],
}
RULES = {"advancement": {"per_zone": 1, "wildcards": 2, "reserves": 1, "institution_cap": 1}}


def finalise(session, z) -> None:  # type: ignore[no-untyped-def]
    for board_id in z.boards.values():
        session.get(Board, board_id).publication = "final"
    session.commit()


def test_the_preview_gives_each_qualifier_its_reason(client, session):
    z = zone_round(session, ZONES, rules=RULES)
    api = sign_in(client, session, ["admin"])
    preview = api.get(f"/api/stages/{z.zone_stage_id}/advancement?division={z.division_id}")
    assert preview.status_code == 200, preview.json
    got = [(q["name"], q["reason"], q["order"], q["zone_rank"]) for q in preview.json["qualifiers"]]
    assert got == [("F学院1队", "zone_place", 1, 1), ("A学院1队", "zone_place", 2, 1),
                   ("D学院1队", "zone_place", 3, 1), ("B学院2队", "wildcard", 4, 2), ("E学院2队", "wildcard", 5, 2)]
    assert [(r["name"], r["order"]) for r in preview.json["reserves"]] == [("C学院3队", 1)]
    assert {x["name"]: x["reason"] for x in preview.json["excluded"]} == {"F学院2队": "institution_cap"}
    assert preview.json["enrolled"] is False and preview.json["target_stage"] == z.final_stage_id

    ineligible = z.teams["GD"][0]  # A: a previous national first prize
    again = api.get(f"/api/stages/{z.zone_stage_id}/advancement?division={z.division_id}"
                    f"&ineligible.{ineligible}=previous_national_first").json
    gd = [q for q in again["qualifiers"] if q["zone"] == "GD"]
    assert [(q["name"], q["reason"]) for q in gd] == [("B学院2队", "replacement"), ("C学院3队", "wildcard")]
    assert {x["name"]: x["reason"] for x in again["excluded"]}["A学院1队"] == "ineligible:previous_national_first"


def test_enrolment_is_one_audited_action_and_happens_once(client, session):
    z = zone_round(session, ZONES, rules=RULES)
    api = sign_in(client, session, ["admin"])
    url = f"/api/stages/{z.zone_stage_id}/advancement"
    early = api.post(url, json={"division": z.division_id})
    assert early.status_code == 409 and early.json["error"] == "advancement.results_not_final"
    assert session.scalar(select(func.count()).select_from(Qualification)) == 0
    finalise(session, z)
    events_before = session.scalar(select(func.count()).select_from(EventRecord))

    done = api.post(url, json={"division": z.division_id})
    assert done.status_code == 201, done.json
    session.expire_all()
    finals = list(session.scalars(select(Team).where(Team.stage_id == z.final_stage_id).order_by(Team.id)))
    assert [t.name for t in finals] == ["F学院1队", "A学院1队", "D学院1队", "B学院2队", "E学院2队"]
    source = session.get(Team, z.teams["BJ"][0])
    assert [m.name for m in finals[0].members] == [m.name for m in source.members]
    assert [c.name for c in finals[0].coaches] == [c.name for c in source.coaches]
    assert finals[0].institution_id == source.institution_id and finals[0].entry_number is None
    rows = list(session.scalars(select(Qualification).order_by(Qualification.id)))
    assert [(r.reason, r.position, r.target_team_id is None) for r in rows] == [
        ("zone_place", 1, False), ("zone_place", 2, False), ("zone_place", 3, False),
        ("wildcard", 4, False), ("wildcard", 5, False), ("reserve", 1, True)]
    assert session.scalar(select(func.count()).select_from(EventRecord)) == events_before + 1
    [record] = session.scalars(select(EventRecord).where(EventRecord.type == "advancement.enrolled")).all()
    assert {r.event_record_id for r in rows} == {record.id}
    assert [q["enrolled_team"] for q in record.payload["qualifiers"]] == [t.id for t in finals]
    assert session.get(Board, record.payload["board"]).stage_id == z.final_stage_id

    second = api.post(url, json={"division": z.division_id})
    assert second.status_code == 409 and second.json["error"] == "advancement.already_enrolled"
    assert session.scalar(select(func.count()).select_from(Team).where(Team.stage_id == z.final_stage_id)) == 5
    listed = api.get(f"/api/stages/{z.zone_stage_id}/qualifications?division={z.division_id}").json
    assert [q["reason"] for q in listed["qualifications"]][-1] == "reserve"
    assert api.get(f"{url}?division={z.division_id}").json["enrolled"] is True


def test_first_prize_only_events_and_refusals(client, session):
    z = zone_round(session, {"GD": [("A学院", "广东省", str(90 - i)) for i in range(10)]},
                   rules={"advancement": {"per_zone": None, "first_prize_only": True}})
    api = sign_in(client, session, ["admin"])
    preview = api.get(f"/api/stages/{z.zone_stage_id}/advancement?division={z.division_id}").json
    assert [q["zone_rank"] for q in preview["qualifiers"]] == [1]  # N = 10 → one first prize
    assert api.get(f"/api/stages/{z.final_stage_id}/advancement?division={z.division_id}").json["error"] == \
        "advancement.not_a_zone_stage"
    bad = api.post(f"/api/stages/{z.zone_stage_id}/advancement", json={"division": "x"})
    assert bad.status_code == 422 and "division" in bad.json["fields"]
    unknown = api.post(f"/api/stages/{z.zone_stage_id}/advancement",
                       json={"division": z.division_id, "ineligible": {"999999": "banned"}})
    assert unknown.status_code == 422 and unknown.json["error"] == "advancement.unknown_team"
    viewer = sign_in(client, session, ["chief_judge"])
    assert viewer.post(f"/api/stages/{z.zone_stage_id}/advancement",
                       json={"division": z.division_id}).status_code == 403
