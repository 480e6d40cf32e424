"""Sign-in, sessions, CSRF and the sign-in rate limit."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import PASSWORD, make_user, sign_in
from tests.factories import scenario
from tests.registration.factories import setup


def test_sign_in_returns_roles_and_a_csrf_token_that_get_session_repeats(client, session):
    user = make_user(session, ["zone_admin"], zone_id=setup(session).zones["GD"])
    response = client.post("/api/session", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json["roles"] == ["zone_admin"] and len(response.json["zones"]) == 1
    assert client.get("/api/session").json["csrf_token"] == response.json["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_csrf_token_changes_at_sign_in(client, session):
    before = client.get("/api/session").json["csrf_token"]
    api = sign_in(client, session)
    assert api.token != before


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_cookie_authenticated_change_without_the_token_is_refused_and_changes_nothing(client, session, token):
    s = setup(session)
    sign_in(client, session)
    headers = {} if token is None else {"X-CSRFToken": token}
    response = client.post(f"/api/competitions/{s.competition_id}/zones", json={"code": "SD", "name": "山东赛区"},
                           headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 403 and response.json["error"] == "csrf.invalid"
    assert "Reload the page" in response.json["message"]
    assert len(client.get(f"/api/competitions/{s.competition_id}").json["zones"]) == 2


def test_the_token_in_a_form_field_is_accepted(client, session):
    s = setup(session)
    api = sign_in(client, session)
    response = client.post(f"/api/competitions/{s.competition_id}/imports",
                           data={"kind": "teams", "csrf_token": api.token})
    assert response.status_code == 422 and response.json["error"] == "import.file_required"  # past the CSRF check


def test_device_requests_need_no_csrf_token_even_with_a_session_cookie(client, session):
    s = scenario(session)
    sign_in(client, session)
    body = {"submission_id": "5b0b7c4e-8f0e-4f57-9a35-1a2b3c4d5e6f", "sheet": s.sheet(0, 0), "aspect": s.aspects["T1"],
            "value": "5"}
    assert client.post("/api/marks", json=body, headers=s.auth(0)).status_code == 201


def test_a_signed_out_change_gets_401_not_a_csrf_error(client, session):
    s = setup(session)
    response = client.post(f"/api/competitions/{s.competition_id}/zones", json={"code": "SD", "name": "山东赛区"})
    assert response.status_code == 401 and response.json["error"] == "user.signed_out"


def test_sign_out_ends_the_session(client, session):
    api = sign_in(client, session)
    assert api.get("/api/competitions").status_code == 200
    assert api.delete("/api/session").status_code == 204
    assert client.get("/api/competitions").status_code == 401


def test_repeated_failures_lock_that_username_and_address_out_with_a_translated_429(client, session):
    user = make_user(session, ["admin"])
    for _ in range(5):
        response = client.post("/api/session", json={"username": user.username, "password": "wrong password"})
        assert response.status_code == 401
    for lang, words in (("en", "Too many failed sign-ins. Try again in 15 minutes."), ("zh-CN", "15")):
        blocked = client.post("/api/session", json={"username": user.username, "password": PASSWORD},
                              headers={"Accept-Language": lang})
        assert blocked.status_code == 429 and blocked.json["error"] == "user.too_many_attempts"
        assert words in blocked.json["message"] and "username" in blocked.json["fields"]
        assert 0 < int(blocked.headers["Retry-After"]) <= 900
    other = make_user(session, ["admin"])  # another username from the same address still signs in
    assert client.post("/api/session", json={"username": other.username, "password": PASSWORD}).status_code == 200


def test_a_success_clears_the_failures(client, session):
    user = make_user(session, ["admin"])
    for _ in range(4):
        client.post("/api/session", json={"username": user.username, "password": "wrong password"})
    assert client.post("/api/session", json={"username": user.username, "password": PASSWORD}).status_code == 200
    for _ in range(4):
        assert client.post("/api/session", json={"username": user.username, "password": "nope"}).status_code == 401
    assert client.post("/api/session", json={"username": user.username, "password": PASSWORD}).status_code == 200


def test_a_deactivated_user_is_signed_out_at_once(client, session):
    admin = sign_in(client, session)
    user = make_user(session, ["admin"])
    other = client.application.test_client()
    assert other.post("/api/session", json={"username": user.username, "password": PASSWORD}).status_code == 200
    assert admin.patch(f"/api/users/{user.id}", json={"active": False}).status_code == 200
    assert other.get("/api/competitions").status_code == 401


def test_admins_manage_accounts_and_grants(client, session):
    s = setup(session)
    admin = sign_in(client, session)
    created = admin.post("/api/users", json={"username": "gd.admin", "password": "a long enough password",
                                             "grants": [{"role": "zone_admin", "zone": s.zones["GD"]}]})
    assert created.status_code == 201, created.json
    [grant] = created.json["grants"]
    assert grant["competition"] == s.competition_id and grant["zone"] == s.zones["GD"]
    assert admin.post("/api/users", json={"username": "x1", "password": "short"}).json["error"] == \
        "user.password_too_short"
    assert admin.post(f"/api/users/{created.json['id']}/grants", json={"role": "zone_admin"}).json["error"] == \
        "user.zone_required"
    assert admin.delete(f"/api/grants/{grant['id']}").status_code == 204
    listed = {u["username"]: u for u in admin.get("/api/users").json}
    assert listed["gd.admin"]["grants"] == []


def test_changing_ones_own_password(client, session):
    api = sign_in(client, session)
    assert api.put("/api/session/password", json={"current_password": "wrong", "new_password": "x" * 12}
                   ).json["error"] == "user.wrong_password"
    assert api.put("/api/session/password", json={"current_password": PASSWORD, "new_password": "n" * 12}
                   ).status_code == 204
