"""CSRF protection for cookie-authenticated requests that change state.

Owns: one random token per browser session (``token()``, rotated at sign-in by ``rotate()``),
exposed to pages as ``<meta name="csrf-token">`` (``csrf_token()`` in templates) and to API
clients by ``GET /api/session``; ``protect`` refuses a POST, PUT, PATCH or DELETE that rides on
a signed-in session cookie unless it carries the token in the ``X-CSRFToken`` header (scripts)
or a ``csrf_token`` form field (plain forms). Requests with ``Authorization: Device …`` carry
their own credential and are exempt; so is signing in (``POST /api/session`` only takes a JSON
body, which a cross-site form cannot send, and a browser preflights a cross-site JSON fetch).

Must not: decide who may do what (``accounts.permissions`` does) or touch the database.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from compete.errors import Forbidden

SESSION_KEY = "csrf"
#: the session key holding the signed-in user's id (shared with ``accounts.web``)
USER_KEY = "uid"
HEADER = "X-CSRFToken"
FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXEMPT_ENDPOINTS = {"accounts.sign_in"}


def token() -> str:
    """This session's token, created on first use."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def rotate() -> str:
    """A fresh token (at sign-in, so a token seen before signing in is worth nothing after)."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(session[SESSION_KEY])


def _presented() -> str:
    header = request.headers.get(HEADER, "")
    if header:
        return header
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get(FIELD, "")
    return ""


def protect() -> None:
    if request.method not in UNSAFE or request.endpoint in EXEMPT_ENDPOINTS:
        return
    if request.headers.get("Authorization", "").lower().startswith("device "):
        return
    if session.get(USER_KEY) is None:
        return  # nothing to ride on: the view's own guard answers 401
    expected = session.get(SESSION_KEY)
    presented = _presented()
    if not isinstance(expected, str) or not presented or not hmac.compare_digest(expected, presented):
        raise Forbidden("csrf.invalid", field=HEADER)


def init_app(app: Flask) -> None:
    app.before_request(protect)
    app.jinja_env.globals["csrf_token"] = token
