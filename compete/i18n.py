"""Languages: Flask-Babel set up with zh_CN and en, chosen per request.

Order of choice: ``?lang=`` (remembered in a cookie), the ``lang`` cookie, the signed-in
user's setting, the browser's Accept-Language, then the competition default. Catalogues live in
``compete/translations`` and are compiled by ``make`` (``pybabel compile``).

Must not: hold user-visible strings of other modules (each module marks its own).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

from compete.settings import LOCALES

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
COOKIE = "lang"


def select_locale() -> str:
    asked = request.args.get(COOKIE)
    if asked in LOCALES:
        request.environ["compete.remember_locale"] = asked
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in LOCALES:
        return cookie
    user_locale = request.environ.get("compete.user_locale")  # set by the sign-in layer
    if user_locale in LOCALES:
        return user_locale
    best = request.accept_languages.best_match(LOCALES + ("zh", "zh-CN", "zh-Hans", "en-US", "en-GB"))
    if best:
        return "zh_CN" if best.lower().startswith("zh") else "en"
    default: str = request.environ.get("compete.default_locale") or "zh_CN"
    return default


def _remember(response: Response) -> Response:
    asked = request.environ.get("compete.remember_locale")
    if asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def ui_locale() -> str:
    """The chosen locale as one of ``LOCALES`` (Babel may spell zh_CN as zh_Hans_CN)."""
    return "zh_CN" if get_locale().language == "zh" else "en"


def init_app(app: Flask, default_locale: str) -> Babel:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    babel = Babel(app, locale_selector=select_locale)
    app.after_request(_remember)
    app.context_processor(lambda: {"ui_locale": ui_locale()})
    return babel
