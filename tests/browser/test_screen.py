"""The hall's big screen (1920×1080) and the phone page (390×844) in headless Chromium: they
update live as marks arrive, cycle through the competition's boards, and run the ceremony."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from compete.registration.models import Division, Institution, Stage, Zone
from scoring import boards
from scoring.models import Board
from tests.browser.conftest import screenshot
from tests.factories import lock_sheets, scenario
from tests.realtime.support import PASSWORD, make_user
from tests.realtime.viewers import Http

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = ["湖南安全技术职业学院", "重庆工业职业技术学院", "重庆安全技术职业学院", "兰州资源环境职业技术大学",
         "广西安全工程职业技术学院", "江苏安全技术职业学院", "辽源职业技术学院", "酒泉职业技术学院",
         "兰州石化职业技术大学", "甘肃卫生职业学院", "培黎职业学院", "顺德职业技术学院", "浙江安防职业技术学院",
         "武汉职业技术学院", "湖南应急职业学院"]
#: (T1, P3) per team: 12 teams, every judge gives the same marks
MARKS = [("8", "15"), ("9", "17"), ("6", "12"), ("7", "18"), ("5", "10"), ("9", "14"),
         ("4", "16"), ("8", "11"), ("6", "19"), ("7", "13"), ("3", "9"), ("10", "12")]


@pytest.fixture
def hall(live_server, session):  # type: ignore[no-untyped-def]
    """A zone board of 12 scored teams with real institution names, and a second, empty zone board."""
    s = scenario(session, judges=3, teams=12, rules={"aggregation": "mean", "advancement": {"per_zone": 3}})
    for institution, name in zip(session.scalars(select(Institution).order_by(Institution.id)), NAMES, strict=False):
        institution.name = name
    board = session.get(Board, s.board_id)
    other = Zone(competition_id=s.competition_id, code="CQ", name="重庆赛区")
    session.add(other)
    session.flush()
    second = boards.get_or_create(session, session.get(Stage, board.stage_id), session.get(Division, board.division_id),
                                  other.id, "应急救援技术 · 高职组 · 重庆赛区")
    session.commit()
    http = Http(live_server.url)
    for team, (t1, p3) in enumerate(MARKS[:11]):  # the last team has not been scored yet
        for judge in range(3):
            http.mark(s, judge, team, "T1", t1)
            http.mark(s, judge, team, "P3", p3)
    s.second_board_id = second.id  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while True:  # the worker has caught up: 11 ranked teams on the public board
        board = http.request("GET", f"/api/boards/{s.board_id}")[1]
        if sum(1 for row in board["rows"] if row.get("rank")) == 11 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    s.version = board["version"]  # type: ignore[attr-defined]
    return s


def settle(page, version_at_least: int = 1) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "v => document.getElementById('screen').dataset.version >= v", arg=version_at_least, timeout=10_000)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_big_screen_updates_live(live_server, browser, hall, lang):
    s = hall
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{live_server.url}/screen/{s.competition_id}?lang={lang}&seconds=600")
        page.wait_for_selector("#sc-conn[data-state=online]", timeout=10_000)
        settle(page, s.version)  # all 11 scored teams in
        first_rows = page.locator("#sc-rows li").count()
        assert first_rows == 10  # page 1 of 2 (12 rows)
        assert page.locator("#sc-rows li.qualify-after").count() == 1
        assert page.locator("#sc-rows li").nth(2).get_attribute("class").find("qualify-after") >= 0  # top 3
        assert page.locator("#sc-rows li.prize-first, #sc-rows li.prize-second, #sc-rows li.prize-third").count() >= 3
        leader = page.locator("#sc-rows li").first.get_attribute("data-code")
        screenshot(page, f"screen-{lang}")

        http = Http(live_server.url)
        for judge in range(3):  # the last team scores high: HN-12 takes the lead
            http.mark(s, judge, 11, "T1", "10")
            http.mark(s, judge, 11, "P3", "20")
        page.wait_for_selector("#sc-rows li[data-code='HN-12'] .sc-rank:text-is('1')", timeout=3_000)
        assert page.locator("#sc-rows li").first.get_attribute("data-code") == "HN-12" != leader
        assert page.locator(f"#sc-rows li[data-code='{leader}'] .sc-move.down").count() == 1  # moved down: ▼1
        page.wait_for_timeout(1_200)  # the rows have glided to their new places
        screenshot(page, f"screen-moved-{lang}")
    finally:
        page.close()


def test_the_big_screen_cycles_through_pages_and_boards(live_server, browser, hall):
    s = hall
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{live_server.url}/screen/{s.competition_id}?lang=en&seconds=3")
        page.wait_for_selector("#sc-conn[data-state=online]", timeout=10_000)
        page.wait_for_selector("#sc-page:text-is('Page 2 of 2')", timeout=10_000)
        assert page.locator("#sc-rows li").count() == 2
        page.wait_for_function("t => document.getElementById('sc-title').textContent.includes(t)",
                               arg="重庆赛区", timeout=10_000)
        page.wait_for_function("t => document.getElementById('sc-title').textContent.includes(t)",
                               arg="湖南赛区", timeout=10_000)
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_ceremony_reveals_third_then_second_then_first(live_server, browser, hall, session, lang):
    s = hall
    organiser = Http(live_server.url)
    organiser.sign_in(make_user(session, ["admin"]), PASSWORD)
    lock_sheets(session, s)  # the chief judge has locked every sheet; a supervisor co-signs decryption
    supervisor = Http(live_server.url)
    supervisor.sign_in(make_user(session, ["supervisor"]), PASSWORD)
    status, body, _ = supervisor.request("POST", f"/api/boards/{s.board_id}/publication",
                                         {"action": "cosign_decryption"})
    assert status == 200, body
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{live_server.url}/screen/{s.competition_id}?lang={lang}&board={s.board_id}")
        settle(page, s.version)
        seen = {}
        for action, level in (("decrypt", None), ("reveal", "none"), ("reveal_next", "third"),
                              ("reveal_next", "second"), ("reveal_next", "first")):
            status, body, _ = organiser.request("POST", f"/api/boards/{s.board_id}/publication", {"action": action})
            assert status == 200, body
            if level is None:
                page.wait_for_selector("#sc-rows li .sc-sub", timeout=5_000)  # names after decryption
                continue
            page.wait_for_selector(f"#sc-ceremony[data-level='{level}']:not([hidden])", timeout=5_000)
            seen[level] = page.locator("#sc-winners li").all_inner_texts()
            if level != "none":
                page.wait_for_timeout(1_000)  # the winners have arrived on screen
                screenshot(page, f"screen-ceremony-{level}-{lang}")
        assert seen["none"] == []
        assert len(seen["third"]) == 4 and len(seen["second"]) == 2 and len(seen["first"]) == 1  # N = 12
        assert all(any(name in text for name in NAMES) for text in seen["first"] + seen["third"])
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_phone_page_is_light_and_live(live_server, browser, hall, lang):
    s = hall
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    loaded: list[int] = []
    page.on("response", lambda r: loaded.append(len(r.body())) if r.request.resource_type in ("script",) else None)
    try:
        page.goto(f"{live_server.url}/phone/{s.board_id}?lang={lang}")
        page.wait_for_selector("#ph-conn[data-state=online]", timeout=10_000)
        assert page.locator("#ph-rows li").count() == 12
        assert sum(loaded) < 12_000  # no socket.io library, no framework: a few KB of script
        Http(live_server.url).mark(s, 0, 11, "T1", "10")
        page.wait_for_function("() => document.getElementById('phone').dataset.version >= 2", timeout=3_000)
        screenshot(page, f"phone-{lang}")
    finally:
        page.close()
