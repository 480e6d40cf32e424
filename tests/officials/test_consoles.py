"""Heartbeats, the chief judge's console and the organiser's progress console (read models, pages, rooms)."""

from __future__ import annotations

from html import unescape
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from compete.accounts.models import Device
from compete.events import EventRecord, utcnow
from compete.security import Tokens
from realtime import rooms
from realtime.emit import CHANNEL
from realtime.handlers import officials_room_for
from scoring.models import Panel
from tests.conftest import TEST_SECRET
from tests.factories import scenario
from tests.officials.support import fill, mark, signed_in


def test_a_heartbeat_records_the_device_and_its_queue(client, session):
    s = scenario(session)
    response = client.post("/api/devices/heartbeat", json={"pending": 3}, headers=s.auth(0))
    assert response.status_code == 200 and response.json["device"] == s.device_ids[s.judge_ids[0]]
    assert response.json["server_time"] and response.json["online_window"] == 45
    session.expire_all()
    device = session.get(Device, s.device_ids[s.judge_ids[0]])
    assert device.pending_marks == 3 and device.last_seen_at is not None


@pytest.mark.parametrize(("body", "headers", "status", "code"), [
    ({"pending": -1}, "device", 422, "request.invalid"),
    ({"pending": "x"}, "device", 422, "request.invalid"),
    ({"pending": 1}, None, 401, "device.missing"),
    ({"pending": 1}, "Device nope", 401, "device.unknown"),
])
def test_bad_heartbeats_change_nothing(client, session, body, headers, status, code):
    s = scenario(session)
    auth = s.auth(0) if headers == "device" else ({"Authorization": headers} if headers else {})
    response = client.post("/api/devices/heartbeat", json=body, headers=auth)
    assert response.status_code == status and response.json["error"] == code
    session.expire_all()
    assert session.get(Device, s.device_ids[s.judge_ids[0]]).last_seen_at is None


def test_the_console_shows_sheets_devices_and_disagreements(app, client, session):
    s = scenario(session, judges=3, teams=2)
    chief = signed_in(app, session, "chief_judge")
    client.post("/api/devices/heartbeat", json={"pending": 2}, headers=s.auth(0))
    client.post("/api/devices/heartbeat", json={"pending": 0}, headers=s.auth(1))
    stale = session.get(Device, s.device_ids[s.judge_ids[1]])
    session.expire_all()
    stale = session.get(Device, s.device_ids[s.judge_ids[1]])
    stale.last_seen_at = utcnow() - timedelta(minutes=2)
    session.commit()
    fill(client, s, 0, 0, P1="0", P2="5")
    fill(client, s, 1, 0, P1="3", P2="0")
    client.post(f"/api/sheets/{s.sheet(0, 0)}/submit", headers=s.auth(0))

    data = chief.get(f"/api/panels/{s.panel_id}/progress").json
    assert data["panel"]["name"] == "湖南赛区裁判组" and data["board"] == s.board_id
    assert data["totals"]["sheets"] == 6 and data["totals"]["in"] == 1 and data["totals"]["violations"] == 1
    assert data["totals"]["online"] == 1 and data["totals"]["devices"] == 3 and data["totals"]["pending"] == 2
    judges = {j["id"]: j for j in data["judges"]}
    first = judges[s.judge_ids[0]]
    assert first["in"] == 1 and first["sheets"] == 2 and first["devices"][0]["online"] is True
    assert first["devices"][0]["pending_marks"] == 2
    assert judges[s.judge_ids[1]]["devices"][0]["online"] is False
    assert judges[s.judge_ids[2]]["devices"][0]["last_seen_at"] is None
    entry = next(e for e in data["entries"] if e["team"] == s.team_ids[0])
    assert entry["code"] == "HN-01" and entry["in"] == 1 and entry["violations"] == ["P1"]
    assert entry["sheets"][str(s.judge_ids[0])]["state"] == "submitted"
    assert entry["sheets"][str(s.judge_ids[0])]["marks"] == 5 and entry["can"]["check"] == 1
    assert [v["aspect_code"] for v in data["violations"]] == ["P1"]
    assert [(d["code"], d["aspect_code"]) for d in data["disagreements"]] == [("HN-01", "P2")]
    assert data["recent"][0]["to"] == "submitted" and data["recent"][0]["code"] == "HN-01"
    text = str(data)
    assert "代表队" not in text and "学院" not in text  # blind: codes only, no team or institution names


def test_the_organisers_progress_lists_panels_and_latest_changes(app, client, session):
    s = scenario(session)
    organiser = signed_in(app, session, "admin")
    client.post("/api/devices/heartbeat", json={"pending": 4}, headers=s.auth(0))
    fill(client, s, 0, 0)
    client.post(f"/api/sheets/{s.sheet(0, 0)}/submit", headers=s.auth(0))
    data = organiser.get(f"/api/competitions/{s.competition_id}/scoring-progress").json
    [panel] = data["panels"]
    assert panel["id"] == s.panel_id and panel["in"] == 1 and panel["sheets"] == 12 and panel["marks"] == 5
    assert panel["states"]["submitted"] == 1 and panel["online"] == 1 and panel["pending"] == 4
    types = [e["type"] for e in data["recent"]]
    assert types[0] == "sheet.submitted" and "mark.submitted" not in types


