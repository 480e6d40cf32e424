"""Competition set-up over the API: competitions, zones, institutions, events, divisions, stages.

Every change appends its event to the log in the same transaction; bad input changes nothing
and answers the one error shape, translated, naming the field.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compete.events import EventRecord
from compete.registration.models import Competition, Division, Stage, Zone
from tests.accounts.helpers import sign_in
from tests.registration.factories import setup


def event_types(session, competition_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    return [e.type for e in session.scalars(
        select(EventRecord).where(EventRecord.competition_id == competition_id).order_by(EventRecord.id))]


def test_an_admin_sets_up_a_competition_with_zones_events_divisions_and_stages(client, session):
    api = sign_in(client, session, ["admin"])
    created = api.post("/api/competitions", json={
        "name": "2026年全国职业院校技能大赛", "year": 2026, "level": "national",
        "zones": [{"code": "GD", "name": "广东赛区"}, {"code": "HD", "name": "华东赛区"}]})
    assert created.status_code == 201, created.json
    cid = created.json["id"]
    assert [z["code"] for z in created.json["zones"]] == ["GD", "HD"]
    gd = created.json["zones"][0]["id"]

    event = api.post(f"/api/competitions/{cid}/events", json={
        "code": "YJJY", "name": "应急救援技术",
        "divisions": [{"group": "higher", "name": "高职组",
                       "rules": {"team_size_min": 3, "team_size_max": 4, "max_teams_per_institution": 1,
                                 "zone_quotas": {str(gd): 20}}}],
        "stages": [{"code": "zone", "name": "赛区选拔赛", "kind": "zone"},
                   {"code": "final", "name": "全国总决赛", "kind": "final"}]})
    assert event.status_code == 201, event.json
    assert event.json["scheme_url"] == f"/events/{event.json['id']}/scheme"
    [division] = event.json["divisions"]
    assert division["rules"]["zone_quotas"] == {str(gd): 20} and division["rules"]["member_roles"] == ["student"]
    assert [(s["code"], s["position"]) for s in event.json["stages"]] == [("zone", 1), ("final", 2)]

    institution = api.post(f"/api/competitions/{cid}/institutions",
                           json={"name": "顺德职业技术学院", "province": "广东省", "zone": gd})
    assert institution.status_code == 201 and institution.json["zone"] == gd

    detail = api.get(f"/api/competitions/{cid}").json
    assert detail["name"] == "2026年全国职业院校技能大赛" and len(detail["events"]) == 1
    assert event_types(session, cid) == [
        "competition.created", "zone.created", "zone.created", "event.created", "division.created",
        "stage.created", "stage.created", "institution.created"]


@pytest.mark.parametrize(("url", "body", "code", "field"), [
    ("/api/competitions/{cid}/zones", {"code": "GD", "name": "另一个"}, "zone.taken", "code"),
    ("/api/competitions/{cid}/events", {"code": "YJJY", "name": "again"}, "event.code_taken", "code"),
    ("/api/events/{eid}/divisions", {"group": "higher", "name": "again"}, "division.group_taken", "group"),
    ("/api/events/{eid}/divisions", {"group": "teacher", "name": "教师组",
                                     "rules": {"team_size_min": 4, "team_size_max": 2}},
     "division.size_range", "rules.team_size_max"),
    ("/api/events/{eid}/divisions", {"group": "teacher", "name": "教师组", "rules": {"zone_quotas": {"99999": 3}}},
     "division.quota_zone_unknown", "rules.zone_quotas"),
    ("/api/events/{eid}/stages", {"code": "final2", "name": "again", "kind": "final"}, "stage.one_final", "kind"),
    ("/api/events/{eid}/stages", {"code": "zone2", "name": "late", "kind": "zone", "position": 5},
     "stage.zone_after_final", "position"),
    ("/api/competitions/{cid}/institutions", {"name": "广东省学院0", "province": "广东省"}, "institution.taken", "name"),
    ("/api/competitions/{cid}/events", {"code": "has space", "name": "x"}, "request.invalid", "code"),
    ("/api/competitions/{cid}/zones", {"code": "SD"}, "request.invalid", "name"),
])
def test_bad_set_up_changes_nothing_and_names_the_field(client, session, url, body, code, field):
    s = setup(session)
    api = sign_in(client, session, ["admin"])
    before = session.scalar(select(func.count(EventRecord.id)))
    response = api.post(url.format(cid=s.competition_id, eid=s.event_id), json=body,
                        headers={"Accept-Language": "en"})
    assert response.status_code in (409, 422), response.json
    assert response.json["error"] == code
    assert field in response.json["fields"], response.json
    assert response.json["message"]
    session.expire_all()
    assert session.scalar(select(func.count(EventRecord.id))) == before


def test_errors_speak_the_users_language(client, session):
    s = setup(session)
    api = sign_in(client, session, ["admin"])
    body = {"group": "teacher", "name": "教师组", "rules": {"team_size_min": 4, "team_size_max": 2}}
    zh = api.post(f"/api/events/{s.event_id}/divisions", json=body, headers={"Accept-Language": "zh-CN"})
    en = api.post(f"/api/events/{s.event_id}/divisions", json=body, headers={"Accept-Language": "en"})
    assert en.json["message"] == "The smallest team size (4) is larger than the largest (2)."
    assert zh.json["message"] != en.json["message"] and "4" in zh.json["message"]


def test_updates_are_logged_and_teams_follow_their_institution(client, session):
    s = setup(session)
    api = sign_in(client, session, ["admin"])
    team = api.post("/api/teams", json={"stage": s.zone_stage_id, "division": s.division_id,
                                        "institution": s.institutions["广东省学院0"], "name": "一队",
                                        "members": [{"name": "甲"}, {"name": "乙"}]})
    assert team.status_code == 201, team.json
    moved = api.patch(f"/api/institutions/{s.institutions['广东省学院0']}", json={"zone": s.zones["HN"]})
    assert moved.status_code == 200 and moved.json["zone"] == s.zones["HN"]
    assert api.get(f"/api/teams/{team.json['id']}").json["zone"] == s.zones["HN"]
    renamed = api.patch(f"/api/divisions/{s.division_id}", json={"rules": {"team_size_max": 4}})
    assert renamed.json["rules"]["team_size_max"] == 4 and renamed.json["rules"]["team_size_min"] == 2
    assert api.delete(f"/api/zones/{s.zones['HN']}").status_code == 409  # still used
    assert event_types(session, s.competition_id)[-3:] == ["team.registered", "institution.updated",
                                                           "division.updated"]
    session.expire_all()
    assert session.get(Division, s.division_id).rules["team_size_max"] == 4
    assert session.scalar(select(func.count(Zone.id))) == 2
    assert session.scalar(select(func.count(Competition.id))) == 1
    assert session.scalar(select(func.count(Stage.id))) == 2
