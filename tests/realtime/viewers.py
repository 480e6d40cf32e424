"""A viewer the way a page is one: a python-socketio client in a board's room, holding the
latest board (whole boards and deltas applied like ``static/js/live.js``), recording every
message it receives. And a small cookie-keeping HTTP client for the live servers."""

from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import socketio

from realtime import emit, rooms


class Viewer:
    def __init__(self, base: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.board: dict[str, Any] | None = None
        self.gaps = 0
        self._changed = threading.Condition()
        self.client.on(rooms.BOARD_UPDATED, self._on_board, namespace=rooms.NAMESPACE)
        self.client.connect(base, namespaces=[rooms.NAMESPACE], transports=["websocket"], wait_timeout=10)

    def join(self, token: str) -> dict[str, Any]:
        return self.client.call("join", {"token": token}, namespace=rooms.NAMESPACE, timeout=10)  # type: ignore[no-any-return]

    def _on_board(self, message: dict[str, Any]) -> None:
        with self._changed:
            self.messages.append((time.monotonic(), message))
            have = self.board["version"] if self.board else 0
            if message["version"] > have:
                if "delta" in message:
                    rows = emit.apply_delta(self.board["rows"], message["delta"]) if (
                        self.board and message["base"] == have) else None
                    if rows is None:
                        self.gaps += 1  # a page would refetch; tests look at the count
                    else:
                        self.board = {**self.board, "rows": rows, "version": message["version"]}  # type: ignore[dict-item]
                else:
                    self.board = message
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (self.board is not None and predicate(self.board)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such board within {timeout}s; last: {self.board}")
                self._changed.wait(left)
            return self.board

    def close(self) -> None:
        self.client.disconnect()


class Http:
    """urllib with a cookie jar: JSON in and out, the CSRF header after signing in."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
                ) -> tuple[int, Any, str]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **self.headers,
                                                  **(headers or {})})
        try:
            with self.opener.open(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        try:
            return status, json.loads(text), text
        except ValueError:
            return status, None, text

    def sign_in(self, username: str, password: str) -> None:
        status, body, _ = self.request("POST", "/api/session", {"username": username, "password": password})
        assert status == 200, body
        self.headers["X-CSRFToken"] = body.get("csrf_token", "")

    def token(self, board_id: int, audience: str = "public") -> str:
        status, body, _ = self.request("GET", f"/api/boards/{board_id}/room-token?audience={audience}")
        assert status == 200, body
        return str(body["token"])

    def mark(self, s, judge: int, team: int, aspect: str, value: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
                "value": value}
        status, answer, _ = self.request("POST", "/api/marks", body, headers=s.auth(judge))
        assert status == 201, answer
        return answer  # type: ignore[no-any-return]
