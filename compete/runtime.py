"""The process runtime: the connections one process holds, built once from Settings.

A ``Runtime`` bundles the settings, the database engine and session factory, the Redis URL
(embedded Redis started if needed) and a Redis client. The web app builds one in
``create_app``; a worker builds one at start-up and installs it with ``install`` so that RQ
jobs, which receive only ids, can reach it through ``current()``.

Must not: import registration, accounts, scoring or realtime.
"""

from __future__ import annotations

import dataclasses
import os

import redis
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from compete.db import make_engine, make_session_factory
from compete.queues import connect, resolve_redis_url, stop_embedded
from compete.settings import Settings


@dataclasses.dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis_url: str
    redis: redis.Redis

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        settings.ensure_instance_folder()
        engine = make_engine(settings.sqlalchemy_url)
        redis_url = resolve_redis_url(settings)
        return cls(settings, engine, make_session_factory(engine), redis_url, connect(redis_url))

    def close(self) -> None:
        """Release the pools, and stop the embedded Redis if this process started it."""
        self.engine.dispose()
        self.redis.close()
        stop_embedded(self.settings)


_current: Runtime | None = None


def install(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def current() -> Runtime:
    """The installed runtime, or one built from the environment on first use (in a worker)."""
    global _current
    if _current is None:
        _current = Runtime.build(Settings.from_env(os.environ))
    return _current
