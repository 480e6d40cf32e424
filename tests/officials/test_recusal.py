"""Recusal (回避): enforced when assigning judges and again when a mark arrives; overrides need a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compete.accounts import judges
from compete.accounts.domain.recusal import Home, conflict, province_key, scope_of
from compete.accounts.models import Judge
from compete.accounts.services import issue_device
from compete.errors import ValidationFailed
from compete.events import EventRecord
from compete.registration.models import Institution, Team, Zone
from compete.security import SYSTEM
from scoring.models import Mark, Panel, RecusalOverride, Sheet
from tests.factories import scenario
from tests.officials.support import count, mark, signed_in


@pytest.mark.parametrize(
    ("judge", "entry", "scope", "expected"),
    [
        (Home(1, "湖南省"), Home(1, "湖南省"), "institution", "institution"),
        (Home(1, "湖南省"), Home(2, "湖南省"), "institution", None),
        (Home(1, "湖南省"), Home(2, "湖南"), "province", "province"),
        (Home(1, "广西"), Home(2, "广西壮族自治区"), "province", "province"),
        (Home(1, "新疆维吾尔自治区"), Home(2, "新疆"), "province", "province"),
        (Home(1, "重庆市"), Home(2, "重庆"), "province", "province"),
        (Home(1, "湖南省"), Home(2, "湖北省"), "province", None),
        (Home(1, "湖南省"), Home(1, "湖北省"), "province", "institution"),
        (Home(None, None), Home(2, "湖南省"), "province", None),
        (Home(None, "湖南省"), Home(None, None), "province", None),
        (Home(None, None), Home(None, None), "institution", None),
    ],
)
def test_conflicts(judge, entry, scope, expected):
    assert conflict(judge, entry, scope) == expected


@pytest.mark.parametrize(("rules", "scope"), [(None, "institution"), ({}, "institution"),
                                              ({"recusal": "province"}, "province"),
                                              ({"recusal": None}, "institution")])
def test_the_scope_comes_from_the_events_rules(rules, scope):
    assert scope_of(rules) == scope


@pytest.mark.parametrize("bad", ["city", 3, ["province"]])
def test_an_unknown_scope_is_refused(bad):
    with pytest.raises(ValidationFailed) as error:
        scope_of({"recusal": bad})
    assert error.value.code == "recusal.bad_scope" and error.value.field == "recusal"


def test_province_keys():
    assert province_key(" 湖南省 ") == province_key("湖南") == "湖南"
    assert province_key("") is None and province_key(None) is None


def where(session, s):  # type: ignore[no-untyped-def]
    panel = session.get(Panel, s.panel_id)
    return panel.stage_id, panel.division_id, panel.zone_id


def team_institution(session, s, index: int) -> Institution:  # type: ignore[no-untyped-def]
    return session.get(Institution, session.get(Team, s.team_ids[index]).institution_id)


def test_a_judge_of_an_entrys_institution_gets_no_sheet_for_it(app, session):
    s = scenario(session)
    home = team_institution(session, s, 0)
    judge = judges.create_judge(session, s.competition_id, judges.NewJudge("本校裁判", institution_id=home.id),
                                actor=SYSTEM)
    session.commit()
    organiser = signed_in(app, session, "admin")
    response = organiser.post(f"/api/panels/{s.panel_id}/judges", json={"judge": judge.id})
    assert response.status_code == 200, response.json
    assert response.json["sheets_created"] == len(s.team_ids) - 1
    assert response.json["recused"] == [{"judge": judge.id, "team": s.team_ids[0], "code": "HN-01",
                                         "conflict": "institution"}]
    assert count(session, Sheet, Sheet.judge_id == judge.id, Sheet.team_id == s.team_ids[0]) == 0
    event = session.scalar(select(EventRecord).where(EventRecord.type == "panel.judge_assigned"))
    assert event.payload["recused"] == [{"team": s.team_ids[0], "conflict": "institution"}]


@pytest.mark.parametrize(("rules", "recused"), [({"aggregation": "mean"}, 0),
                                                ({"aggregation": "mean", "recusal": "province"}, 4)])
def test_province_recusal_applies_when_the_event_says_so(app, session, rules, recused):
    s = scenario(session, rules=rules)
    judge = judges.create_judge(session, s.competition_id, judges.NewJudge("同省裁判", province="湖南"), actor=SYSTEM)
    session.commit()
    response = signed_in(app, session, "admin").post(f"/api/panels/{s.panel_id}/judges", json={"judge": judge.id})
    assert len(response.json["recused"]) == recused
    assert {r["conflict"] for r in response.json["recused"]} <= {"province"}
    assert response.json["sheets_created"] == len(s.team_ids) - recused


def test_a_new_panel_gets_its_board_sheets_and_recusals(app, session):
    s = scenario(session)
    stage_id, division_id, zone_id = where(session, s)
    home = team_institution(session, s, 1)
    local = judges.create_judge(session, s.competition_id, judges.NewJudge("本校", institution_id=home.id),
                                actor=SYSTEM)
    outsider = judges.create_judge(session, s.competition_id, judges.NewJudge("外校"), actor=SYSTEM)
    chief = judges.create_judge(session, s.competition_id, judges.NewJudge("裁判长", role="chief_judge"),
                                actor=SYSTEM)
    session.commit()
    aspects = [s.aspects["P1"], s.aspects["P3"]]
    response = signed_in(app, session, "admin").post("/api/panels", json={
        "stage": stage_id, "division": division_id, "zone": zone_id, "name": "实操裁判组", "aspects": aspects,
        "judges": [{"judge": local.id}, {"judge": outsider.id, "role": "onsite"},
                   {"judge": chief.id, "role": "chief_judge"}]})
    assert response.status_code == 201, response.json
    panel = response.json["panel"]
    assert panel["board"] == s.board_id and sorted(panel["aspects"]) == sorted(aspects)
    assert {j["id"]: j["role"] for j in panel["judges"]} == {local.id: "scoring", outsider.id: "onsite",
                                                             chief.id: "chief_judge"}
    assert response.json["assignment"]["sheets_created"] == 2 * len(s.team_ids) - 1
    assert [r["code"] for r in response.json["assignment"]["recused"]] == ["HN-02"]
    assert count(session, Sheet, Sheet.judge_id == chief.id) == 0


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"name": " "}, 422, "panel.bad_name", "name"),
        ({"aspects": [999999]}, 422, "panel.bad_aspect", "aspects"),
        ({"zone": 999999}, 422, "panel.bad_zone", "zone"),
        ({"division": 999999}, 422, "panel.bad_stage", "division"),
        ({"judges": [{"judge": 999999}]}, 422, "panel.bad_judge", "judge"),
        ({"judges": [{"judge": 1, "role": "boss"}]}, 422, "request.invalid", "judges.0.role"),
    ],
)
def test_bad_panels_are_refused_and_nothing_is_stored(app, session, change, status, code, field):
    s = scenario(session)
    stage_id, division_id, zone_id = where(session, s)
    organiser = signed_in(app, session, "admin")
    before = (count(session, Panel), count(session, Sheet), count(session, EventRecord))
    body = {"stage": stage_id, "division": division_id, "zone": zone_id, "name": "组", **change}
    response = organiser.post("/api/panels", json=body)
    assert response.status_code == status and response.json["error"] == code, response.json
    assert field in response.json["fields"]
    assert (count(session, Panel), count(session, Sheet), count(session, EventRecord)) == before


@pytest.mark.parametrize(("roles", "zone", "status"), [(("judge",), False, 403), (("chief_judge",), False, 403),
                                                       (("zone_admin",), True, 404), (("zone_admin",), False, 200)])
def test_only_organisers_in_scope_assign_judges(app, session, roles, zone, status):
    s = scenario(session)
    judge = judges.create_judge(session, s.competition_id, judges.NewJudge("新裁判"), actor=SYSTEM)
    panel = session.get(Panel, s.panel_id)
    zone_id = panel.zone_id
    if zone:
        other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
        session.add(other)
        session.flush()
        zone_id = other.id
    session.commit()
    user = signed_in(app, session, *roles, zone_id=zone_id if "zone_admin" in roles else None)
    response = user.post(f"/api/panels/{s.panel_id}/judges", json={"judge": judge.id})
    assert response.status_code == status, response.json
    assert count(session, Sheet, Sheet.judge_id == judge.id) == (len(s.team_ids) if status == 200 else 0)


def test_an_override_needs_a_reason_and_is_logged_then_marks_are_accepted(app, session, client):
    s = scenario(session)
    home = team_institution(session, s, 0)
    judge = judges.create_judge(session, s.competition_id, judges.NewJudge("本校裁判", institution_id=home.id),
                                actor=SYSTEM)
    session.commit()
    organiser = signed_in(app, session, "admin")
    organiser.post(f"/api/panels/{s.panel_id}/judges", json={"judge": judge.id})
    before = count(session, EventRecord)
    no_reason = organiser.post(f"/api/panels/{s.panel_id}/overrides",
                               json={"judge": judge.id, "team": s.team_ids[0], "reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json["error"] == "recusal.reason_required"
    assert "reason" in no_reason.json["fields"]
    assert count(session, RecusalOverride) == 0 and count(session, EventRecord) == before
    not_recused = organiser.post(f"/api/panels/{s.panel_id}/overrides",
                                 json={"judge": judge.id, "team": s.team_ids[1], "reason": "x"})
    assert not_recused.status_code == 422 and not_recused.json["error"] == "recusal.no_conflict"

    reason = "全省仅两名具备资格的裁判，经仲裁委员会批准"
    ok = organiser.post(f"/api/panels/{s.panel_id}/overrides",
                        json={"judge": judge.id, "team": s.team_ids[0], "reason": reason})
    assert ok.status_code == 201, ok.json
    override = session.scalar(select(RecusalOverride))
    assert override.reason == reason and override.conflict == "institution" and override.actor.startswith("user:")
    event = session.scalar(select(EventRecord).where(EventRecord.type == "recusal.overridden"))
    assert event.payload["reason"] == reason and event.payload["sheet"] == ok.json["sheet"]

    _, token = issue_device(session, judge.id, "tablet", actor=SYSTEM)
    session.commit()
    body = {"submission_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "sheet": ok.json["sheet"],
            "aspect": s.aspects["T1"], "value": "5"}
    stored = client.post("/api/marks", json=body, headers={"Authorization": f"Device {token}"})
    assert stored.status_code == 201, stored.json


@pytest.mark.parametrize(("scope", "setup", "code"), [
    ("institution", "institution", "mark.recused"),
    ("province", "province", "mark.recused_province"),
])
def test_a_mark_from_a_recused_judge_is_refused_and_nothing_is_stored(client, session, scope, setup, code):
    rules = {"aggregation": "mean", **({"recusal": "province"} if scope == "province" else {})}
    s = scenario(session, rules=rules)
    judge = session.get(Judge, s.judge_ids[0])
    team = session.get(Team, s.team_ids[0])
    if setup == "institution":  # the judge moved to the entry's institution after the assignment
        judge.institution_id = team.institution_id
    else:  # the factory's judges are all of 湖南省 like the teams: a judge from elsewhere scores
        for index in (1, 2):
            other = session.get(Judge, s.judge_ids[index])
            other.province, other.institution_id = "广东省", None
    session.commit()
    before = count(session, EventRecord)
    response = mark(client, s, 0, 0, "T1", "5")
    assert response.status_code == 403 and response.json["error"] == code, response.json
    assert response.json["fields"] == {"sheet": [response.json["message"]]}
    assert count(session, Mark) == 0 and count(session, EventRecord) == before
    if setup == "province":
        assert mark(client, s, 1, 0, "T1", "5").status_code == 201


def test_unassigning_is_refused_once_the_judge_has_marks(app, session, client):
    s = scenario(session)
    organiser = signed_in(app, session, "admin")
    assert mark(client, s, 0, 0, "T1", "5").status_code == 201
    refused = organiser.delete(f"/api/panels/{s.panel_id}/judges/{s.judge_ids[0]}")
    assert refused.status_code == 409 and refused.json["error"] == "panel.judge_has_marks"
    removed = organiser.delete(f"/api/panels/{s.panel_id}/judges/{s.judge_ids[1]}")
    assert removed.status_code == 200 and removed.json["sheets_removed"] == len(s.team_ids)
    assert count(session, Sheet, Sheet.judge_id == s.judge_ids[1]) == 0


def test_entries_registered_later_get_sheets_on_sync_with_recusal(app, session):
    s = scenario(session)
    panel = session.get(Panel, s.panel_id)
    judge_home = session.get(Judge, s.judge_ids[0]).institution_id
    late = Team(division_id=panel.division_id, stage_id=panel.stage_id, institution_id=judge_home,
                zone_id=panel.zone_id, name="补报队", entry_number="HN-99")
    session.add(late)
    session.commit()
    response = signed_in(app, session, "admin").post(f"/api/panels/{s.panel_id}/sync")
    assert response.status_code == 200
    assert response.json["sheets_created"] == len(s.judge_ids) - 1
    assert response.json["recused"] == [{"judge": s.judge_ids[0], "team": late.id, "code": "HN-99",
                                         "conflict": "institution"}]
    again = signed_in(app, session, "admin").post(f"/api/panels/{s.panel_id}/sync")
    assert again.json["sheets_created"] == 0
