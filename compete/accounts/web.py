"""Sign-in for organisers and officials, account management, and the guards other views use.

- ``current_actor()``: the signed-in user as a ``UserActor`` (or None), from the Flask session;
  ``signed_in()`` the same or ``Unauthenticated`` (401), for the JSON API's views.
- ``require_roles(*roles)`` / ``require_action(action)``: view decorators; 401 (or the sign-in
  page) when nobody is signed in, 403 when the user holds none of the roles. Views pass the actor
  on to services, which check scope (competition, zone).
- ``POST /api/session`` ``{"username", "password"}`` signs in (rate limited per username and
  address: 429 with ``Retry-After``), answers the roles and a fresh CSRF token;
  ``GET /api/session`` who is signed in, with the CSRF token; ``DELETE /api/session`` signs out;
  ``PUT /api/session/password`` changes one's own password; ``GET /login`` is the page.
- ``/api/users`` and ``/api/grants``: accounts and role grants, for admins.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from compete import messages
from compete.accounts import csrf, permissions, users
from compete.accounts import schemas as s
from compete.accounts.ratelimit import LoginLimiter, TooManyAttempts
from compete.db import session_scope
from compete.errors import Forbidden, Unauthenticated
from compete.http import error_response, load
from compete.openapi import doc
from compete.registration.repository import readers
from compete.security import Actor

blueprint = Blueprint("accounts", __name__)
F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = csrf.USER_KEY
ACTOR_KEY = "compete.actor"
ACCOUNTS = ("accounts",)
#: how long a browser session lasts without signing in again
SESSION_LIFETIME = timedelta(hours=12)

messages.register({
    "csrf.invalid": _l("This page has expired or the request did not come from it. Reload the page and try again."),
    "user.too_many_attempts": _l("Too many failed sign-ins. Try again in %(minutes)s minutes."),
    "user.zone_required": _l("A zone admin must be given a zone."),
    "user.not_found": _l("No such user."),
    "grant.not_found": _l("No such role grant."),
    "user.cannot_revoke_own_admin": _l("You cannot take away your own admin role."),
    "user.cannot_deactivate_self": _l("You cannot deactivate your own account."),
    "user.wrong_password": _l("The current password is wrong."),
})


def _runtime() -> Any:
    return current_app.extensions["compete.runtime"]


def current_actor() -> Actor | None:
    """The signed-in user, looked up once per request (cached on the request, not on ``g``,
    which outlives a request when an application context was already pushed)."""
    if ACTOR_KEY not in request.environ:
        user_id = session.get(SESSION_KEY)
        actor = None
        if isinstance(user_id, int):
            with session_scope(readers(_runtime())) as db:  # a pure read: never queues for the write lock
                actor = users.actor_for(db, user_id)
        request.environ[ACTOR_KEY] = actor
    return request.environ[ACTOR_KEY]  # type: ignore[no-any-return]


def _signed_in_or_redirect() -> Actor | Any:
    actor = current_actor()
    if actor is None:
        if not request.path.startswith("/api/"):
            return redirect(url_for("accounts.login_page", next=request.full_path))
        raise Unauthenticated("user.signed_out")
    return actor


def _guard(allowed: Callable[[Actor], bool]) -> Callable[[F], F]:
    """A view decorator: 401 (or the sign-in page) when nobody is signed in, 403 unless ``allowed(actor)``."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            actor = _signed_in_or_redirect()
            if not isinstance(actor, Actor):
                return actor
            if not allowed(actor):
                raise Forbidden("user.role_required")
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def require_roles(*roles: str) -> Callable[[F], F]:
    return _guard(lambda actor: actor.has_any(*roles))


def require_action(action: str) -> Callable[[F], F]:
    """Guard a view by an action of ``accounts.domain.permissions`` (role only; services check scope)."""
    return _guard(lambda actor: permissions.has_role_for(actor, action))


def signed_in() -> Actor:
    """The signed-in user, or ``Unauthenticated`` (401) for views not behind a guard."""
    actor = current_actor()
    if actor is None:
        raise Unauthenticated("user.signed_out")
    return actor


def limiter() -> LoginLimiter:
    found = current_app.extensions.get("compete.login_limiter")
    if found is None:
        found = current_app.extensions["compete.login_limiter"] = LoginLimiter(_runtime().redis)
    return found  # type: ignore[no-any-return]


def _session_out(actor: Actor | None, username: str | None) -> dict[str, Any]:
    return s.SessionOut().dump({
        "user": actor.id if actor else None, "username": username,
        "roles": sorted(actor.roles) if actor else [], "zones": sorted(actor.zones) if actor else [],
        "csrf_token": csrf.token(),
    })


