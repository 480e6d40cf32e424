"""The application factory: a list of ``init_app`` calls, and the only module importing everything.

``create_app(settings)`` builds the process runtime (database, Redis, embedded if needed),
then wires languages, the error shape, health, the registration and scoring views and the
Socket.IO server. ``settings`` defaults to ``Settings.from_env(os.environ)``.
"""

from __future__ import annotations

import os

from flask import Flask

from compete import audit_web, health, http, i18n, openapi, runtime
from compete.accounts import judges_web
from compete.accounts import web as accounts_web
from compete.registration import web as registration_web
from compete.security import Tokens
from compete.settings import PROJECT_ROOT, Settings
from realtime import server as realtime_server
from scoring import web as scoring_web
from scoring import tablet_web
from scoring import officials_web
from scoring import setup_web
from scoring import appeals_web, results_web


def create_app(settings: Settings | None = None, rt: runtime.Runtime | None = None) -> Flask:
    """The app for ``settings``; tests may pass an already built runtime to share its pools."""
    settings = rt.settings if rt is not None else settings or Settings.from_env(os.environ)
    app = Flask(
        "compete",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.env == "testing",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    rt = runtime.install(rt or runtime.Runtime.build(settings))
    tokens = Tokens(settings.secret_key)
    app.extensions["compete.runtime"] = rt
    app.extensions["compete.tokens"] = tokens

    i18n.init_app(app, settings.default_locale)
    http.init_app(app)
    health.init_app(app)
    audit_web.init_app(app)
    accounts_web.init_app(app)
    registration_web.init_app(app)
    scoring_web.init_app(app)
    tablet_web.init_app(app)
    judges_web.init_app(app)
    officials_web.init_app(app)
    setup_web.init_app(app)
    results_web.init_app(app)
    appeals_web.init_app(app)
    realtime_server.init_app(app, rt.redis_url, tokens)
    openapi.init_app(app)
    return app
