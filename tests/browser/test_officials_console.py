"""The officials' pages in headless Chromium: the chief judge's console live over Socket.IO and acting on
sheets; screenshots of every officials' page in both languages (test-artifacts/officials-*.png).
(Here rather than in tests/officials so that it shares this folder's one Playwright instance.)"""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from compete.accounts import judges
from compete.registration.models import Team
from compete.security import SYSTEM
from scoring import panels
from tests.browser.conftest import screenshot
from tests.factories import scenario
from tests.officials.support import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def call(base: str, path: str, body: dict, headers: dict) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def fill(base: str, s, judge: int, team: int, **values: str) -> None:  # type: ignore[no-untyped-def]
    marks = {"T1": "8", "T2": "7", "P1": "2", "P2": "5", "P3": "15", **values}
    for aspect, value in marks.items():
        call(base, "/api/marks", {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team),
                                  "aspect": s.aspects[aspect], "value": value}, s.auth(judge))


def sign_in(context, base: str, session, *roles: str) -> None:  # type: ignore[no-untyped-def]
    name = f"u{uuid.uuid4().hex[:8]}"
    make_user(session, roles, username=name)
    response = context.request.post(base + "/api/session", data=json.dumps({"username": name, "password": PASSWORD}),
                                    headers={"Content-Type": "application/json"})
    assert response.ok, response.text()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_chief_judges_console_is_live_and_signs_off(live_server, browser, session, lang):
    base = live_server.url
    s = scenario(session, judges=3, teams=4)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("window.confirm = function () { return true; };")
    page = context.new_page()
    try:
        sign_in(context, base, session, "chief_judge")
        call(base, "/api/devices/heartbeat", {"pending": 0}, s.auth(0))
        call(base, "/api/devices/heartbeat", {"pending": 3}, s.auth(1))
        fill(base, s, 0, 0, P1="0")
        call(base, f"/api/sheets/{s.sheet(0, 0)}/submit", {}, s.auth(0))
        fill(base, s, 1, 0, P1="2")
        fill(base, s, 0, 1)
        call(base, f"/api/sheets/{s.sheet(0, 1)}/submit", {}, s.auth(0))

        page.goto(f"{base}/officials/panels/{s.panel_id}?lang={lang}")
        page.wait_for_selector("#conn[data-state=online]", timeout=10_000)
        assert page.locator("#violations li.spread").first.inner_text().startswith("HN-01 · P1")
        assert page.locator('[data-kpi="violations"]').inner_text() == "1"
        assert page.locator(f'tr[data-judge="{s.judge_ids[1]}"] td.num.hot').inner_text() == "3"
        assert page.locator(f'tr[data-judge="{s.judge_ids[2]}"] .dot.off').count() == 1

        # live: a judge submits on the tablet → the console shows it without a reload
        fill(base, s, 1, 1)
        call(base, f"/api/sheets/{s.sheet(1, 1)}/submit", {}, s.auth(1))
        page.wait_for_selector(f'button[data-sheet="{s.sheet(1, 1)}"][data-state="submitted"]', timeout=5_000)
        # live: a heartbeat from the third tablet turns it online with its queue
        call(base, "/api/devices/heartbeat", {"pending": 4}, s.auth(2))
        page.wait_for_selector(f'tr[data-judge="{s.judge_ids[2]}"] .dot.on', timeout=5_000)

        # the chief judge checks one sheet from its menu, then signs the entry
        page.click(f'button[data-sheet="{s.sheet(0, 1)}"]')
        page.click('#sheet-menu button[data-menu-action="check"]')
        page.wait_for_selector(f'button[data-sheet="{s.sheet(0, 1)}"][data-state="checked"]', timeout=5_000)
        page.click(f'button[data-entry-action="sign"][data-team="{s.team_ids[1]}"]')
        page.wait_for_selector(f'button[data-sheet="{s.sheet(0, 1)}"][data-state="signed"]', timeout=5_000)
        # signing the entry in violation is refused with the reason
        page.click(f'button[data-sheet="{s.sheet(0, 0)}"]')
        page.click('#sheet-menu button[data-menu-action="check"]')
        page.wait_for_selector(f'button[data-sheet="{s.sheet(0, 0)}"][data-state="checked"]', timeout=5_000)
        page.click(f'button[data-entry-action="sign"][data-team="{s.team_ids[0]}"]')
        page.wait_for_selector("#toast.warn:not([hidden])", timeout=5_000)
        assert "P1" in page.locator("#toast").inner_text()
        page.wait_for_timeout(300)
        screenshot(page, f"officials-console-{lang}")
        page.set_viewport_size({"width": 800, "height": 1280})  # a chief judge on a tablet, portrait
        page.evaluate("document.getElementById('toast').hidden = true")
        screenshot(page, f"officials-console-tablet-{lang}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_organisers_pages(live_server, browser, session, lang):
    base = live_server.url
    s = scenario(session, judges=3, teams=4)
    home = session.get(Team, s.team_ids[2]).institution_id
    local = judges.create_judge(session, s.competition_id, judges.NewJudge("本校裁判", institution_id=home),
                                actor=SYSTEM)
    panels.assign_judge(session, SYSTEM, s.panel_id, local.id)
    session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script("window.print = function () { document.body.dataset.printed = '1'; };")
    page = context.new_page()
    try:
        sign_in(context, base, session, "admin")
        call(base, "/api/devices/heartbeat", {"pending": 2}, s.auth(0))
        fill(base, s, 0, 0)
        call(base, f"/api/sheets/{s.sheet(0, 0)}/submit", {}, s.auth(0))

        page.goto(f"{base}/officials/competitions/{s.competition_id}/progress?lang={lang}")
        page.wait_for_selector("#conn[data-state=online]", timeout=10_000)
        assert page.locator(f'tr[data-panel="{s.panel_id}"]').count() == 1
        fill(base, s, 1, 0)
        call(base, f"/api/sheets/{s.sheet(1, 0)}/submit", {}, s.auth(1))
        page.wait_for_selector('[data-kpi="in"]:text("2 / 15")', timeout=5_000)
        screenshot(page, f"officials-progress-{lang}")

        page.goto(f"{base}/officials/competitions/{s.competition_id}/judges?lang={lang}")
        page.click(f'button[data-invite="{s.judge_ids[0]}"]')
        page.wait_for_selector("#invite-qr svg", timeout=5_000)
        assert "/j/" in page.locator("#invite-link").inner_text()
        screenshot(page, f"officials-judges-{lang}")

        page.goto(f"{base}/officials/competitions/{s.competition_id}/judges/qr?lang={lang}&title=HN")
        page.click("#issue")
        page.wait_for_selector("body[data-printed='1']", timeout=5_000)
        assert page.locator(".qr-card .qr svg").count() == 4
        screenshot(page, f"officials-qr-{lang}")

        page.goto(f"{base}/officials/competitions/{s.competition_id}/panels?lang={lang}")
        assert page.locator(".panel-card").count() == 1
        assert page.locator("button[data-override]").count() == 1  # 本校裁判 × HN-03
        screenshot(page, f"officials-panels-{lang}")
    finally:
        context.close()
