"""What ``compete run --demo`` prints really opens the demo: organiser, chief judge, a tablet."""

from __future__ import annotations

from compete.db import session_scope
from scoring.demo import seed
from scoring.demo_access import open_demo


def test_the_printed_accounts_and_tablet_link_work(app, client, runtime):
    tokens = app.extensions["compete.tokens"]
    with session_scope(runtime.sessions) as session:
        summary = seed(session)
        access = open_demo(session, tokens, summary.competition_id)
    lines = access.lines("http://127.0.0.1:5000/")
    assert "admin" in lines[0] and access.admin_password in lines[0] and access.invite_path in lines[2]

    signed = client.post("/api/session", json={"username": "admin", "password": access.admin_password})
    assert signed.status_code == 200 and "admin" in signed.json["roles"]
    with app.test_client() as chief:
        assert chief.post("/api/session", json={"username": "chief", "password": access.chief_password}).status_code == 200
        assert chief.get(f"/api/panels/{access.chief_panel_id}/progress").status_code == 200

    with app.test_client() as tablet:  # a tablet has no organiser's cookie
        invite = access.invite_path.removeprefix("/j/")
        device = tablet.post("/api/devices", json={"invite": invite, "pin": access.pin, "label": "demo"})
        assert device.status_code == 201, device.json
        me = tablet.get("/api/judge/me", headers={"Authorization": f"Device {device.json['token']}"})
        assert me.status_code == 200 and access.judge_name in str(me.json), me.json


def test_opening_the_demo_again_resets_the_passwords(app, runtime):
    tokens = app.extensions["compete.tokens"]
    with session_scope(runtime.sessions) as session:
        summary = seed(session)
        first = open_demo(session, tokens, summary.competition_id)
        second = open_demo(session, tokens, summary.competition_id)
    assert first.admin_password != second.admin_password and first.invite_path != second.invite_path
