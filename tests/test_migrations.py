"""Models and migrations agree: a database built by ``alembic upgrade head`` has no diff."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from compete.db import Base


def test_migrations_build_exactly_the_models(runtime):
    with runtime.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_database_is_at_every_head(runtime):
    from alembic.script import ScriptDirectory

    from compete.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(runtime.settings)).get_heads())
    with runtime.engine.connect() as connection:
        assert set(MigrationContext.configure(connection).get_current_heads()) == heads
