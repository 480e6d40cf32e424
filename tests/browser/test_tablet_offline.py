"""The judge's tablet in headless Chromium at tablet size: marks survive a network cut and a
reload, reach the server exactly once, and show on the board; refusals show at the field.

Issue 4's "done when": a judge signs in, enters marks, the network is cut (offline emulation),
enters more marks, reloads the page, the network returns; afterwards the server holds each mark
exactly once and the board shows them.
"""

from __future__ import annotations

import json
import time
import urllib.request
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from compete.accounts.models import Device
from scoring.models import Mark, Sheet, SheetRevision
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import scenario
from tests.tablet.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}


def new_page(context):  # type: ignore[no-untyped-def]
    """A page whose console and errors end up in the test's output when it fails."""
    page = context.new_page()
    page.on("console", lambda message: print("console:", message.type, message.text))
    page.on("pageerror", lambda error: print("page error:", error))
    return page


def aspect(page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f".aspect[data-code='{code}']")


def keypad(page, code: str, keys: str) -> None:  # type: ignore[no-untyped-def]
    aspect(page, code).locator("button.value").click()
    for key in keys:
        page.locator(f"#keypad button[data-key='{key}']").click()
    page.locator("#keypad-ok").click()


def wait_status(page, code: str, status: str, value: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f".aspect[data-code='{code}'][data-status='{status}'][data-value='{value}']",
                           timeout=10_000)


def board(base: str, board_id: int) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(f"{base}/api/boards/{board_id}", timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def open_first_sheet(page, s) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"a.entry[data-sheet='{s.sheet(0, 0)}']").click()
    page.wait_for_selector(".aspect[data-code='P4']")


def test_marks_survive_a_network_cut_and_a_reload_and_are_stored_exactly_once(live_server, browser, session):
    s = scenario(session, judges=2, teams=3)
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="en-US")
    page = new_page(context)
    try:
        sign_in(page, live_server.url, session, s, judge=0, lang="en")
        page.wait_for_selector("a.entry[data-sheet]")
        assert page.locator("a.entry .entry-code").all_inner_texts() == ["HN-01", "HN-02", "HN-03"]
        open_first_sheet(page, s)
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)

        # online: a points mark by keypad, a judgement, a measurement
        keypad(page, "T1", "8")
        aspect(page, "P1").locator("button[data-value='2']").click()
        aspect(page, "P2").locator("button[data-value='5']").click()
        for code, value in (("T1", "8"), ("P1", "2"), ("P2", "5")):
            wait_status(page, code, "saved", value)
        page.wait_for_selector("#waiting[data-count='0']")

        # the network is cut: more marks queue up on the tablet
        context.set_offline(True)
        page.wait_for_selector("#conn[data-state='offline']")
        keypad(page, "T2", "7.5")
        keypad(page, "P3", "15")
        aspect(page, "P4").locator("button.step.up").click()
        aspect(page, "P4").locator("button.step.up").click()
        page.wait_for_selector("#waiting[data-count='3']", timeout=5_000)
        for code, value in (("T2", "7.5"), ("P3", "15"), ("P4", "2")):
            wait_status(page, code, "queued", value)

        # a reload without network: the shell comes from the service worker, the sheet from
        # the tablet's cache, and the queued values show over the last known server values
        reloaded = page.reload()
        assert reloaded is not None and reloaded.from_service_worker  # the network is really gone
        page.wait_for_selector(".aspect[data-code='P4']")
        assert page.locator("#waiting").get_attribute("data-count") == "3"
        assert page.locator("#conn").get_attribute("data-state") == "offline"
        for code, value in (("T2", "7.5"), ("P3", "15"), ("P4", "2")):
            wait_status(page, code, "queued", value)
        for code, value in (("T1", "8"), ("P1", "2"), ("P2", "5")):
            wait_status(page, code, "saved", value)
        assert page.locator("#grand-total").inner_text() == "37.50 / 51.00"  # 8+7.5 | 4+5+15−2

        # the network returns: the queue drains by itself
        context.set_offline(False)
        page.wait_for_selector("#waiting[data-count='0']", timeout=15_000)
        for code, value in (("T2", "7.5"), ("P3", "15"), ("P4", "2")):
            wait_status(page, code, "saved", value)
        page.wait_for_selector("#conn[data-state='online']")
    finally:
        context.close()

    # each mark exactly once
    session.expire_all()
    marks = session.execute(select(Mark.sheet_id, Mark.aspect_id, Mark.value, Mark.submission_id)).all()
    assert len(marks) == 6
    assert len({m.submission_id for m in marks}) == 6
    assert {m.sheet_id for m in marks} == {s.sheet(0, 0)}
    by_aspect = {m.aspect_id: Decimal(m.value) for m in marks}
    expected = {"T1": "8", "T2": "7.5", "P1": "2", "P2": "5", "P3": "15", "P4": "2"}
    assert by_aspect == {s.aspects[code]: Decimal(v) for code, v in expected.items()}

    # and the board shows them: theory (8 + 7.5) × 0.3 + practical (6×2/3 + 5 + 15 − 2) × 0.7
    deadline = time.monotonic() + 15
    row = None
    while time.monotonic() < deadline:
        rows = {r["code"]: r for r in board(live_server.url, s.board_id)["rows"]}
        row = rows.get("HN-01")
        if row is not None and row["total"] == "20.05":
            break
        time.sleep(0.2)
    assert row is not None and row["total"] == "20.05", row


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_refused_mark_shows_the_servers_message_at_the_field(live_server, browser, session, lang):
    s = scenario(session, judges=1, teams=2)
    context = browser.new_context(viewport=LANDSCAPE, has_touch=True)
    page = new_page(context)
    try:
        sign_in(page, live_server.url, session, s, judge=0, lang=lang)
        open_first_sheet(page, s)
        aspect(page, "P1").locator("button[data-value='3']").click()
        wait_status(page, "P1", "saved", "3")

        # the chief judge has taken the sheet meanwhile: the next mark is refused
        session.execute(update(Sheet).where(Sheet.id == s.sheet(0, 0)).values(state="submitted"))
        session.commit()
        keypad(page, "T1", "9.25")
        wait_status(page, "T1", "refused", "9.25")
        message = aspect(page, "T1").locator(".field-error").inner_text()
        expected = {"en": "This scoresheet is no longer open for marks.", "zh_CN": "该评分表已不再接受分数。"}[lang]
        assert expected in message
        assert page.locator("#waiting").get_attribute("data-count") == "0"
        # the sheet's new state reaches the page: read-only now
        page.wait_for_selector("#sheet[data-state='submitted']", timeout=10_000)
        assert aspect(page, "P1").locator("button[data-value='0']").is_disabled()
        assert aspect(page, "T1").get_attribute("data-status") == "refused"  # still visibly unsaved
        page.wait_for_selector(f"a.entry[data-sheet='{s.sheet(0, 0)}'][data-state='submitted']")  # the list knows
        viewport_shot(page, f"tablet-refused-{lang}-landscape")
    finally:
        context.close()
    session.expire_all()
    assert session.scalars(select(Mark.value)).all() == [Decimal("3")]


