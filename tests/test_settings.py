"""Settings come from the environment once; production refuses a default secret."""

from __future__ import annotations

import pytest

from compete.settings import DEFAULT_SECRET, Settings, SettingsError


def test_defaults_are_embedded(tmp_path):
    settings = Settings.from_env({"COMPETE_INSTANCE": str(tmp_path)})
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'compete.db'}"
    assert settings.redis_url is None and settings.env == "development"


def test_postgres_urls_use_psycopg():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@h:5432/db"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET, "short"])
def test_production_refuses_a_default_or_weak_secret(secret):
    environ = {"COMPETE_ENV": "production"}
    if secret:
        environ["SECRET_KEY"] = secret
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env(environ)


def test_production_starts_with_a_real_secret():
    assert Settings.from_env({"COMPETE_ENV": "production", "SECRET_KEY": "x" * 40}).env == "production"


@pytest.mark.parametrize(("key", "value"), [("COMPETE_ENV", "staging"), ("COMPETE_LOCALE", "fr"), ("PORT", "http")])
def test_bad_values_name_the_variable(key, value):
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({key: value})
