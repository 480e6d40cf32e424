"""Alembic environment: the URL comes from Settings (DATABASE_URL or the embedded SQLite)."""

from __future__ import annotations

import os

from alembic import context

import compete.accounts.models  # noqa: F401  (each import registers its tables)
import compete.events  # noqa: F401
import compete.registration.models  # noqa: F401
import scoring.models  # noqa: F401
from compete.db import Base, make_engine
from compete.settings import Settings

config = context.config
metadata = Base.metadata
url = config.attributes.get("url") or Settings.from_env(os.environ).sqlalchemy_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
