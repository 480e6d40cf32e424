"""Team registration over the API: members, coaches, eligibility errors naming the field, scope."""

from __future__ import annotations

from sqlalchemy import func, select

from compete.registration.models import Team
from tests.accounts.helpers import sign_in
from tests.registration.factories import setup


def body(s, institution="广东省学院0", name="一队", members=("甲", "乙"), coaches=("师",)):  # type: ignore[no-untyped-def]
    return {"stage": s.zone_stage_id, "division": s.division_id, "institution": s.institutions[institution],
            "name": name, "members": [{"name": m, "role": "student"} for m in members], "coaches": list(coaches)}


def test_register_read_change_and_withdraw_a_team(client, session):
    s = setup(session)
    api = sign_in(client, session)
    created = api.post("/api/teams", json=body(s))
    assert created.status_code == 201, created.json
    team = created.json
    assert team["zone"] == s.zones["GD"] and [m["name"] for m in team["members"]] == ["甲", "乙"]
    assert team["coaches"] == ["师"] and team["code"] == f"#{team['id']}"
    changed = api.patch(f"/api/teams/{team['id']}", json={"members": [{"name": "甲"}, {"name": "丙"}, {"name": "丁"}]})
    assert changed.status_code == 200 and [m["name"] for m in changed.json["members"]] == ["甲", "丙", "丁"]
    too_big = api.patch(f"/api/teams/{team['id']}", json={"members": [{"name": n} for n in "甲乙丙丁"]},
                        headers={"Accept-Language": "en"})
    assert too_big.status_code == 422 and too_big.json["fields"] == {
        "members": ["A team in this division has at most 3 members."]}
    assert api.patch(f"/api/teams/{team['id']}", json={"status": "withdrawn"}).json["status"] == "withdrawn"
    again = api.post("/api/teams", json=body(s, name="二队"))
    assert again.status_code == 201  # a withdrawn team does not count against the institution


def test_the_institution_limit_and_the_zone_quota(client, session):
    s = setup(session)
    api = sign_in(client, session)
    assert api.post("/api/teams", json=body(s, name="一队")).status_code == 201
    assert api.post("/api/teams", json=body(s, name="二队")).status_code == 201
    third = api.post("/api/teams", json=body(s, name="三队"))
    assert third.status_code == 422 and third.json["error"] == "team.institution_limit"
    assert list(third.json["fields"]) == ["institution"]
    api.patch(f"/api/divisions/{s.division_id}", json={"rules": {"zone_quotas": {str(s.zones["GD"]): 3}}})
    assert api.post("/api/teams", json=body(s, institution="广东省学院1")).status_code == 201
    full = api.post("/api/teams", json=body(s, institution="广东省学院2"))
    assert full.json["error"] == "team.zone_quota_full" and list(full.json["fields"]) == ["zone"]
    assert api.post("/api/teams", json=body(s, institution="湖南省学院0")).status_code == 201  # other zone
    session.expire_all()
    assert session.scalar(select(func.count(Team.id))) == 4


def test_shape_errors_name_the_nested_field(client, session):
    s = setup(session)
    api = sign_in(client, session)
    bad = body(s)
    bad["members"][1]["role"] = "coach"
    response = api.post("/api/teams", json=bad)
    assert response.status_code == 422 and "members.1.role" in response.json["fields"]


def test_a_zone_admin_works_only_in_their_zone(client, session):
    s = setup(session)
    admin = sign_in(client, session)
    hn_team = admin.post("/api/teams", json=body(s, institution="湖南省学院0")).json
    gd = sign_in(client.application.test_client(), session, ["zone_admin"], zone_id=s.zones["GD"])
    mine = gd.post("/api/teams", json=body(s))
    assert mine.status_code == 201
    assert gd.post("/api/teams", json=body(s, institution="湖南省学院1")).status_code == 404
    assert gd.get(f"/api/teams/{hn_team['id']}").status_code == 404
    assert gd.patch(f"/api/teams/{hn_team['id']}", json={"name": "x"}).status_code == 404
    listed = gd.get(f"/api/competitions/{s.competition_id}/teams").json
    assert listed["total"] == 1 and listed["teams"][0]["id"] == mine.json["id"]
    sneaky = gd.get(f"/api/competitions/{s.competition_id}/teams?zone={s.zones['HN']}").json
    assert sneaky["total"] == 0
    progress = gd.get(f"/api/competitions/{s.competition_id}/progress").json
    assert [row["zone"] for row in progress] == [s.zones["GD"]]
    institutions = gd.get(f"/api/competitions/{s.competition_id}/institutions").json
    assert {i["zone"] for i in institutions} == {s.zones["GD"]}


def test_search_and_filters(client, session):
    s = setup(session)
    api = sign_in(client, session)
    api.post("/api/teams", json=body(s, name="救援一队", members=("王小明", "李雷")))
    api.post("/api/teams", json=body(s, institution="湖南省学院0", name="救援二队", members=("韩梅梅", "张三")))
    url = f"/api/competitions/{s.competition_id}/teams"
    assert [t["name"] for t in api.get(url + "?q=韩梅").json["teams"]] == ["救援二队"]
    assert [t["name"] for t in api.get(url + "?q=广东").json["teams"]] == ["救援一队"]
    assert api.get(url + f"?zone={s.zones['HN']}").json["total"] == 1
    assert api.get(url + "?per_page=1&page=2").json["teams"][0]["name"] == "救援二队"
    assert api.get(url + "?status=nonsense").status_code == 422
