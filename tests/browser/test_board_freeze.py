"""A freeze in headless Chromium: the organiser freezes from the publication page; the public
page stays at the freeze while the officials' page keeps moving; unfreezing catches up."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.factories import scenario
from tests.realtime.support import PASSWORD, make_user
from tests.realtime.viewers import Http

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def total(page, code: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-code='{code}'] td.total").inner_text()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_public_page_stays_at_the_freeze_while_the_officials_page_moves(live_server, browser, session, lang):
    s = scenario(session, judges=3, teams=4)
    http = Http(live_server.url)
    http.mark(s, 0, 0, "T1", "8")  # HN-01: 2.40
    http.mark(s, 0, 1, "T1", "6")  # HN-02: 1.80
    public = browser.new_page(viewport={"width": 1280, "height": 720})
    officials_context = browser.new_context(viewport={"width": 1280, "height": 720})
    response = officials_context.request.post(f"{live_server.url}/api/session",
                                              data={"username": make_user(session, ["admin"]),
                                                    "password": PASSWORD})
    assert response.ok
    officials = officials_context.new_page()
    try:
        public.goto(f"{live_server.url}/boards/{s.board_id}?lang={lang}")
        officials.goto(f"{live_server.url}/boards/{s.board_id}?audience=officials&lang={lang}")
        for page in (public, officials):
            page.wait_for_selector("#conn[data-state=online]", timeout=10_000)
            page.wait_for_selector("tr[data-code='HN-02'] td.total:text-is('1.80')", timeout=5_000)

        control = officials_context.new_page()
        control.goto(f"{live_server.url}/boards/{s.board_id}/publish?lang={lang}")
        assert control.locator("button[data-action=unfreeze]").is_disabled()  # only what makes sense now
        control.click("button[data-action=freeze]")
        control.wait_for_selector("#pub-state[data-state=frozen]", timeout=5_000)
        control.wait_for_selector("button[data-action=unfreeze]:enabled", timeout=5_000)
        assert control.locator("button[data-action=freeze]").is_disabled()
        public.wait_for_selector("#board[data-publication=frozen]", timeout=5_000)
        frozen_version = public.locator("#version").inner_text()

        http.mark(s, 1, 1, "T1", "10")  # HN-02: mean 8 → 2.40 (ties HN-01)
        http.mark(s, 2, 1, "T1", "10")  # HN-02: mean 26/3 → 2.60, first
        officials.wait_for_selector("tr[data-code='HN-02'] td.total:text-is('2.60')", timeout=3_000)
        assert officials.locator("tr[data-code]").first.get_attribute("data-code") == "HN-02"
        public.wait_for_timeout(1_000)  # anything sent to the public room has arrived by now
        assert total(public, "HN-02") == "1.80" and public.locator("#version").inner_text() == frozen_version
        assert public.locator("tr[data-code]").first.get_attribute("data-code") == "HN-01"
        public.reload()  # and a fresh page load gets the freeze too
        public.wait_for_selector("#conn[data-state=online]", timeout=10_000)
        assert total(public, "HN-02") == "1.80"
        screenshot(public, f"board-frozen-public-{lang}")
        screenshot(officials, f"board-frozen-officials-{lang}")

        control.click("button[data-action=unfreeze]")
        public.wait_for_selector("tr[data-code='HN-02'] td.total:text-is('2.60')", timeout=5_000)
        assert public.locator("#board").get_attribute("data-publication") == "live"
    finally:
        public.close()
        officials_context.close()
