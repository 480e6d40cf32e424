"""Helpers for the audience tests: marks through the service, the worker, users, snapshots."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from rq import SimpleWorker
from sqlalchemy import select

from compete.accounts import users
from compete.db import session_scope
from compete.queues import queue
from compete.security import SYSTEM, Actor
from scoring import marking, publication
from scoring.jobs import coalescer
from scoring.marking import SubmitMark
from scoring.models import BoardSnapshot
from tests.factories import ready_to_decrypt, scenario

PASSWORD = "correct horse battery"


def mark(runtime, s, judge: int, team: int, aspect: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """One judge's mark, committed and dispatched like ``POST /api/marks`` does."""
    with session_scope(runtime.sessions) as session:
        receipt = marking.submit_mark(session, Actor("judge", s.judge_ids[judge]),
                                      SubmitMark(str(uuid.uuid4()), s.sheet(judge, team), s.aspects[aspect],
                                                 Decimal(value)))
    marking.dispatch(coalescer(runtime), receipt)


def work(runtime) -> None:  # type: ignore[no-untyped-def]
    SimpleWorker([queue(runtime.redis, "boards")], connection=runtime.redis).work(burst=True)


def latest(session, board_id: int, audience: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    session.expire_all()
    snap = session.scalar(select(BoardSnapshot).where(BoardSnapshot.board_id == board_id,
                                                      BoardSnapshot.audience == audience)
                          .order_by(BoardSnapshot.version.desc()).limit(1))
    return snap.payload if snap else {"version": 0, "rows": []}


def all_snapshots(session, board_id: int, audience: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [s.payload for s in session.scalars(select(BoardSnapshot).where(
        BoardSnapshot.board_id == board_id, BoardSnapshot.audience == audience).order_by(BoardSnapshot.version))]


def make_user(session, roles: list[str], zone_id: int | None = None) -> str:  # type: ignore[no-untyped-def]
    name = f"u{uuid.uuid4().hex[:8]}"
    account = users.create_user(session, name, PASSWORD, actor=SYSTEM)
    for role in roles:
        users.grant(session, account, role, actor=SYSTEM, zone_id=zone_id)
    session.commit()
    return name


def sign_in(client, session, roles: list[str], zone_id: int | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Sign ``client`` in as a new user; returns the CSRF header its changes must carry."""
    name = make_user(session, roles, zone_id)
    response = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200
    return {"X-CSRFToken": response.json.get("csrf_token", "")}


def actor(session, roles: list[str], zone_id: int | None = None) -> Actor:  # type: ignore[no-untyped-def]
    from compete.accounts.models import User

    name = make_user(session, roles, zone_id)
    user = session.scalar(select(User).where(User.username == name))
    found = users.actor_for(session, user.id)
    assert found is not None
    return found


def decrypted_board(session, runtime, teams: int = 20):  # type: ignore[no-untyped-def]
    """A board of ``teams`` entries with distinct totals (team i scores i), locked, co-signed, decrypted."""
    s = scenario(session, judges=1, teams=teams)
    for team in range(teams):
        mark(runtime, s, 0, team, "P3", str(team))
    work(runtime)
    ready_to_decrypt(session, s)
    publication.change(session, SYSTEM, s.board_id, "decrypt")
    session.commit()
    return s
