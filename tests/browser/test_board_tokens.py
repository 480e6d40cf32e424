"""An expired room token: the page asks HTTP for a fresh one, joins, and goes on receiving."""

from __future__ import annotations

import json
import time

import pytest

from compete.security import Tokens
from realtime import rooms
from tests.conftest import TEST_SECRET
from tests.factories import scenario
from tests.realtime.viewers import Http

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: before the page's scripts run, swap the board's room token for a stale one (as if the page
#: had been open for longer than a token lives)
STALE_TOKEN = """
new MutationObserver(function (changes, observer) {
  var board = document.getElementById("board");
  if (board) { board.dataset.token = %s; observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""


def test_a_page_whose_token_expired_renews_it_and_stays_live(live_server, browser, session, monkeypatch):
    s = scenario(session)
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: 1_000_000_000.0)  # signed long ago
        stale = Tokens(TEST_SECRET).sign(rooms.ROOM_TOKEN_KIND, {"b": s.board_id, "a": "public"})
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    renewals: list[str] = []
    page.on("request", lambda r: renewals.append(r.url) if "/room-token" in r.url else None)
    page.add_init_script(STALE_TOKEN % json.dumps(stale))
    try:
        page.goto(f"{live_server.url}/boards/{s.board_id}")
        assert page.locator("#board").get_attribute("data-token") == stale
        page.wait_for_selector("#conn[data-state=online]", timeout=10_000)
        assert len(renewals) == 1  # the join said "expired"; one fresh token from HTTP
        Http(live_server.url).mark(s, 0, 0, "T1", "8")
        page.wait_for_selector("tr[data-code='HN-01'] td.total:text-is('2.40')", timeout=3_000)
    finally:
        page.close()
