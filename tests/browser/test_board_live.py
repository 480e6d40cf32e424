"""A board page in headless Chromium receives a mark posted through the API, without a reload."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest

from tests.browser.conftest import screenshot
from tests.factories import scenario

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def post_mark(base: str, s, judge: int, team: int, aspect: str, value: str) -> dict:  # type: ignore[no-untyped-def]
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    request = urllib.request.Request(
        base + "/api/marks", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **s.auth(judge)},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        return json.loads(response.read())


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_posted_mark_appears_on_the_board_within_a_second(live_server, browser, session, lang):
    s = scenario(session)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{live_server.url}/boards/{s.board_id}?lang={lang}")
        page.wait_for_selector("#conn[data-state=online]", timeout=10_000)
        assert page.locator("#version").inner_text() == "0"

        post_mark(live_server.url, s, 0, 0, "T1", "8")
        started = time.monotonic()
        page.wait_for_selector("tr[data-code='HN-01'] td.total:text('2.40')", timeout=1_000)
        first = time.monotonic() - started

        post_mark(live_server.url, s, 1, 1, "T1", "10")  # HN-02 overtakes HN-01
        started = time.monotonic()
        page.wait_for_selector("tr[data-code='HN-02'] td.rank:text('1')", timeout=1_000)
        second = time.monotonic() - started

        assert page.locator("#version").inner_text() == "2"
        assert page.locator("tr[data-code]").first.get_attribute("data-code") == "HN-02"
        assert first < 1 and second < 1
        screenshot(page, f"board-{lang}")
    finally:
        page.close()
