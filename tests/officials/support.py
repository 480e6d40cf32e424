"""Helpers for the officials' tests: signed-in users with roles, and requests that carry CSRF."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete.accounts import users
from compete.security import SYSTEM

PASSWORD = "correct horse battery"
META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


class Browser:
    """A test client signed in as a user; every unsafe request carries the page's CSRF token."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(url, json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


def make_user(session: Session, roles: tuple[str, ...], *, username: str | None = None,
              competition_id: int | None = None, zone_id: int | None = None) -> int:
    user = users.create_user(session, username or f"u{uuid.uuid4().hex[:8]}", PASSWORD, actor=SYSTEM)
    for role in roles:
        users.grant(session, user, role, actor=SYSTEM, competition_id=competition_id, zone_id=zone_id)
    session.commit()
    return user.id


def signed_in(app: Any, session: Session, *roles: str, competition_id: int | None = None,
              zone_id: int | None = None, lang: str = "en") -> Browser:
    """A fresh client signed in as a new user holding ``roles``."""
    client = app.test_client()
    name = f"u{uuid.uuid4().hex[:8]}"
    make_user(session, roles, username=name, competition_id=competition_id, zone_id=zone_id)
    response = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.json
    headers = {"Accept-Language": lang}
    page = client.get("/login", headers=headers)
    found = META.search(page.get_data(as_text=True))
    if found:
        headers["X-CSRFToken"] = found.group(1)
    return Browser(client, headers)


def count(session: Session, model: Any, *where: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def mark(client: Any, s: Any, judge: int, team: int, aspect: str, value: str) -> Any:
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    return client.post("/api/marks", json=body, headers=s.auth(judge))


#: a complete sheet: every aspect that is not a deduction (the factory's scheme)
FULL = {"T1": "8", "T2": "7", "P1": "2", "P2": "5", "P3": "15"}


def fill(client: Any, s: Any, judge: int, team: int, **values: str) -> None:
    for aspect, value in {**FULL, **values}.items():
        response = mark(client, s, judge, team, aspect, value)
        assert response.status_code == 201, response.json