def test_a_zone_admin_sees_only_their_zones_panels(app, session):
    from compete.registration.models import Zone

    s = scenario(session)
    other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other)
    session.commit()
    home_zone = session.get(Panel, s.panel_id).zone_id
    mine = signed_in(app, session, "zone_admin", zone_id=home_zone)
    theirs = signed_in(app, session, "zone_admin", zone_id=other.id)
    assert [p["id"] for p in mine.get(f"/api/competitions/{s.competition_id}/scoring-progress").json["panels"]] == [s.panel_id]
    assert theirs.get(f"/api/competitions/{s.competition_id}/scoring-progress").json["panels"] == []
    assert theirs.get(f"/api/panels/{s.panel_id}/progress").status_code == 404


@pytest.mark.parametrize(("roles", "status"), [(("chief_judge",), 200), (("admin",), 200), (("supervisor",), 200),
                                               (("judge",), 403), (("arbitrator",), 403)])
def test_who_may_watch_a_panel(app, session, roles, status):
    s = scenario(session)
    assert signed_in(app, session, *roles).get(f"/api/panels/{s.panel_id}/progress").status_code == status


TOKEN = re.compile(r'data-panel-token="([^"]+)"')


@pytest.mark.parametrize(("lang", "heading", "button"), [("en", "Chief judge's console", "Sign off all checked sheets"),
                                                         ("zh_CN", "裁判长控制台", "全部已审核评分表签字")])
def test_the_console_page_in_both_languages_carries_a_panel_room_token(app, session, lang, heading, button):
    s = scenario(session)
    chief = signed_in(app, session, "chief_judge")
    page = chief.get(f"/officials/panels/{s.panel_id}?lang={lang}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and heading in unescape(html) and button in html
    token = TOKEN.search(html).group(1)
    assert officials_room_for(Tokens(TEST_SECRET), {"token": token}) == (rooms.panel_room(s.panel_id), None)
    assert officials_room_for(Tokens(TEST_SECRET), {"token": token + "x"}) == (None, rooms.TOKEN_INVALID)
    assert 'data-board-token="' in html and 'data-board-token=""' not in html


def test_the_console_page_sends_strangers_to_sign_in(app, session):
    s = scenario(session)
    response = app.test_client().get(f"/officials/panels/{s.panel_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("page", ["progress", "panels", "judges"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_organisers_pages_render(app, session, page, lang):
    s = scenario(session)
    html = signed_in(app, session, "admin").get(f"/officials/competitions/{s.competition_id}/{page}?lang={lang}")
    assert html.status_code == 200
    text = unescape(html.get_data(as_text=True))
    expected = {("progress", "en"): "Scoring progress", ("progress", "zh_CN"): "评分进度",
                ("panels", "en"): "Chief judge's console", ("panels", "zh_CN"): "裁判长控制台",
                ("judges", "en"): "Judges and tablets", ("judges", "zh_CN"): "裁判与平板"}[(page, lang)]
    assert expected in text


def test_a_sheet_change_and_a_heartbeat_are_published_to_the_officials_rooms(app, client, session, runtime):
    """Through the Redis message queue every web process relays to its sockets in these rooms."""
    s = scenario(session)
    fill(client, s, 0, 0)
    pubsub = runtime.redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    try:
        client.post(f"/api/sheets/{s.sheet(0, 0)}/submit", headers=s.auth(0))
        client.post("/api/devices/heartbeat", json={"pending": 1}, headers=s.auth(0))
        seen: list[tuple[str, str]] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(seen) < 6:
            message = pubsub.get_message(timeout=0.2)
            if message and isinstance(message.get("data"), bytes):
                body = json.loads(message["data"])
                if body.get("event") == rooms.OFFICIALS_CHANGED:
                    seen.append((body["room"], body["data"][0]["kind"]))
    finally:
        pubsub.close()
    zone = session.get(Panel, s.panel_id).zone_id
    targets = [rooms.panel_room(s.panel_id), rooms.progress_room(s.competition_id),
               rooms.progress_room(s.competition_id, zone)]
    assert seen == [(room, "sheets") for room in targets] + [(room, "device") for room in targets]


def test_recent_events_leave_marks_out(app, client, session):
    s = scenario(session)
    mark(client, s, 0, 0, "T1", "5")
    organiser = signed_in(app, session, "admin")
    data = organiser.get(f"/api/competitions/{s.competition_id}/scoring-progress").json
    assert all(e["type"] != "mark.submitted" for e in data["recent"])
    assert session.scalar(select(EventRecord.id).where(EventRecord.type == "mark.submitted"))
