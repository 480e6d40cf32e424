"""A judge signs a tablet in: the one-time link opens a PIN pad; the device token it earns stays
on the tablet; a wrong PIN or a spent link is told at the pad, in the page's language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compete.accounts.models import Device
from tests.browser.test_tablet_offline import PORTRAIT, new_page
from tests.factories import scenario
from tests.tablet.helpers import PIN, issue_invite, tap_pin

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(("lang", "wrong", "spent"), [
    ("en", "Wrong PIN", "already used"),
    ("zh_CN", "PIN", "登录码"),
])
def test_the_pin_pad_signs_the_tablet_in_once(live_server, browser, session, lang, wrong, spent):
    s = scenario(session, judges=1, teams=2)
    invite = issue_invite(session, s.judge_ids[0])
    context = browser.new_context(viewport=PORTRAIT, has_touch=True)
    page = new_page(context)
    try:
        page.goto(f"{live_server.url}/j/{invite}?lang={lang}")
        assert page.locator("#sign-in-submit").is_disabled()  # fewer than 4 digits
        tap_pin(page, "1357")
        page.wait_for_selector("#sign-in-error:not(:empty)")
        assert wrong in page.locator("#sign-in-error").inner_text()
        assert page.evaluate("localStorage.getItem('compete.tablet.token')") is None

        page.locator("#label").fill("Station 3")
        tap_pin(page, PIN)
        page.wait_for_url(f"{live_server.url}/tablet/", timeout=10_000)
        page.wait_for_selector("a.entry[data-sheet]")
        page.wait_for_function("document.getElementById('judge-name').textContent === '裁判0'")
        token = page.evaluate("localStorage.getItem('compete.tablet.token')")
        assert token and token != s.tokens[s.judge_ids[0]]

        # the link is spent: opening it again does not sign in a second tablet
        page.goto(f"{live_server.url}/j/{invite}?lang={lang}")
        tap_pin(page, PIN)
        page.wait_for_selector("#sign-in-error:not(:empty)")
        assert spent in page.locator("#sign-in-error").inner_text()
    finally:
        context.close()
    session.expire_all()
    labels = session.scalars(select(Device.label).where(Device.judge_id == s.judge_ids[0]).order_by(Device.id)).all()
    assert labels == ["tablet", "Station 3"]  # the scenario's device, then this one
