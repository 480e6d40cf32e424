"""Judges over HTTP: the roster, PINs, one-time sign-in invites (links and QR codes), devices.

Organiser API (cookie session; scope checked by ``compete.accounts.judges``):
- ``GET  /api/competitions/<cid>/judges``: the roster with each judge's active devices.
- ``POST /api/competitions/<cid>/judges`` ``{name, role?, institution?, province?, pin?}`` → 201.
- ``PUT  /api/judges/<id>/pin`` ``{pin}`` / ``DELETE /api/judges/<id>/pin`` (the next sign-in sets one).
- ``POST /api/judges/<id>/invites`` → 201 ``{id, judge, invite, link, qr_svg, expires_at}``; a
  newer invite supersedes the judge's unused ones.
- ``POST /api/competitions/<cid>/invites`` ``{judges: [id, ...]}`` → 201 ``{invites: [...]}``
  (what the printable QR sheet uses).
- ``GET  /api/judges/<id>/devices``; ``POST /api/devices/<id>/revoke`` (the token is refused at once).

Tablet API (no session):
- ``POST /api/devices`` ``{invite, pin, label?}`` → 201 ``{token, device, judge: {id, name, role}}``:
  the invite is spent and the device token is bound to the judge. A wrong PIN is 401
  ``judge.wrong_pin`` (the invite stays usable); after 5 wrong PINs for one invite (30 from one
  address) in 15 minutes, 429 ``judge.too_many_attempts`` with ``Retry-After``.

Pages: ``GET /officials/competitions/<cid>/judges`` (roster, PINs, invites, devices) and
``GET /officials/competitions/<cid>/judges/qr?judge=<id>&judge=…&title=…`` (a printable sheet of
sign-in QR codes; it issues fresh invites when the organiser presses the button).

Must not: hold rules, or import scoring (panels live there: ``scoring.officials_web`` links here).
"""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from compete import messages
from compete.accounts import judges
from compete.accounts.models import JUDGE_ROLES, JudgeInvite
from compete.accounts.ratelimit import LoginLimiter
from compete.accounts.ratelimit import TooManyAttempts as LimiterSaysWait
from compete.accounts.services import aware, devices_of
from compete.accounts.web import current_actor, require_roles
from compete.db import session_scope
from compete.errors import Unauthenticated
from compete.http import error_response, load
from compete.registration.models import Competition, Institution
from compete.runtime import Runtime
from compete.security import Actor, Tokens, fingerprint

blueprint = Blueprint("judges", __name__)

MANAGERS = ("admin", "zone_admin", "chief_judge")

messages.register({
    "judge.bad_role": _l("Unknown judge role. Choose one of: %(allowed)s."),
    "judge.bad_institution": _l("This institution is not part of the competition."),
    "judge.pin_format": _l("The PIN must be %(min)s to %(max)s digits."),
    "judge.wrong_pin": _l("Wrong PIN. Try again, or ask the organiser to reset it."),
    "judge.too_many_attempts": _l("Too many wrong PINs. Try again in %(minutes)s minutes."),
    "invite.invalid": _l("This sign-in code is not valid. Scan the QR code again or ask the organiser."),
    "invite.used": _l("This sign-in code was already used. Ask the organiser for a new one."),
    "invite.expired": _l("This sign-in code has expired. Ask the organiser for a new one."),
    "invite.superseded": _l("A newer sign-in code was issued for this judge. Use the newest one."),
    "device.bad_pending": _l("The number of marks waiting must be %(min)s or more."),
})

ROLE_LABELS = {
    "chief_judge": _l("Chief judge"), "scoring": _l("Scoring judge"), "onsite": _l("On-site judge"),
    "supervisor": _l("Supervisor"), "arbitrator": _l("Arbitrator"),
}


class JudgeIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(load_default="scoring", validate=validate.OneOf(JUDGE_ROLES))
    institution = fields.Integer(load_default=None, allow_none=True, strict=True)
    province = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    pin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))


class PinIn(Schema):
    pin = fields.String(required=True, validate=validate.Length(min=1, max=16))


class InviteBatchIn(Schema):
    judges = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=500))


class RedeemIn(Schema):
    invite = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    pin = fields.String(required=True, validate=validate.Length(min=1, max=16))
    label = fields.String(load_default="tablet", validate=validate.Length(max=100))


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


def _tokens() -> Tokens:
    return current_app.extensions["compete.tokens"]


def _actor() -> Actor:
    actor = current_actor()
    assert actor is not None  # require_roles ran first
    return actor


def qr_svg(text: str) -> str:
    """An inline SVG QR code (scales with CSS: it has a viewBox and no fixed size)."""
    return str(segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True))


def invite_link(token: str) -> str:
    return request.host_url.rstrip("/") + "/j/" + token


def _invite_dict(invite: JudgeInvite, token: str, judge: Any) -> dict[str, Any]:
    link = invite_link(token)
    expires = aware(invite.expires_at)
    return {"id": invite.id, "judge": {"id": judge.id, "name": judge.name, "role": judge.role},
            "invite": token, "link": link, "qr_svg": qr_svg(link),
            "expires_at": expires.isoformat() if expires else None}


# -- organiser API --------------------------------------------------------------------------

def _roster(db: Any, actor: Actor, competition_id: int) -> list[dict[str, Any]]:
    rows = judges.list_judges(db, actor, competition_id)
    names = {i.id: i.name for i in db.query(Institution).filter(Institution.competition_id == competition_id)}
    devices: dict[int, list[dict[str, Any]]] = {}
    for device in devices_of(db, [j.id for j in rows]):
        devices.setdefault(device.judge_id, []).append(judges.device_dict(device))
    return [{**judges.judge_dict(j, names.get(j.institution_id or 0)), "devices": devices.get(j.id, [])}
            for j in rows]


