"""The pages' delta code (static/js/live.js) agrees with the server's (realtime.emit) on many boards."""

from __future__ import annotations

import random

import pytest

from realtime import emit
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.browser]


def random_board(rng: random.Random, codes: list[str]) -> list[dict]:
    rows = []
    chosen = rng.sample(codes, rng.randint(0, len(codes)))
    ranked = sorted(chosen[: rng.randint(0, len(chosen))])
    for i, code in enumerate(ranked):  # mostly rank = place, sometimes a tie
        rank = i if i and rng.random() < 0.15 else i + 1
        rows.append({"code": code, "rank": rank, "total": str(rng.randint(0, 4))})
    rows += [{"code": code, "total": "0"} for code in chosen if code not in ranked]
    if rng.random() < 0.3:
        rng.shuffle(rows)
    return rows


def test_the_page_applies_every_delta_like_the_server_computes_it(browser):
    rng = random.Random(7)
    codes = [f"HN-{i:02d}" for i in range(1, 13)]
    cases = []
    for _ in range(300):
        old, new = random_board(rng, codes), random_board(rng, codes)
        message = emit.rows_delta({"version": 1, "rows": old}, {"version": 2, "rows": new})
        cases.append({"old": old, "delta": message["delta"], "new": new})
    page = browser.new_page()
    try:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=(ROOT / "static/js/live.js").read_text(encoding="utf-8"))
        applied = page.evaluate("cases => cases.map(c => Live.applyDelta(c.old, c.delta))", cases)
    finally:
        page.close()
    assert applied == [c["new"] for c in cases]
    assert [emit.apply_delta(c["old"], c["delta"]) for c in cases] == [c["new"] for c in cases]
