"""Console pages in both languages, and the API document with its docs page."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import sign_in
from tests.registration.factories import setup

PAGES = ("", "/teams", "/institutions", "/judges", "/import", "/draws")


@pytest.mark.parametrize(("lang", "words"), [("zh_CN", ("报名进度", "赛区", "参赛队")),
                                            ("en", ("Registration progress", "Zones", "Teams"))])
def test_every_console_page_renders_in_both_languages(client, session, lang, words):
    s = setup(session)
    api = sign_in(client, session)
    api.post("/api/teams", json={"stage": s.zone_stage_id, "division": s.division_id,
                                 "institution": s.institutions["广东省学院0"], "name": "一队",
                                 "members": [{"name": "甲"}, {"name": "乙"}]})
    for page in PAGES:
        response = api.get(f"/console/competitions/{s.competition_id}{page}?lang={lang}")
        assert response.status_code == 200, page
        assert 'name="csrf-token"' in response.get_data(as_text=True)
    overview = api.get(f"/console/competitions/{s.competition_id}?lang={lang}").get_data(as_text=True)
    assert all(word in overview for word in words)
    assert f'href="/events/{s.event_id}/scheme"' in overview and f'href="/events/{s.event_id}/rules"' in overview
    for page in ("/console/", "/console/new", "/docs/api"):
        assert api.get(f"{page}?lang={lang}").status_code == 200


def test_the_team_list_searches_and_filters(client, session):
    s = setup(session)
    api = sign_in(client, session)
    for institution, member in (("广东省学院0", "王小明"), ("湖南省学院0", "韩梅梅")):
        api.post("/api/teams", json={"stage": s.zone_stage_id, "division": s.division_id,
                                     "institution": s.institutions[institution], "name": f"{institution}队",
                                     "members": [{"name": member}, {"name": member + "2"}]})
    url = f"/console/competitions/{s.competition_id}/teams"
    assert "韩梅梅" in api.get(url + "?q=韩梅").get_data(as_text=True)
    assert "王小明" not in api.get(url + "?q=韩梅").get_data(as_text=True)
    assert "王小明" not in api.get(url + f"?zone={s.zones['HN']}").get_data(as_text=True)


def test_a_judge_is_refused_the_console_with_a_page_not_json(client, session):
    api = sign_in(client, session, ["judge"])
    response = api.get("/console/?lang=en")
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "Your role does not allow this." in response.get_data(as_text=True)
    assert "Console" not in api.get("/?lang=en").get_data(as_text=True)  # no menu entry either


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get("/console/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_openapi_document_covers_every_api_route(client, app):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "openapi.document":
            path = rule.rule
            for converter in ("int:", "string:", "path:"):
                path = path.replace(converter, "")
            path = path.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, path) in documented
    marks = spec["paths"]["/api/marks"]["post"]
    assert marks["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MarkIn"}
    assert marks["security"] == [{"device": []}]
    teams = spec["paths"]["/api/teams"]["post"]
    assert teams["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TeamIn")
    assert {"session": [], "csrf": []} in teams["security"]
    assert "multipart/form-data" in spec["paths"]["/api/competitions/{competition_id}/imports"]["post"]["requestBody"][
        "content"]
    for name in ("TeamIn", "TeamOut", "ImportOut", "DrawIn", "Credentials", "ErrorOut", "CompetitionIn"):
        assert name in spec["components"]["schemas"]
    assert spec["paths"]["/api/session"]["post"]["summary"].startswith("Sign in")
    assert "/api/boards/{board_id}" in spec["paths"]

