"""Bring a database to the newest schema with Alembic (``alembic upgrade head``), in-process."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from compete.settings import PROJECT_ROOT, Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = settings.sqlalchemy_url
    return config


def upgrade(settings: Settings) -> None:
    settings.ensure_instance_folder()
    command.upgrade(alembic_config(settings), "heads")
