"""Room tokens: only a valid, fresh, unforged token of kind ``room`` opens a room."""

from __future__ import annotations

import time

import pytest

from compete.security import Tokens
from realtime import handlers, rooms

tokens = Tokens("a-secret-that-is-long-enough-for-tests-0000")


def signed_at(moment: float, payload: dict, monkeypatch, kind: str = rooms.ROOM_TOKEN_KIND) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(time, "time", lambda: moment)
    try:
        return tokens.sign(kind, payload)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize(("case", "make", "expected"), [
    ("public board", lambda mp: tokens.sign("room", {"b": 3, "a": "public"}), ("board:3:public", None)),
    ("officials board", lambda mp: tokens.sign("room", {"b": 3, "a": "officials"}), ("board:3:officials", None)),
    ("an hour old", lambda mp: signed_at(time.time() - 3600, {"b": 3, "a": "public"}, mp), ("board:3:public", None)),
    ("expired", lambda mp: signed_at(time.time() - rooms.ROOM_TOKEN_MAX_AGE - 60, {"b": 3, "a": "public"}, mp),
     (None, rooms.TOKEN_EXPIRED)),
    ("forged", lambda mp: Tokens("another-secret-key-000000000000000000").sign("room", {"b": 3, "a": "officials"}),
     (None, rooms.TOKEN_INVALID)),
    ("a device token", lambda mp: tokens.sign("device", {"b": 3, "a": "public"}), (None, rooms.TOKEN_INVALID)),
    ("unknown audience", lambda mp: tokens.sign("room", {"b": 3, "a": "everyone"}), (None, rooms.TOKEN_INVALID)),
    ("no board", lambda mp: tokens.sign("room", {"a": "public"}), (None, rooms.TOKEN_INVALID)),
    ("not a string", lambda mp: 42, (None, rooms.TOKEN_INVALID)),
])
def test_room_tokens(case, make, expected, monkeypatch):
    assert handlers.room_for(tokens, {"token": make(monkeypatch)}) == expected


def test_a_join_without_data_is_refused():
    assert handlers.room_for(tokens, None) == (None, rooms.TOKEN_INVALID)
    assert handlers.room_for(tokens, "token") == (None, rooms.TOKEN_INVALID)