def test_a_complete_sheet_is_submitted_from_the_tablet(live_server, browser, session):
    s = scenario(session, judges=1, teams=2)
    context = browser.new_context(viewport=PORTRAIT, has_touch=True)
    page = new_page(context)
    try:
        sign_in(page, live_server.url, session, s, judge=0, lang="en")
        open_first_sheet(page, s)
        assert page.locator("#submit-sheet").is_disabled()
        keypad(page, "T1", "6")
        keypad(page, "T2", "9")
        aspect(page, "P1").locator("button[data-value='1']").click()
        aspect(page, "P2").locator("button[data-value='0']").click()
        for _ in range(3):
            aspect(page, "P3").locator("button.step.up").click()
        wait_status(page, "P3", "saved", "3")          # the stepper settles, then sends
        assert aspect(page, "P4").get_attribute("data-status") == "empty"  # no deduction: optional
        page.wait_for_selector("#submit-sheet:not([disabled])")
        page.locator("#submit-sheet").click()
        assert "HN-01" in page.locator("#submit-confirm-text").inner_text()
        page.locator("#submit-yes").click()
        page.wait_for_selector("#sheet[data-state='submitted']", timeout=10_000)
        assert page.locator("#sheet-state").inner_text() == "Submitted"
        assert aspect(page, "P1").locator("button[data-value='3']").is_disabled()
        assert page.locator("#submit-box").is_hidden()
    finally:
        context.close()
    session.expire_all()
    assert session.get(Sheet, s.sheet(0, 0)).state == "submitted"
    revision = session.scalars(select(SheetRevision).where(SheetRevision.sheet_id == s.sheet(0, 0))).one()
    assert (revision.from_state, revision.to_state) == ("draft", "submitted")
    assert session.get(Device, revision.device_id).judge_id == s.judge_ids[0]  # the tablet that signed in


def viewport_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """What the judge sees (``screenshot`` takes the full page, where sticky parts float)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_sheet_whose_first_fetches_drop_opens_by_itself(live_server, browser, session):
    """Venue Wi-Fi drops the requests for one sheet (its prefetch, then its opening): the page
    asks again by itself while the sheet stays open, with no reload and no tap."""
    s = scenario(session, judges=1, teams=3)
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="en-US")
    page = new_page(context)
    dropped: list[str] = []

    def flaky(route):  # type: ignore[no-untyped-def]
        if len(dropped) < 2:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    try:
        page.route(f"**/api/judge/sheets/{s.sheet(0, 0)}", flaky)
        sign_in(page, live_server.url, session, s, judge=0, lang="en")
        page.locator(f"a.entry[data-sheet='{s.sheet(0, 0)}']").click()
        page.wait_for_selector(".aspect[data-code='P4']", timeout=15_000)
        assert len(dropped) == 2
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_scoresheet_screenshots(live_server, browser, session, lang, orientation):
    s = scenario(session, judges=1, teams=4)
    viewport = PORTRAIT if orientation == "portrait" else LANDSCAPE
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = new_page(context)
    try:
        sign_in(page, live_server.url, session, s, judge=0, lang=lang)
        if orientation == "portrait":
            viewport_shot(page, f"tablet-entries-{lang}-portrait")
        open_first_sheet(page, s)
        keypad(page, "T1", "8.5")
        aspect(page, "P1").locator("button[data-value='2']").click()
        aspect(page, "P2").locator("button[data-value='5']").click()
        wait_status(page, "P2", "saved", "5")
        context.set_offline(True)
        page.wait_for_selector("#conn[data-state='offline']")
        keypad(page, "P3", "12")
        wait_status(page, "P3", "queued", "12")
        assert page.locator("#waiting").get_attribute("data-count") == "1"
        page.evaluate("window.scrollTo(0, 0)")
        viewport_shot(page, f"tablet-sheet-{lang}-{orientation}")
        screenshot(page, f"tablet-sheet-{lang}-{orientation}-full")
        if orientation == "portrait":
            aspect(page, "T2").locator("button.value").click()
            for key in "12":
                page.locator(f"#keypad button[data-key='{key}']").click()
            page.locator("#keypad-ok").click()  # 12 > max 10: refused on the tablet, at the keypad
            assert page.locator("#keypad-error").inner_text() != ""
            viewport_shot(page, f"tablet-keypad-{lang}-portrait")
    finally:
        context.close()
