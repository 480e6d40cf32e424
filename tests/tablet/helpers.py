"""Helpers for tablet tests: signing a judge in on a browser page the way a judge does.

``sign_in`` issues a one-time invite (``compete.accounts.judges``), opens ``/j/<invite>``, taps
the PIN on the pad and waits for the tablet's home: the page posts ``/api/devices`` and keeps
the device token it gets back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from compete.accounts import judges
from compete.security import SYSTEM, Tokens
from tests.conftest import TEST_SECRET
from tests.factories import Scenario

PIN = "2468"


def issue_invite(session: Session, judge_id: int) -> str:
    """A one-time invite token for the judge, with the judge's PIN set to ``PIN``."""
    judges.set_pin(session, judge_id, PIN, actor=SYSTEM)
    _invite, token = judges.issue_invite(session, Tokens(TEST_SECRET), judge_id, actor=SYSTEM)
    session.commit()
    return token


def tap_pin(page: Any, pin: str) -> None:
    for digit in pin:
        page.locator(f"#sign-in button[data-key='{digit}']").click()
    page.locator("#sign-in-submit").click()


def sign_in(page: Any, base: str, session: Session, s: Scenario, *, judge: int, lang: str) -> None:
    """Sign judge number ``judge`` in on ``page``; the tablet's entry list is showing after."""
    invite = issue_invite(session, s.judge_ids[judge])
    page.goto(f"{base}/j/{invite}?lang={lang}")
    tap_pin(page, PIN)
    page.wait_for_url(f"{base}/tablet/", timeout=10_000)
    page.wait_for_selector("a.entry[data-sheet]")
