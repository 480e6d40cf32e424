"""Test fixtures on real parts: a migrated database and a real Redis.

With ``DATABASE_URL`` / ``REDIS_URL`` set (CI's second round), tests use those servers (the
PostgreSQL schema is rebuilt from the migrations at session start; Redis's selected database
is flushed before each test). With neither, a SQLite file and an embedded Redis in a temporary
instance folder. Each test starts from empty tables.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import compete.accounts.models  # noqa: F401  (register every table)
import compete.registration.models  # noqa: F401
import scoring.models  # noqa: F401
from compete import runtime as runtime_module
from compete.db import Base, make_engine
from compete.migrate import upgrade
from compete.runtime import Runtime
from compete.settings import Settings
from scoring import live

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def server_environ(instance: Path) -> dict[str, str]:
    """The environment a test server process gets: the same database and Redis as the tests."""
    env = {"COMPETE_ENV": "testing", "COMPETE_INSTANCE": str(instance), "SECRET_KEY": TEST_SECRET}
    for key in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def settings(instance: Path) -> Settings:
    settings = Settings.from_env(server_environ(instance))
    if settings.database_url:
        engine = make_engine(settings.sqlalchemy_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(settings)
    return settings


@pytest.fixture(scope="session")
def shared_runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime.build(settings)
    yield rt
    rt.close()


def clean(rt: Runtime) -> None:
    truncate_all(rt)
    rt.redis.flushdb()
    live.cache().forget()


def truncate_all(rt: Runtime) -> None:
    """Empty every table and restart its ids."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if rt.engine.dialect.name == "postgresql":
        truncate(rt.engine, tables)
    else:
        with rt.engine.begin() as connection:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("DELETE FROM sqlite_sequence"))  # AUTOINCREMENT counters


def truncate(engine: Engine, tables: list[str], attempts: int = 5) -> None:
    """Empty every table at once. A live server of a browser test may still be reading when
    the next test starts; PostgreSQL then reports a deadlock on TRUNCATE's exclusive locks and
    aborts one side, so the reset waits a moment and tries again."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        except OperationalError:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


@pytest.fixture
def runtime(shared_runtime: Runtime) -> Iterator[Runtime]:
    clean(shared_runtime)
    runtime_module.install(shared_runtime)
    yield shared_runtime


@pytest.fixture(scope="session")
def test_engine(settings: Settings) -> Iterator[Engine]:
    """The tests' own engine: deferred SQLite transactions, so a test reading between requests
    does not hold the write lock the application needs."""
    engine = make_engine(settings.sqlalchemy_url, immediate=False)
    yield engine
    engine.dispose()


@pytest.fixture
def session(runtime: Runtime, test_engine: Engine) -> Iterator[Session]:
    with Session(test_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def shared_app(shared_runtime: Runtime):  # type: ignore[no-untyped-def]
    """One app per test session: each app starts a Socket.IO listener on Redis."""
    from compete.app import create_app

    return create_app(rt=shared_runtime)


@pytest.fixture
def app(runtime: Runtime, shared_app):  # type: ignore[no-untyped-def]
    return shared_app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()
