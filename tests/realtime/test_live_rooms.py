"""Rooms over real sockets: tokens open rooms, and a frozen public board never leaks.

The leak test reads EVERY public payload while a board is frozen - each socket message a
python-socketio viewer in the public room receives, and every public HTTP answer (the
snapshot API, the board page, the phone page) polled while judges keep scoring - and shows
that none carries a value entered after the freeze, while the officials' viewer sees them all.
"""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from tests.factories import scenario
from tests.realtime.support import PASSWORD, make_user
from tests.realtime.viewers import Http, Viewer

pytestmark = [pytest.mark.slow]


def test_a_room_opens_only_with_a_valid_token_from_http(live_server, session):
    s = scenario(session)
    http = Http(live_server.url)
    assert http.request("GET", f"/api/boards/{s.board_id}/room-token?audience=officials")[0] == 401
    viewer = Viewer(live_server.url)
    try:
        assert viewer.join("forged.token.value") == {"ok": False, "error": "room.token_invalid"}
        reply = viewer.join(http.token(s.board_id))
        assert reply == {"ok": True, "room": f"board:{s.board_id}:public"}
        judge = Http(live_server.url)
        judge.sign_in(make_user(session, ["judge"]), PASSWORD)
        assert judge.request("GET", f"/api/boards/{s.board_id}/room-token?audience=officials")[0] == 403
        chief = Http(live_server.url)
        chief.sign_in(make_user(session, ["chief_judge"]), PASSWORD)
        assert viewer.join(chief.token(s.board_id, "officials"))["room"] == f"board:{s.board_id}:officials"
        http.mark(s, 0, 0, "T1", "5")
        board = viewer.wait_for(lambda b: b["version"] >= 1)
        assert board["rows"][0]["total"] == "1.50"
    finally:
        viewer.close()


def pairs(rows) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(row["code"], row["total"]) for row in rows}


def embedded_snapshot(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="snapshot">(.*?)</script>', html, re.S)
    assert found, "the page embeds its snapshot"
    return json.loads(found.group(1))


def test_every_public_payload_during_a_freeze_stays_at_the_freeze(live_server, session):
    s = scenario(session, judges=3, teams=6)
    organiser = Http(live_server.url)
    organiser.sign_in(make_user(session, ["admin"]), PASSWORD)
    public, officials = Viewer(live_server.url), Viewer(live_server.url)
    captured_http: list[tuple[str, dict]] = []
    stop = threading.Event()
    try:
        assert public.join(Http(live_server.url).token(s.board_id))["ok"]
        assert officials.join(organiser.token(s.board_id, "officials"))["ok"]
        for team, value in enumerate(["6", "5", "4", "7", "3", "8"]):
            organiser.mark(s, 0, team, "T1", value)
        public.wait_for(lambda b: len([r for r in b["rows"] if r.get("rank")]) == 6)

        status, change, _ = organiser.request("POST", f"/api/boards/{s.board_id}/publication", {"action": "freeze"})
        assert status == 200 and change["publication"] == "frozen"
        frozen = public.wait_for(lambda b: b["publication"] == "frozen")
        frozen_pairs = pairs(frozen["rows"])
        messages_at_freeze = len(public.messages)

        def poll() -> None:  # every public HTTP answer while the judges score on
            anonymous = Http(live_server.url)
            while not stop.is_set():
                for path in (f"/api/boards/{s.board_id}", f"/boards/{s.board_id}", f"/phone/{s.board_id}"):
                    status, body, text = anonymous.request("GET", path)
                    assert status == 200
                    captured_http.append((path, body if body is not None else embedded_snapshot(text)))
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        for team, value in enumerate(["10", "1", "9", "2", "8", "0"]):  # after the freeze
            organiser.mark(s, 1, team, "T1", value)
            organiser.mark(s, 2, team, "T2", value)
        moved = officials.wait_for(lambda b: sum(r["marks"] for r in b["rows"]) == 18)
        time.sleep(0.6)  # anything the public room would get has had time to arrive
        stop.set()
        poller.join()

        after_freeze = pairs(moved["rows"]) - frozen_pairs
        assert after_freeze, "the officials' board moved after the freeze"
        public_after = [m for _, m in public.messages[messages_at_freeze:]]
        assert public_after == []  # not one public message while frozen
        assert len(captured_http) >= 9
        for path, payload in captured_http:
            assert payload["version"] == frozen["version"], path
            assert pairs(payload["rows"]) == frozen_pairs, path
            assert not pairs(payload["rows"]) & after_freeze, path
            assert all("marks" not in row and "flags" not in row for row in payload["rows"]), path
        for _, message in public.messages:  # and nothing before either carried officials' fields
            for row in message.get("rows", []) + [r for _, r in message.get("delta", {}).get("rows", [])]:
                assert set(row) <= {"code", "rank", "total", "prize", "medal"}

        status, _, _ = organiser.request("POST", f"/api/boards/{s.board_id}/publication", {"action": "unfreeze"})
        assert status == 200
        thawed = public.wait_for(lambda b: b["publication"] == "live")
        assert pairs(thawed["rows"]) == pairs(moved["rows"])  # the capture would have seen them
    finally:
        stop.set()
        public.close()
        officials.close()
