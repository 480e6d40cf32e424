"""Socket.IO connection handlers: join and leave board rooms with a signed room token.

The HTTP layer issues room tokens (``{"b": board_id, "a": audience}``, kind ``room``) only to
those allowed to watch that audience; here we check the signature and its age
(``rooms.ROOM_TOKEN_MAX_AGE``) and nothing else, then put the socket in the room. Joining
answers ``{"ok": true, "room": ...}``, or ``{"ok": false, "error": "room.token_expired"}``
(the page fetches a fresh token over HTTP and joins again) or ``"room.token_invalid"``.

Must not: touch the database or hold rules.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import SocketIO, join_room, leave_room

from compete.security import Tokens
from realtime import rooms


def room_for(tokens: Tokens, data: Any, max_age: int = rooms.ROOM_TOKEN_MAX_AGE) -> tuple[str | None, str | None]:
    """``(room, None)`` for a valid token, else ``(None, error code)``."""
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return None, rooms.TOKEN_INVALID
    claims = tokens.verify(rooms.ROOM_TOKEN_KIND, token, max_age=max_age)
    if not claims:
        expired = tokens.verify(rooms.ROOM_TOKEN_KIND, token) is not None
        return None, rooms.TOKEN_EXPIRED if expired else rooms.TOKEN_INVALID
    try:
        return rooms.board_room(int(claims["b"]), str(claims["a"])), None
    except (KeyError, TypeError, ValueError):
        return None, rooms.TOKEN_INVALID


def register(socketio: SocketIO, tokens: Tokens, max_age: int = rooms.ROOM_TOKEN_MAX_AGE) -> None:
    @socketio.on("join", namespace=rooms.NAMESPACE)
    def on_join(data: Any) -> dict[str, Any]:
        room, error = room_for(tokens, data, max_age)
        if room is None:
            return {"ok": False, "error": error}
        join_room(room)
        return {"ok": True, "room": room}

    @socketio.on("leave", namespace=rooms.NAMESPACE)
    def on_leave(data: Any) -> dict[str, Any]:
        room, _ = room_for(tokens, data, max_age=10 * rooms.ROOM_TOKEN_MAX_AGE)
        if room is not None:
            leave_room(room)
        return {"ok": room is not None}

    @socketio.on("join_officials", namespace=rooms.NAMESPACE)
    def on_join_officials(data: Any) -> dict[str, Any]:
        """A console joins a panel or progress room with an officials token (see ``rooms``)."""
        room, error = officials_room_for(tokens, data)
        if room is None:
            return {"ok": False, "error": error}
        join_room(room)
        return {"ok": True, "room": room}


def officials_room_for(tokens: Tokens, data: Any) -> tuple[str | None, str | None]:
    """``(room, None)`` for a valid officials token, else ``(None, error code)``."""
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return None, rooms.TOKEN_INVALID
    claims = tokens.verify(rooms.OFFICIALS_TOKEN_KIND, token, max_age=rooms.OFFICIALS_TOKEN_MAX_AGE)
    if not claims:
        expired = tokens.verify(rooms.OFFICIALS_TOKEN_KIND, token) is not None
        return None, rooms.TOKEN_EXPIRED if expired else rooms.TOKEN_INVALID
    try:
        return rooms.officials_room(claims), None
    except (TypeError, ValueError):
        return None, rooms.TOKEN_INVALID
