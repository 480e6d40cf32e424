"""The judge's tablet over HTTP: its pages, its service worker and the judge's read APIs.

Pages (one shell; the script reads the path, so a cached shell serves every tablet page offline):
- ``GET /j/<invite>``: the sign-in page a judge's QR code or one-time link opens - a PIN pad
  that posts ``{"invite", "pin", "label"}`` to ``/api/devices`` and keeps the device token.
- ``GET /tablet/``: the judge's entries, by code, with progress.
- ``GET /tablet/sheets/<id>``: one scoresheet.
- ``GET /tablet/sw.js``: the service worker (scope ``/tablet/``) that keeps the shell and its
  assets so that a reload without network still opens the page.

Read APIs (``Authorization: Device <token>``; parse → ``scoring.judging`` → dump):
- ``GET /api/judge/me``: the judge's name and panels.
- ``GET /api/judge/sheets``: the judge's sheets (id, code, state, progress).
- ``GET /api/judge/sheets/<id>``: one sheet: modules → sub-criteria → aspects with the judge's
  own current values. Another judge's sheet is 404.

Marks are written by ``POST /api/marks`` (``scoring.web``); the tablet's offline queue lives in
``static/js/tablet/queue.js``.

Must not: hold rules or read other judges' marks (``scoring.judging`` owns what a judge sees).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from compete import messages
from compete.accounts.device_auth import device_actor
from compete.db import session_scope
from compete.runtime import Runtime
from compete.settings import PROJECT_ROOT
from scoring import judging

blueprint = Blueprint("tablet", __name__)

#: the shell's own assets, cached by the service worker (paths under ``static/``)
ASSETS = (
    "css/app.css",
    "css/tablet.css",
    "js/tablet/queue.js",
    "js/tablet/decimal.js",
    "js/tablet/scoresheet.js",
    "js/tablet/app.js",
)
SERVICE_WORKER_TEMPLATE = "tablet/sw.js"

messages.register({
    "judge.only_judges": _l("Only a judge's tablet may read scoresheets."),
})


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]  # type: ignore[no-any-return]


# --- read APIs -------------------------------------------------------------------------------

@blueprint.get("/api/judge/me")
def me() -> Any:
    with session_scope(_runtime().sessions) as session:
        return judging.profile(session, device_actor(session)), 200, {"Cache-Control": "no-store"}


@blueprint.get("/api/judge/sheets")
def sheets() -> Any:
    with session_scope(_runtime().sessions) as session:
        listing = judging.sheet_list(session, device_actor(session))
    return {"sheets": listing}, 200, {"Cache-Control": "no-store"}


@blueprint.get("/api/judge/sheets/<int:sheet_id>")
def sheet(sheet_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        return judging.sheet_detail(session, device_actor(session), sheet_id), 200, {"Cache-Control": "no-store"}


# --- pages -----------------------------------------------------------------------------------

def client_strings() -> dict[str, str]:
    """Every sentence the tablet's script shows, in the page's language (``{n}``-style slots)."""
    return {
        "online": _("Online"),
        "offline": _("Offline: marks are kept on this tablet"),
        "sending": _("Sending…"),
        "unauthorised": _("Signed out: sign in again with your QR code"),
        "waiting": _("Waiting to send: %(n)s", n="{n}"),
        "all_saved": _("All marks saved"),
        "saved": _("Saved"),
        "queued": _("Waiting to send"),
        "not_saved": _("Not saved"),
        "no_value": _("No mark yet"),
        "no_deduction": _("No deduction"),
        "loading": _("Loading…"),
        "no_sheets": _("No scoresheets are assigned to you yet."),
        "not_cached": _("This scoresheet has not been loaded on this tablet yet; connect to the network."),
        "progress": _("%(done)s of %(total)s", done="{done}", total="{total}"),
        "max": _("max %(max)s", max="{max}"),
        "met": _("Met"),
        "not_met": _("Not met"),
        "out_of_range": messages.message_for("mark.out_of_range", min="{min}", max="{max}"),
        "too_many_places": _("At most 4 decimal places."),
        "not_a_number": messages.message_for("mark.not_a_number"),
        "submit_confirm": _("Submit the scoresheet of %(code)s? You cannot change it afterwards.", code="{code}"),
        "submit_needs_all": _("Mark every aspect (deductions may stay empty) before submitting."),
        "submit_needs_sync": _("Wait until every mark is sent."),
        "returned": _("Sent back for re-scoring: %(reason)s", reason="{reason}"),
        "read_only": _("This scoresheet is %(state)s; it takes no more marks.", state="{state}"),
        "state.draft": _("Draft"),
        "state.submitted": _("Submitted"),
        "state.checked": _("Checked"),
        "state.signed": _("Signed"),
        "state.locked": _("Locked"),
        "kind.measurement": _("Measurement"),
        "kind.judgement": _("Judgement"),
        "kind.points": _("Points"),
        "kind.deduction": _("Deduction"),
        "network_error": _("No connection. Try again when the network is back."),
        "storage_full": _("This tablet cannot keep the mark: its storage is full. Tell the chief judge."),
        "pin_short": _("Enter your PIN."),
        "signin_unavailable": _("Sign-in is not available on this server yet."),
    }


@blueprint.get("/tablet/")
@blueprint.get("/tablet/sheets/<int:sheet_id>")
def shell(sheet_id: int | None = None) -> Any:
    """The same shell for every tablet page: the script routes by path (also offline)."""
    return render_template(
        "tablet/shell.html", strings=client_strings(),
        service_worker=url_for("tablet.service_worker"), home=url_for("tablet.shell"),
    )


@blueprint.get("/j/<invite>")
def sign_in_page(invite: str) -> Any:
    response = Response(render_template("tablet/sign_in.html", invite=invite, strings=client_strings(),
                                        home=url_for("tablet.shell")))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the invite is a secret
    return response


def _asset_urls() -> list[str]:
    return [url_for("static", filename=path) for path in ASSETS]


def _version() -> str:
    """Changes whenever the shell's template, the worker or an asset changes: a new worker."""
    digest = hashlib.sha256()
    templates = PROJECT_ROOT / "templates" / "tablet"
    for path in [templates / "shell.html", templates / "sw.js", *(PROJECT_ROOT / "static" / a for a in ASSETS)]:
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


@blueprint.get("/tablet/sw.js")
def service_worker() -> Any:
    body = render_template(
        SERVICE_WORKER_TEMPLATE, version=_version(), shell=url_for("tablet.shell"), assets=_asset_urls(),
        scope=url_for("tablet.shell"),
    )
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
