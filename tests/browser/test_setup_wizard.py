"""An organiser signs in, creates a competition with two zones in the set-up wizard, and imports
institutions and 4,500 competitors through the pages, watching the progress bar (both languages)."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import PASSWORD, make_user
from tests.browser.conftest import screenshot
from tests.registration.factories import TEAM_HEADER, team_rows, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.slow]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT = {
    "zh_CN": {"created": "已创建", "done": "已导入", "progress": "报名进度"},
    "en": {"created": "Created", "done": "Imported", "progress": "Registration progress"},
}


def institutions_file() -> bytes:
    rows = [[f"广东省学院{i}", "广东省", "GD"] for i in range(25)] + [[f"湖南省学院{i}", "湖南省", "湖南赛区"]
                                                                   for i in range(25)]
    return xlsx(["院校名称", "省份", "赛区"], rows)


def teams_file() -> bytes:
    names = [f"广东省学院{i}" for i in range(25)] + [f"湖南省学院{i}" for i in range(25)]
    rows = team_rows(names, teams_per_institution=30, members=3, coaches=0)
    for row in rows:
        row[1] = "higher"  # the division by its group, whatever the wizard named it
    assert len(rows) == 4500
    return xlsx(TEAM_HEADER, rows)


def import_file(page, kind: str, name: str, content: bytes, shot: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Upload through the import page; return every progress value the bar showed."""
    page.select_option("#import-kind", kind)
    page.set_input_files("#import-file", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.evaluate("""() => {
        window.seen = [];
        const bar = document.querySelector('#import-progress .bar');
        new MutationObserver(() => window.seen.push(bar.getAttribute('aria-valuenow')))
            .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
    }""")
    page.click("#import-start")
    page.wait_for_selector("#import-progress:not([hidden])", timeout=5_000)
    if shot:  # a picture of the bar on its way (not asserted: a fast machine may skip past it)
        try:
            page.wait_for_function("() => { const v = +document.querySelector('#import-progress .bar')"
                                   ".getAttribute('aria-valuenow'); return v >= 30 && v < 100; }", timeout=20_000)
            page.wait_for_timeout(400)  # let the bar's width transition finish
            screenshot(page, shot)
        except Exception:  # noqa: BLE001 - playwright's timeout
            pass
    page.wait_for_selector("#import-form[data-state=done]", timeout=60_000)
    return page.evaluate("window.seen")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_an_organiser_sets_up_a_competition_and_imports_teams(live_server, browser, session, lang):
    user = make_user(session, ["admin"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{live_server.url}/login?lang={lang}&next=/console/new")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/new", timeout=10_000)

        step1 = page.locator("#step-1")
        step1.locator("input[name=name]").fill("2026 应急救援技术赛项选拔赛" if lang == "zh_CN" else "2026 Rescue Cup")
        codes, names = page.locator("#zones input[name=code]"), page.locator("#zones input[name=zname]")
        codes.nth(0).fill("GD")
        names.nth(0).fill("广东赛区")
        codes.nth(1).fill("HN")
        names.nth(1).fill("湖南赛区")
        screenshot(page, f"setup-wizard-1-{lang}")
        page.click("#save-competition")
        page.wait_for_selector("#step-2:not([hidden])", timeout=10_000)

        step2 = page.locator("#step-2")
        step2.locator("input[name=code]").fill("YJJY")
        step2.locator("input[name=name]").fill("应急救援技术")
        row = page.locator("#divisions tbody tr").first
        row.locator("input[name=min]").fill("2")
        row.locator("input[name=max]").fill("3")
        row.locator("input[name=per_institution]").fill("30")
        page.click("#save-event")
        page.wait_for_selector(f"#created-events li:has-text('{TEXT[lang]['created']}')", timeout=10_000)
        page.click("#finish")
        page.wait_for_selector("#step-3:not([hidden])")
        assert page.locator("#next-steps a.scheme").get_attribute("href").endswith("/scheme")
        screenshot(page, f"setup-wizard-3-{lang}")

        page.click("#go-import")
        page.wait_for_selector("#import-form")
        import_file(page, "institutions", "院校.xlsx", institutions_file())
        seen = import_file(page, "teams", "报名表.xlsx", teams_file(), shot=f"setup-import-progress-{lang}")
        assert seen and seen[-1] == "100"
        assert page.locator("#import-progress .bar").get_attribute("aria-valuenow") == "100"
        status = page.locator("#import-status").inner_text()
        assert "4500" in status and "1500" in status
        assert page.locator("#import-report").is_hidden()
        screenshot(page, f"setup-import-{lang}")

        page.click(".menu a >> nth=0")
        page.wait_for_selector("#progress")
        assert TEXT[lang]["progress"] in page.content()
        zones = page.locator("#progress tbody tr")
        assert zones.count() == 2 and page.locator("#total-teams").inner_text() == "1500"
        screenshot(page, f"setup-overview-{lang}")
    finally:
        page.close()


def test_a_refused_import_shows_the_rows_to_fix(live_server, browser, session):
    from tests.registration.factories import setup

    s = setup(session)
    user = make_user(session, ["zone_admin"], zone_id=s.zones["GD"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{live_server.url}/login?lang=zh_CN&next=/console/competitions/{s.competition_id}/import")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#import-form")
        rows = team_rows(["广东省学院0", "湖南省学院0"], teams_per_institution=1, members=2, coaches=0)
        rows[0][6] = "队长"
        page.set_input_files("#import-file", files=[{"name": "t.xlsx", "mimeType": XLSX,
                                                     "buffer": xlsx(TEAM_HEADER, rows)}])
        page.click("#import-start")
        page.wait_for_selector("#import-form[data-state=failed]", timeout=30_000)
        cells = page.locator("#import-report tbody tr td:first-child").all_inner_texts()
        assert cells == ["2", "4", "5"]
        assert "未知身份：队长。" in page.locator("#import-report").inner_text()
        screenshot(page, "setup-import-refused-zh_CN")
    finally:
        page.close()
