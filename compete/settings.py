"""Settings: one frozen object built once at start-up from the environment.

``Settings.from_env(os.environ)`` is the only reader of environment variables; nothing reads
them at import time. Defaults are the *embedded* set-up a newcomer gets with no configuration:
a SQLite file and an embedded Redis in the instance folder. ``DATABASE_URL`` and ``REDIS_URL``
switch to real servers. In production (``COMPETE_ENV=production``) a default secret key is
refused.

Must not: import the application, open connections, or have side effects beyond creating
the instance folder in ``ensure_instance_folder``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-insecure-secret-change-me"
ENVIRONMENTS = ("development", "production", "testing")
LOCALES = ("zh_CN", "en")


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says which variable and why."""


@dataclasses.dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = DEFAULT_SECRET
    instance_path: Path = PROJECT_ROOT / "instance"
    database_url: str | None = None
    redis_url: str | None = None
    default_locale: str = "zh_CN"
    host: str = "127.0.0.1"
    port: int = 5000
    #: seconds a recompute claim lives if a worker dies holding it
    recompute_claim_ttl: int = 60
    #: seconds between two passes of the event-log relay in a worker
    relay_interval: float = 1.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        env = environ.get("COMPETE_ENV", "development")
        if env not in ENVIRONMENTS:
            raise SettingsError(f"COMPETE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
        locale = environ.get("COMPETE_LOCALE", "zh_CN")
        if locale not in LOCALES:
            raise SettingsError(f"COMPETE_LOCALE must be one of {', '.join(LOCALES)}, not {locale!r}")
        try:
            port = int(environ.get("PORT", "5000"))
        except ValueError as exc:
            raise SettingsError(f"PORT must be a number, not {environ['PORT']!r}") from exc
        settings = cls(
            env=env,
            secret_key=environ.get("SECRET_KEY", DEFAULT_SECRET),
            instance_path=Path(environ.get("COMPETE_INSTANCE", str(PROJECT_ROOT / "instance"))).resolve(),
            database_url=environ.get("DATABASE_URL") or None,
            redis_url=environ.get("REDIS_URL") or None,
            default_locale=locale,
            host=environ.get("HOST", "127.0.0.1"),
            port=port,
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.env == "production" and (self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32):
            raise SettingsError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://"):]
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url
        return f"sqlite:///{self.instance_path / 'compete.db'}"

    @property
    def embedded_redis_path(self) -> Path:
        return self.instance_path / "redis.db"

    def ensure_instance_folder(self) -> None:
        self.instance_path.mkdir(parents=True, exist_ok=True)