@blueprint.get("/api/competitions/<int:competition_id>/judges")
@require_roles(*MANAGERS)
def judge_list(competition_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        return {"judges": _roster(db, _actor(), competition_id)}


@blueprint.post("/api/competitions/<int:competition_id>/judges")
@require_roles(*MANAGERS)
def judge_create(competition_id: int) -> Any:
    data = load(JudgeIn())
    with session_scope(_runtime().sessions) as db:
        judge = judges.create_judge(db, competition_id, judges.NewJudge(
            name=data["name"], role=data["role"], institution_id=data["institution"], province=data["province"],
            pin=data["pin"] or None), actor=_actor())
        return judges.judge_dict(judge), 201


@blueprint.put("/api/judges/<int:judge_id>/pin")
@require_roles(*MANAGERS)
def pin_set(judge_id: int) -> Any:
    data = load(PinIn())
    with session_scope(_runtime().sessions) as db:
        return judges.judge_dict(judges.set_pin(db, judge_id, data["pin"], actor=_actor()))


@blueprint.delete("/api/judges/<int:judge_id>/pin")
@require_roles(*MANAGERS)
def pin_clear(judge_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        return judges.judge_dict(judges.clear_pin(db, judge_id, actor=_actor()))


@blueprint.post("/api/judges/<int:judge_id>/invites")
@require_roles(*MANAGERS)
def invite_one(judge_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        invite, token = judges.issue_invite(db, _tokens(), judge_id, actor=_actor())
        return _invite_dict(invite, token, judges.get_judge(db, judge_id)), 201


@blueprint.post("/api/competitions/<int:competition_id>/invites")
@require_roles(*MANAGERS)
def invite_many(competition_id: int) -> Any:
    data = load(InviteBatchIn())
    out = []
    with session_scope(_runtime().sessions) as db:
        for judge_id in dict.fromkeys(data["judges"]):
            judge = judges.get_judge(db, judge_id)
            if judge.competition_id != competition_id:
                abort(404)
            invite, token = judges.issue_invite(db, _tokens(), judge_id, actor=_actor())
            out.append(_invite_dict(invite, token, judge))
    return {"invites": out}, 201


@blueprint.get("/api/judges/<int:judge_id>/devices")
@require_roles(*MANAGERS)
def device_list(judge_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        judge, devices = judges.judge_devices(db, _actor(), judge_id)
        return {"judge": judge.id, "devices": [judges.device_dict(d) for d in devices]}


@blueprint.post("/api/devices/<int:device_id>/revoke")
@require_roles(*MANAGERS)
def device_revoke(device_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        return judges.device_dict(judges.revoke(db, device_id, actor=_actor()))


# -- the tablet's sign-in -------------------------------------------------------------------

def _limiter() -> LoginLimiter:
    return LoginLimiter(_runtime().redis, per_user=5, per_address=30, window=900, prefix="compete:pin")


@blueprint.post("/api/devices")
def device_sign_in() -> Any:
    data = load(RedeemIn())
    limiter = _limiter()
    key, address = fingerprint(data["invite"])[:32], request.remote_addr or "-"
    try:
        limiter.check(key, address)
    except LimiterSaysWait as wait:
        response = error_response("judge.too_many_attempts", 429,
                                  {"pin": [messages.message_for("judge.too_many_attempts", **wait.params)]},
                                  **wait.params)
        response.headers["Retry-After"] = str(wait.retry_after)
        return response
    try:
        with session_scope(_runtime().sessions) as db:
            device, secret, judge = judges.redeem_invite(db, _tokens(), data["invite"], data["pin"],
                                                         data["label"].strip() or "tablet")
            body = {"token": secret, "device": device.id,
                    "judge": {"id": judge.id, "name": judge.name, "role": judge.role}}
    except Unauthenticated:
        limiter.failed(key, address)
        raise
    limiter.succeeded(key, address)
    return body, 201


# -- pages ----------------------------------------------------------------------------------

@blueprint.get("/officials/competitions/<int:competition_id>/judges")
@require_roles(*MANAGERS)
def judges_page(competition_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        competition = db.get(Competition, competition_id)
        if competition is None:
            abort(404)
        roster = _roster(db, _actor(), competition_id)
        institutions = [{"id": i.id, "name": i.name} for i in
                        db.query(Institution).filter(Institution.competition_id == competition_id)
                        .order_by(Institution.name)]
    return render_template("officials/judges.html", competition=competition, judges=roster,
                           institutions=institutions, roles=ROLE_LABELS)


@blueprint.get("/officials/competitions/<int:competition_id>/judges/qr")
@require_roles(*MANAGERS)
def qr_sheet_page(competition_id: int) -> Any:
    wanted = request.args.getlist("judge", type=int)
    with session_scope(_runtime().sessions) as db:
        competition = db.get(Competition, competition_id)
        if competition is None:
            abort(404)
        roster = [j for j in _roster(db, _actor(), competition_id) if not wanted or j["id"] in wanted]
    return render_template("officials/qr_sheet.html", competition=competition, judges=roster,
                           title=request.args.get("title", "")[:200], roles=ROLE_LABELS)


@blueprint.after_request
def _no_store(response: Response) -> Response:
    """Tokens and invites are shown once: never kept by a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
