"""The Socket.IO server of a web process, attached to the shared Redis message queue.

``init_app(app, redis_url, tokens)`` binds the one ``socketio`` instance to the Flask app with
the Redis manager, so any process (another web process, a worker's ``Emitter``) can reach
sockets connected here. The async mode is gevent when the process was monkey-patched
(``compete.serve``), threading otherwise (tests, the Flask dev server). Packets are encoded
with ``emit.CompactJSON`` (no spaces, UTF-8), which keeps board messages small.

Must not: touch the database or hold rules.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO
from socketio import RedisManager

from compete.security import Tokens
from realtime import handlers
from realtime.emit import CHANNEL, CompactJSON

socketio = SocketIO()


def async_mode() -> str:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def init_app(app: Flask, redis_url: str, tokens: Tokens) -> SocketIO:
    # The manager is built here rather than from ``message_queue``: Flask-SocketIO only picks
    # the Redis manager for redis:// URLs, and the embedded Redis is a unix:// socket.
    socketio.init_app(
        app,
        client_manager=RedisManager(redis_url, channel=CHANNEL),
        async_mode=async_mode(),
        cors_allowed_origins=[],
        ping_interval=10,
        ping_timeout=10,
        json=CompactJSON,
    )
    handlers.register(socketio, tokens)
    return socketio
