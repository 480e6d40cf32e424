"""An organiser writes a marking scheme and the scoring rules in the browser; the chief judge's
consistency chart renders (real server processes, headless Chromium, both languages)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlparse

import pytest

from compete.registration.models import SkillEvent
from scoring import repository
from tests.accounts.helpers import PASSWORD, make_user
from tests.browser.conftest import screenshot
from tests.scoring.wiring.factories import bare_event
from tests.scoring.wiring.test_consistency_api import scored

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def signed_in(browser, live_server, session, roles, path, lang):  # type: ignore[no-untyped-def]
    user = make_user(session, roles)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login?lang={lang}&next={path}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlparse(url).path == path, timeout=10_000)
    return page, errors


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_an_organiser_writes_a_scheme_and_its_rules(live_server, browser, session, lang):
    bare = bare_event(session)
    page, errors = signed_in(browser, live_server, session, ["admin"], f"/events/{bare.event_id}/scheme", lang)
    try:
        page.wait_for_selector("#criteria[data-ready]", state="attached")
        page.fill("#scheme-name", "评分标准")
        page.click("#add-criterion")
        page.click("#add-criterion")
        first, second = page.locator(".criterion").nth(0), page.locator(".criterion").nth(1)
        first.locator("header [name=code]").fill("theory")
        first.locator("header [name=name]").fill("理论")
        first.locator("[name=weight]").fill("30")
        first.locator(".aspects [name=name]").fill("安全知识")
        second.locator("header [name=code]").fill("practical")
        second.locator("header [name=name]").fill("实操")
        second.locator("[name=weight]").fill("60")
        second.locator(".aspects [name=name]").fill("绳索救援")
        second.locator(".aspects [name=kind]").select_option("judgement")
        second.locator(".aspects [name=max]").fill("0")
        assert "90" in page.inner_text("#summary")  # the running total of the weights
        page.click("#save")
        page.wait_for_function("document.getElementById('message').textContent.includes('0.9')")
        second.locator("[name=weight]").fill("70")
        page.click("#save")  # the weights are right now; the judgement aspect's maximum is not
        page.wait_for_function("document.querySelector('[data-path=\"criteria[1].aspects[0].max\"]')"
                               ".getAttribute('aria-invalid') === 'true'")
        screenshot(page, f"scheme-editor-refused-{lang}")
        session.expire_all()
        assert repository.load_scheme(session, bare.event_id).aspects == ()  # nothing stored

        second.locator(".aspects [name=max]").fill("6")
        page.click("#save")
        page.wait_for_selector("#saved:not([hidden])", timeout=10_000)
        screenshot(page, f"scheme-editor-{lang}")
        session.expire_all()
        scheme = repository.load_scheme(session, bare.event_id)
        assert [(m.code, m.weight) for m in scheme.modules] == [("theory", Decimal("0.3")), ("practical", Decimal("0.7"))]
        assert [a.kind.value for a in scheme.aspects] == ["points", "judgement"]

        page.goto(f"{live_server.url}/events/{bare.event_id}/rules?lang={lang}")
        page.wait_for_selector("#rules[data-ready]", state="attached")
        page.select_option('[data-path="aggregation"]', "trimmed_mean")
        page.fill('[data-path="prizes.ratios[0]"]', "15")
        page.fill('[data-path="decimals"]', "x")
        page.click("#save")
        page.wait_for_function("document.getElementById('message').textContent.length > 0")
        assert page.locator('[data-path="decimals"]').get_attribute("aria-invalid") == "true"
        page.fill('[data-path="decimals"]', "3")
        page.select_option("#comparator", "module:practical")
        page.click("#add-comparator")
        page.click("#save")
        page.wait_for_selector("#saved:not([hidden])", timeout=10_000)
        screenshot(page, f"rules-{lang}")
        session.expire_all()
        rules = session.get(SkillEvent, bare.event_id).rules
        assert rules["aggregation"] == "trimmed_mean" and rules["decimals"] == 3
        assert rules["prizes"]["ratios"] == ["0.15", "0.2", "0.3"]
        assert rules["tie_chain"] == ["total", "module:practical"]
        assert errors == []
    finally:
        page.close()


def test_the_chief_judge_sees_the_consistency_chart(live_server, browser, session):
    s = scored(session)
    page, errors = signed_in(browser, live_server, session, ["chief_judge"], f"/panels/{s.panel_id}/consistency",
                             "zh_CN")
    try:
        assert page.locator("svg.bias-chart .bias-bar").count() == 3
        assert page.locator(".bias-bar.high").count() == 1  # the generous judge
        screenshot(page, "judge-consistency-zh_CN")
        assert errors == []
    finally:
        page.close()