@blueprint.post("/api/session")
@doc("Sign in (no CSRF token needed); answers the roles and the CSRF token for later changes",
     tags=ACCOUNTS, body=s.Credentials, response=s.SessionOut, auth=("none",))
def sign_in() -> Any:
    data = load(s.Credentials())
    address = request.remote_addr or "-"
    limit = limiter()
    limit.check(data["username"], address)
    with session_scope(_runtime().sessions) as db:
        try:
            user = users.authenticate(db, data["username"], data["password"])
        except Unauthenticated:
            limit.failed(data["username"], address)
            raise
        actor = users.actor_for(db, user.id)
        username = user.username
    limit.succeeded(data["username"], address)
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = user.id
    csrf.rotate()
    request.environ[ACTOR_KEY] = actor
    return _session_out(actor, username)


@blueprint.get("/api/session")
@doc("Who is signed in, with the CSRF token to send as X-CSRFToken", tags=ACCOUNTS, response=s.SessionOut,
     auth=("none", "session"))
def who() -> Any:
    actor = current_actor()
    username = None
    if actor is not None:
        with session_scope(_runtime().sessions) as db:
            username = users.get_user(db, actor.id).username
    return _session_out(actor, username)


@blueprint.delete("/api/session")
@doc("Sign out", tags=ACCOUNTS, status=204)
def sign_out() -> Any:
    session.clear()
    return "", 204


@blueprint.put("/api/session/password")
@doc("Change one's own password", tags=ACCOUNTS, body=s.PasswordChange, status=204)
def change_password() -> Any:
    data = load(s.PasswordChange())
    with session_scope(_runtime().sessions) as db:
        users.change_own_password(db, signed_in(), data["current_password"], data["new_password"])
    return "", 204


def _user_out(user: Any, grants: list[Any]) -> dict[str, Any]:
    out = s.UserOut().dump({"id": user.id, "username": user.username, "display_name": user.display_name,
                            "active": user.active, "locale": user.locale, "grants": grants})
    return out  # type: ignore[no-any-return]


@blueprint.get("/api/users")
@doc("Accounts and their role grants (admins)", tags=ACCOUNTS, response=s.UserOut, many=True)
def user_list() -> Any:
    with session_scope(_runtime().sessions) as db:
        return [_user_out(u, g) for u, g in users.list_users(db, signed_in())]


@blueprint.post("/api/users")
@doc("Create an account with role grants (admins)", tags=ACCOUNTS, body=s.UserIn, response=s.UserOut, status=201)
def user_create() -> Any:
    data = load(s.UserIn())
    with session_scope(_runtime().sessions) as db:
        user = users.manage_create(db, signed_in(), **data)
        return _user_out(user, list(user.grants)), 201


@blueprint.patch("/api/users/<int:user_id>")
@doc("Deactivate, rename or reset the password of an account (admins)", tags=ACCOUNTS, body=s.UserPatch,
     response=s.UserOut)
def user_update(user_id: int) -> Any:
    data = load(s.UserPatch())
    with session_scope(_runtime().sessions) as db:
        user = users.manage_update(db, signed_in(), user_id, **data)
        return _user_out(user, list(user.grants))


@blueprint.post("/api/users/<int:user_id>/grants")
@doc("Grant a role, optionally limited to a competition or a zone (admins)", tags=ACCOUNTS, body=s.GrantIn,
     response=s.GrantOut, status=201)
def grant_create(user_id: int) -> Any:
    data = load(s.GrantIn())
    with session_scope(_runtime().sessions) as db:
        row = users.manage_grant(db, signed_in(), user_id, role=data["role"], competition_id=data["competition"],
                                 zone_id=data["zone"])
        return s.GrantOut().dump(row), 201


@blueprint.delete("/api/grants/<int:grant_id>")
@doc("Take back a role grant (admins)", tags=ACCOUNTS, status=204)
def grant_delete(grant_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        users.manage_revoke(db, signed_in(), grant_id)
    return "", 204


@blueprint.get("/login")
def login_page() -> Any:
    return render_template("login.html")


def _too_many(error: TooManyAttempts) -> Any:
    response = error_response(error.code, 429, {"username": [messages.message_for(error.code, **error.params)]},
                              **error.params)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def show_console_link() -> bool:
    """Whether the menu offers the organisers' console (only to those who may open it)."""
    if session.get(SESSION_KEY) is None:
        return False
    actor = current_actor()
    return actor is not None and permissions.has_role_for(actor, "console.view")


def init_app(app: Flask) -> None:
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.jinja_env.globals["show_console_link"] = show_console_link
    app.register_blueprint(blueprint)
    app.register_error_handler(TooManyAttempts, _too_many)
    csrf.init_app(app)
