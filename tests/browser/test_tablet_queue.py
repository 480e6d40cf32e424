"""The tablet's offline queue (static/js/tablet/queue.js) and its decimal helper, in Chromium.

The queue's contract is tested on its own, with a scripted ``send`` and fake timers, on a page
served from a stub origin (localStorage needs one); no server is involved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

STATIC = Path(__file__).resolve().parents[2] / "static" / "js" / "tablet"
ORIGIN = "http://tablet.test"

HARNESS = """
window.harness = function (answers, options) {
  // answers: a list consumed in order; each is {status, body} or "network" (send rejects)
  // or "hang" (never answers). Timers are fake: scheduled delays are recorded, not run.
  var log = {sent: [], keptAtSend: [], stored: [], refused: [], connection: [], delays: [], inFlight: 0, maxInFlight: 0};
  var timers = {pending: [], setTimeout: function (fn, ms) { log.delays.push(ms); this.pending.push(fn); return this.pending.length; },
                clearTimeout: function () {}};
  var queue = new MarkQueue(Object.assign({
    storage: localStorage, key: "test.queue", timers: timers, random: function () { return 0.5; },
    baseDelay: 1000, maxDelay: 8000, isOnline: function () { return true; },
    send: function (entry) {
      log.sent.push(entry.submission_id + "=" + entry.value);
      log.keptAtSend.push(JSON.parse(localStorage.getItem("test.queue")).map(function (e) { return e.submission_id; }));
      log.inFlight += 1; log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      var answer = answers.length ? answers.shift() : {status: 201, body: {}};
      return new Promise(function (resolve, reject) {
        if (answer === "hang") return;
        setTimeout(function () {
          log.inFlight -= 1;
          if (answer === "network") reject(new TypeError("Failed to fetch"));
          else resolve({status: answer.status, body: Object.assign({submission_id: entry.submission_id}, answer.body || {})});
        }, 5);
      });
    },
    onStored: function (entry, receipt) { log.stored.push(entry.value); },
    onRefused: function (entry, error, status) { log.refused.push([entry.value, error.error, status]); },
    onConnection: function (state) { log.connection.push(state); },
  }, options || {}));
  var n = 0;
  queue.uuid = function () { n += 1; return "00000000-0000-4000-8000-" + String(n).padStart(12, "0"); };
  return {queue: queue, log: log, timers: timers,
          fire: function () { var fns = timers.pending.splice(0); fns.forEach(function (fn) { fn(); }); }};
};
"""


@pytest.fixture
def page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    context.route(f"{ORIGIN}/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>queue</title>"))
    page = context.new_page()
    page.goto(ORIGIN + "/")
    page.evaluate("localStorage.clear()")
    for name in ("queue.js", "decimal.js"):
        page.add_script_tag(content=(STATIC / name).read_text(encoding="utf-8"))
    page.add_script_tag(content=HARNESS)
    yield page
    context.close()


def run(page, script: str, arg: Any = None) -> Any:  # type: ignore[no-untyped-def]
    """Run an async function body in the page (``arg`` and ``wait(ms)`` in scope)."""
    return page.evaluate(f"async (arg) => {{ const wait = ms => new Promise(r => setTimeout(r, ms)); {script} }}", arg)


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (201, {}, "stored"),
        (200, {"duplicate": True}, "stored"),
        (401, {"error": "device.revoked"}, "unauthorised"),
        (422, {"error": "mark.out_of_range"}, "refused"),
        (404, {"error": "sheet.not_found"}, "refused"),
        (403, {"error": "mark.recused"}, "refused"),
        (409, {"error": "sheet.not_open"}, "refused"),
        (409, {"error": "mark.concurrent_change"}, "retry"),
        (408, None, "retry"),
        (429, {"error": "request.too_many"}, "retry"),
        (500, None, "retry"),
        (502, None, "retry"),
        (503, {"error": "request.internal"}, "retry"),
    ],
)
def test_each_answer_is_classified(page, status, body, outcome):
    assert page.evaluate("([s, b]) => MarkQueue.classify(s, b)", [status, body]) == outcome


def test_a_mark_is_stored_locally_before_it_is_sent(page):
    stored = run(page, """
        const h = harness(["hang"]);
        const entry = h.queue.add({sheet: 1, aspect: 2, value: "7.5"});
        return {kept: JSON.parse(localStorage.getItem("test.queue")), entry, log: h.log};
    """)
    entry = stored["entry"]
    assert entry["value"] == "7.5" and entry["sheet"] == 1 and entry["aspect"] == 2
    assert entry["submission_id"] == "00000000-0000-4000-8000-000000000001"
    assert [e["submission_id"] for e in stored["kept"]] == [entry["submission_id"]]
    assert stored["log"]["sent"] == [entry["submission_id"] + "=7.5"]
    assert stored["log"]["keptAtSend"] == [[entry["submission_id"]]]  # in storage when it went out


def test_marks_go_out_one_at_a_time_in_order_and_leave_the_queue_on_a_receipt(page):
    result = run(page, """
        const h = harness([]);
        ["1", "2", "3", "4"].forEach(v => h.queue.add({sheet: 1, aspect: 2, value: v}));
        await h.queue.flush();
        await wait(50);
        return {log: h.log, left: h.queue.size()};
    """)
    assert [s.split("=")[1] for s in result["log"]["sent"]] == ["1", "2", "3", "4"]
    assert result["log"]["stored"] == ["1", "2", "3", "4"]
    assert result["log"]["maxInFlight"] == 1
    assert result["left"] == 0
    assert result["log"]["connection"][-1] == "online"


def test_a_refusal_drops_the_mark_reports_it_and_the_rest_still_go(page):
    result = run(page, """
        const h = harness([{status: 201}, {status: 422, body: {error: "mark.out_of_range", message: "0..10"}}, {status: 201}]);
        ["8", "12", "9"].forEach(v => h.queue.add({sheet: 1, aspect: 2, value: v}));
        await h.queue.flush(); await wait(50);
        return {log: h.log, left: h.queue.size()};
    """)
    assert result["log"]["stored"] == ["8", "9"]
    assert result["log"]["refused"] == [["12", "mark.out_of_range", 422]]
    assert result["left"] == 0


@pytest.mark.parametrize("failure", ["network", {"status": 503}, {"status": 409, "body": {"error": "mark.concurrent_change"}}])
def test_a_failure_keeps_the_mark_and_retries_it_with_the_same_submission_id(page, failure):
    result = run(page, """
        const h = harness([arg, arg, {status: 201}]);
        h.queue.started = true;
        const entry = h.queue.add({sheet: 1, aspect: 2, value: "6"});
        await h.queue.flush(); await wait(30);
        const afterFirst = h.queue.entries();
        h.fire(); await h.queue.flush(); await wait(30);
        h.fire(); await h.queue.flush(); await wait(30);
        return {log: h.log, afterFirst, left: h.queue.size(), id: entry.submission_id};
    """, failure)
    assert [e["submission_id"] for e in result["afterFirst"]] == [result["id"]]
    assert result["log"]["sent"] == [result["id"] + "=6"] * 3
    assert result["log"]["stored"] == ["6"]
    assert result["left"] == 0


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap(page):
    delays = run(page, """
        const h = harness(Array(7).fill("network"), {random: () => 0.5});
        h.queue.started = true;
        h.queue.add({sheet: 1, aspect: 2, value: "1"});
        await h.queue.flush(); await wait(20);
        for (let i = 0; i < 6; i++) { h.fire(); await h.queue.flush(); await wait(20); }
        return h.log.delays;
    """)
    # ceiling = base·2^(failures−1) capped at 8000; with random 0.5 the delay is 3/4 of it
    assert delays == [750, 1500, 3000, 6000, 6000, 6000, 6000]
    bounds = run(page, """
        const lows = harness(["network"], {random: () => 0}), highs = harness(["network"], {random: () => 0.999});
        for (const h of [lows, highs]) { h.queue.started = true; h.queue.add({sheet: 1, aspect: 2, value: "1"});
                                         await h.queue.flush(); await wait(20); }
        return [lows.log.delays[0], highs.log.delays[0]];
    """)
    assert bounds == [500, 1000]


def test_the_queue_survives_a_reload(page):
    first = run(page, """
        const h = harness(["hang"]);
        h.queue.add({sheet: 1, aspect: 2, value: "3"});
        h.queue.add({sheet: 1, aspect: 3, value: "4"});
        return h.queue.entries().map(e => e.submission_id);
    """)
    page.reload()
    for name in ("queue.js", "decimal.js"):
        page.add_script_tag(content=(STATIC / name).read_text(encoding="utf-8"))
    page.add_script_tag(content=HARNESS)
    after = run(page, """
        const h = harness([]);
        const before = h.queue.entries().map(e => e.submission_id);
        await h.queue.flush(); await wait(50);
        return {before, sent: h.log.sent, left: h.queue.size()};
    """)
    assert after["before"] == first
    assert after["sent"] == [f"{first[0]}=3", f"{first[1]}=4"]
    assert after["left"] == 0


def test_signed_out_pauses_the_queue_without_losing_marks(page):
    result = run(page, """
        const h = harness([{status: 401, body: {error: "device.revoked"}}]);
        h.queue.started = true;
        h.queue.add({sheet: 1, aspect: 2, value: "5"});
        await h.queue.flush(); await wait(20);
        const paused = {left: h.queue.size(), delays: h.log.delays.length, state: h.log.connection.slice(-1)[0]};
        h.queue.retryNow(); await h.queue.flush(); await wait(20);
        return {paused, left: h.queue.size(), stored: h.log.stored};
    """)
    assert result["paused"] == {"left": 1, "delays": 0, "state": "unauthorised"}
    assert result["left"] == 0 and result["stored"] == ["5"]


def test_offline_skips_sending_and_the_online_event_flushes_at_once(page):
    result = run(page, """
        let online = false;
        const h = harness([], {isOnline: () => online});
        h.queue.start();
        h.queue.add({sheet: 1, aspect: 2, value: "2"});
        await h.queue.flush(); await wait(20);
        const offline = {sent: h.log.sent.length, state: h.log.connection.slice(-1)[0], left: h.queue.size()};
        online = true;
        window.dispatchEvent(new Event("online"));
        await wait(50); await h.queue.flush();
        h.queue.stop();
        return {offline, sent: h.log.sent.length, left: h.queue.size()};
    """)
    assert result["offline"] == {"sent": 0, "state": "offline", "left": 1}
    assert result["sent"] == 1 and result["left"] == 0


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("7.5", {"units": 75000}), ("10", {"units": 100000}), ("0.0001", {"units": 1}), (".5", {"units": 5000}),
     ("3.", {"units": 30000}), ("2.50000", {"units": 25000}), ("1.23456", {"error": "too_many_places"}),
     ("", {"error": "not_a_number"}), ("abc", {"error": "not_a_number"}), ("-1", {"error": "not_a_number"}),
     ("1e3", {"error": "not_a_number"})],
)
def test_decimal_parse(page, text, parsed):
    assert page.evaluate("t => TabletDecimal.parse(t)", text) == parsed


@pytest.mark.parametrize(
    ("aspects", "total"),
    [
        ([{"kind": "points", "max": "10", "value": "8"}, {"kind": "points", "max": "10", "value": "7.5"}], "15.50"),
        ([{"kind": "judgement", "max": "6", "value": "2"}], "4.00"),
        ([{"kind": "judgement", "max": "5", "value": "2"}], "3.33"),     # 10/3
        ([{"kind": "judgement", "max": "5", "value": "1"}], "1.67"),     # 5/3, half-up
        ([{"kind": "measurement", "max": "5", "value": "5"}, {"kind": "deduction", "max": "5", "value": "2"}], "3.00"),
        ([{"kind": "points", "max": "10", "value": "1"}, {"kind": "deduction", "max": "5", "value": "4"}], "0.00"),
        ([{"kind": "points", "max": "10", "value": None}, {"kind": "points", "max": "10", "value": "0.105"}], "0.11"),
        ([{"kind": "points", "max": "10", "value": "0.1"}, {"kind": "points", "max": "10", "value": "0.2"}], "0.30"),
    ],
)
def test_a_judges_raw_sum_is_exact(page, aspects, total):
    assert page.evaluate("a => TabletDecimal.formatThirds(TabletDecimal.rawSum(a).thirds, 2)", aspects) == total
