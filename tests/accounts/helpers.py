"""Test helpers for signed-in requests: users with role grants, sign-in, and the CSRF token.

``sign_in(client, session, roles, zone_id=...)`` creates a user holding ``roles`` (each scoped to
``zone_id`` / ``competition_id`` when given), signs the client in and returns an ``Api`` that
sends the session's CSRF token with every change (``api.post(url, json=...)``). Use
``csrf_token(client)`` to read the token of a client signed in some other way.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from compete.accounts import users
from compete.accounts.models import User
from compete.security import SYSTEM

PASSWORD = "correct horse battery"


def make_user(session: Session, roles: tuple[str, ...] | list[str] = ("admin",), *, zone_id: int | None = None,
              competition_id: int | None = None, username: str | None = None) -> User:
    account = users.create_user(session, username or f"u{uuid.uuid4().hex[:8]}", PASSWORD, actor=SYSTEM)
    for role in roles:
        users.grant(session, account, role, actor=SYSTEM, zone_id=zone_id, competition_id=competition_id)
    session.commit()
    return account


def csrf_token(client: Any) -> str:
    return str(client.get("/api/session").json["csrf_token"])


class Api:
    """A test client that adds the CSRF header to changes."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("X-CSRFToken", self.token)
        return headers

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self._headers(kwargs), **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self._headers(kwargs), **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self._headers(kwargs), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self._headers(kwargs), **kwargs)


def sign_in(client: Any, session: Session, roles: tuple[str, ...] | list[str] = ("admin",), *,
            zone_id: int | None = None, competition_id: int | None = None) -> Api:
    account = make_user(session, roles, zone_id=zone_id, competition_id=competition_id)
    response = client.post("/api/session", json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return Api(client, response.json["csrf_token"])
