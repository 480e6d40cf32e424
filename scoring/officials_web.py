"""Officials over HTTP: panel assignment, the sheet workflow, heartbeats and the two consoles.

Parse → service (``scoring.panels``, ``scoring.sheets``, ``scoring.progress``,
``compete.accounts.services``) → dump; after the commit, what changed is emitted to the
officials' rooms (``realtime.emit.Emitter.officials_changed``).

Panels (cookie session, ``judge.write`` in scope):
- ``GET  /api/competitions/<cid>/panels``; ``GET /api/panels/<id>``
- ``POST /api/panels`` ``{stage, division, zone?, name, aspects?: [id], judges?: [{judge, role?}]}`` → 201
  ``{panel, assignment: {sheets_created, recused: [{judge, team, code, conflict}]}}``
- ``POST /api/panels/<id>/judges`` ``{judge, role?}``; ``DELETE /api/panels/<id>/judges/<judge>``
- ``POST /api/panels/<id>/overrides`` ``{judge, team, reason}`` → 201 (a recused judge scores after all)
- ``POST /api/panels/<id>/sync`` (sheets for entries registered later)

Sheet workflow:
- ``POST /api/sheets/<id>/submit`` with ``Authorization: Device <token>`` (the judge's tablet).
- ``POST /api/sheets/<id>/<action>`` ``{reason?}`` with a chief judge's session: ``check``,
  ``return`` (reason), ``sign``, ``lock``, ``unlock`` (reason); ``submit`` too, on a judge's behalf.
- ``POST /api/panels/<id>/sheets/<action>`` ``{team?, reason?}``: the action on every sheet of the
  panel (or entry) where it applies now.
Each answers ``{panel, changes: [{sheet, team, judge, action, from, to, reason, actor, device,
revision}], skipped: [{sheet, team, error, message}], violations: [...]}``.

Devices: ``POST /api/devices/heartbeat`` ``{pending}`` (device token) → ``{server_time, device,
online_window}``.

Consoles: ``GET /api/panels/<id>/progress`` and the page ``GET /officials/panels/<id>`` (the chief
judge's console); ``GET /api/competitions/<cid>/scoring-progress`` and ``GET
/officials/competitions/<cid>/progress`` (the organiser's); ``GET /officials/competitions/<cid>/panels``
(panels, their judges and recusals). Pages carry signed officials room tokens (only for those
who may watch) and, for a panel, the officials' board room token so marks refresh the console.

Must not: hold rules.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import messages
from compete.accounts import judges, permissions
from compete.accounts.domain.signin import ONLINE_WINDOW
from compete.accounts.models import JUDGE_ROLES
from compete.accounts.device_auth import device_actor
from compete.accounts.services import heartbeat
from compete.accounts.web import current_actor, require_roles
from compete.db import session_scope
from compete.errors import DomainError, Unauthenticated
from compete.events import utcnow
from compete.http import load
from compete.registration.models import Competition
from compete.runtime import Runtime
from compete.security import Actor, Tokens
from realtime import rooms
from scoring import boards, panels, progress, sheets
from scoring.jobs import emitter
from scoring.models import Panel, PanelJudge

blueprint = Blueprint("officials", __name__)

PANEL_WRITERS = ("admin", "zone_admin")
WATCHERS = sheets.WATCH_ROLES
PROGRESS_ROLES = ("admin", "zone_admin", "supervisor")

messages.register({
    "panel.not_found": _l("No such panel."),
    "panel.bad_stage": _l("The stage and the division must belong to the same event."),
    "panel.bad_zone": _l("This zone is not part of the competition."),
    "panel.bad_aspect": _l("These aspects are not in the event's marking scheme: %(aspects)s."),
    "panel.bad_name": _l("The panel needs a name."),
    "panel.bad_judge": _l("This judge is not on the competition's roster."),
    "panel.bad_role": _l("Unknown panel role. Choose one of: %(allowed)s."),
    "panel.judge_has_sheet": _l("This judge already scores entry %(entry)s on another panel."),
    "panel.judge_not_on_panel": _l("This judge does not score on this panel."),
    "panel.judge_has_marks": _l("This judge has already entered marks on this panel and cannot be removed."),
    "panel.team_not_on_panel": _l("This entry is not judged by this panel."),
    "recusal.no_conflict": _l("This judge is not recused from this entry: there is nothing to override."),
    "recusal.reason_required": _l("An override of a recusal needs a reason."),
    "recusal.reason_too_long": _l("The reason may have at most %(max)s characters."),
    "recusal.bad_scope": _l("The recusal rule must be one of: %(allowed)s."),
    "mark.recused_province": _l("You may not score a team of your own province."),
    "sheet.incomplete": _l("This scoresheet still lacks marks for: %(aspects)s."),
    "sheet.reason_required": _l("Please give a reason for “%(action)s”."),
    "sheet.reason_too_long": _l("The reason may have at most %(max)s characters."),
    "sheet.spread_violation": _l("Entry %(entry)s cannot be signed off: the judges differ by more than the "
                                 "allowed spread on %(aspects)s and must re-score first."),
    "sheet.role_forbidden": _l("Only the chief judge may do this."),
    "sheet.invalid_transition": _l("This scoresheet is %(state)s: “%(action)s” is not possible now."),
    "sheet.unknown_action": _l("Unknown scoresheet action: %(action)s."),
})

#: what pages show for states, actions and roles (the API keeps the codes)
STATE_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted"), "checked": _l("Checked"),
                "signed": _l("Signed"), "locked": _l("Locked")}
ACTION_LABELS = {"submit": _l("Submit"), "check": _l("Check"), "return": _l("Return for re-score"),
                 "sign": _l("Sign off"), "lock": _l("Lock"), "unlock": _l("Unlock")}
ROLE_LABELS = {"chief_judge": _l("Chief judge"), "scoring": _l("Scoring judge"), "onsite": _l("On-site judge"),
               "supervisor": _l("Supervisor"), "arbitrator": _l("Arbitrator")}
FLAG_LABELS = {"bias_high": _l("Generous"), "bias_low": _l("Severe"), "erratic": _l("Erratic"),
               "outliers": _l("Outlier marks")}


class JudgeSeatIn(Schema):
    judge = fields.Integer(required=True, strict=True)
    role = fields.String(load_default="scoring", validate=validate.OneOf(JUDGE_ROLES))


class PanelIn(Schema):
    stage = fields.Integer(required=True, strict=True)
    division = fields.Integer(required=True, strict=True)
    zone = fields.Integer(load_default=None, allow_none=True, strict=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    aspects = fields.List(fields.Integer(strict=True), load_default=None, allow_none=True)
    judges = fields.List(fields.Nested(JudgeSeatIn), load_default=list)


class OverrideIn(Schema):
    judge = fields.Integer(required=True, strict=True)
    team = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(max=500))


class ActionIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    team = fields.Integer(load_default=None, allow_none=True, strict=True)


class HeartbeatIn(Schema):
    pending = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


def _tokens() -> Tokens:
    return current_app.extensions["compete.tokens"]


def _user() -> Actor:
    actor = current_actor()
    assert actor is not None  # require_roles ran first
    return actor


def _body(schema: Schema) -> Any:
    """The JSON body, or the schema's defaults when the request has none."""
    if not request.get_data():
        return schema.load({})
    return load(schema)


def _where(session: Session, panel: Panel) -> tuple[int, int | None]:
    return panels.event_of(session, panel).competition_id, panel.zone_id


def _emit(panel_id: int, where: tuple[int, int | None], payload: dict[str, Any]) -> None:
    try:
        emitter(_runtime().redis_url).officials_changed(panel_id, where[0], where[1], {**payload, "panel": panel_id})
    except Exception:  # noqa: BLE001 - the change is committed; consoles catch up on their next fetch
        current_app.logger.warning("could not emit officials change for panel %s", panel_id, exc_info=True)


def _outcome_dict(outcome: sheets.Outcome) -> dict[str, Any]:
    data = outcome.as_dict()
    for item in data["skipped"]:
        item["message"] = messages.message_for(item["error"], **item.pop("params", {}))
    return data


# -- panels ---------------------------------------------------------------------------------

@blueprint.get("/api/competitions/<int:competition_id>/panels")
@require_roles(*WATCHERS)
def panel_list(competition_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        zones = permissions.zones_visible(_user(), "judge.read", competition_id)
        return {"panels": [panels.panel_dict(db, p) for p in panels.panels_of(db, competition_id, zones)]}


@blueprint.get("/api/panels/<int:panel_id>")
@require_roles(*WATCHERS)
def panel_get(panel_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        panel = panels.get_panel(db, panel_id)
        sheets.check_watch(db, _user(), panel)
        return panels.panel_dict(db, panel)


@blueprint.post("/api/panels")
@require_roles(*PANEL_WRITERS)
def panel_create() -> Any:
    data = load(PanelIn())
    spec = panels.PanelSpec(
        stage_id=data["stage"], division_id=data["division"], zone_id=data["zone"], name=data["name"],
        aspect_ids=tuple(data["aspects"]) if data["aspects"] is not None else None,
        judges=tuple((j["judge"], j["role"]) for j in data["judges"]))
    with session_scope(_runtime().sessions) as db:
        panel, assignment = panels.create_panel(db, _user(), spec)
        return {"panel": panels.panel_dict(db, panel), "assignment": assignment.as_dict()}, 201


@blueprint.post("/api/panels/<int:panel_id>/judges")
@require_roles(*PANEL_WRITERS)
def panel_assign(panel_id: int) -> Any:
    data = load(JudgeSeatIn())
    with session_scope(_runtime().sessions) as db:
        return panels.assign_judge(db, _user(), panel_id, data["judge"], data["role"]).as_dict()


@blueprint.delete("/api/panels/<int:panel_id>/judges/<int:judge_id>")
@require_roles(*PANEL_WRITERS)
def panel_unassign(panel_id: int, judge_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        return {"panel": panel_id, "judge": judge_id,
                "sheets_removed": panels.unassign_judge(db, _user(), panel_id, judge_id)}


@blueprint.post("/api/panels/<int:panel_id>/overrides")
@require_roles(*PANEL_WRITERS)
def panel_override(panel_id: int) -> Any:
    data = load(OverrideIn())
    with session_scope(_runtime().sessions) as db:
        sheet = panels.override_recusal(db, _user(), panel_id, data["judge"], data["team"], data["reason"])
        return {"panel": panel_id, "judge": sheet.judge_id, "team": sheet.team_id, "sheet": sheet.id}, 201


@blueprint.post("/api/panels/<int:panel_id>/sync")
@require_roles(*PANEL_WRITERS)
def panel_sync(panel_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        return panels.sync_sheets(db, _user(), panel_id).as_dict()


# -- the sheet workflow ---------------------------------------------------------------------

@blueprint.post("/api/sheets/<int:sheet_id>/<action>")
def sheet_action(sheet_id: int, action: str) -> Any:
    if action not in sheets.ACTIONS:
        abort(404)
    data = _body(ActionIn())
    with session_scope(_runtime().sessions) as db:
        actor = device_actor(db, required=False) or current_actor()
        if actor is None:
            raise Unauthenticated("user.signed_out")
        outcome = sheets.act(db, actor, sheet_id, action, reason=data["reason"])
        where = _where(db, panels.get_panel(db, outcome.panel_id))
    body = _outcome_dict(outcome)
    _emit(outcome.panel_id, where, {"kind": "sheets", "changes": body["changes"],
                                    "violations": len(body["violations"])})
    return body


@blueprint.post("/api/panels/<int:panel_id>/sheets/<action>")
@require_roles(*sheets.CHIEF_ROLES)
def panel_sheet_action(panel_id: int, action: str) -> Any:
    if action not in sheets.ACTIONS:
        abort(404)
    data = _body(ActionIn())
    with session_scope(_runtime().sessions) as db:
        outcome = sheets.act_on_panel(db, _user(), panel_id, action, team_id=data["team"], reason=data["reason"])
        where = _where(db, panels.get_panel(db, panel_id))
    body = _outcome_dict(outcome)
    if outcome.changes:
        _emit(panel_id, where, {"kind": "sheets", "changes": body["changes"], "violations": len(body["violations"])})
    return body


# -- devices --------------------------------------------------------------------------------

@blueprint.post("/api/devices/heartbeat")
def device_heartbeat() -> Any:
    data = _body(HeartbeatIn())
    with session_scope(_runtime().sessions) as db:
        actor = device_actor(db, required=False)
        if actor is None:
            raise Unauthenticated("device.missing", field="Authorization")
        device = heartbeat(db, actor, data["pending"])
        seen = device.last_seen_at
        seats = db.execute(select(PanelJudge.panel_id).where(PanelJudge.judge_id == actor.id)).scalars().all()
        targets = [(p, _where(db, panels.get_panel(db, p))) for p in seats]
        payload = {"kind": "device", "device": device.id, "judge": device.judge_id, "online": True,
                   "last_seen_at": seen.isoformat() if seen else None, "pending_marks": device.pending_marks}
    for panel_id, where in targets:
        _emit(panel_id, where, payload)
    return {"server_time": utcnow().isoformat(), "device": payload["device"],
            "online_window": int(ONLINE_WINDOW.total_seconds())}


# -- consoles -------------------------------------------------------------------------------

@blueprint.get("/api/panels/<int:panel_id>/progress")
@require_roles(*WATCHERS)
def panel_progress(panel_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        sheets.check_watch(db, _user(), panels.get_panel(db, panel_id))
        return progress.panel_console(db, panel_id)


def _progress_zones(actor: Actor, competition_id: int) -> frozenset[int] | None:
    return permissions.zones_visible(actor, "progress.read", competition_id)


@blueprint.get("/api/competitions/<int:competition_id>/scoring-progress")
@require_roles(*PROGRESS_ROLES)
def competition_progress(competition_id: int) -> Any:
    with session_scope(_runtime().sessions) as db:
        zones = _progress_zones(_user(), competition_id)
        return progress.competition_progress(db, competition_id, zones=set(zones) if zones is not None else None)


def _labels() -> dict[str, Any]:
    return {"states": {k: str(v) for k, v in STATE_LABELS.items()},
            "actions": {k: str(v) for k, v in ACTION_LABELS.items()},
            "roles": {k: str(v) for k, v in ROLE_LABELS.items()},
            "flags": {k: str(v) for k, v in FLAG_LABELS.items()}}


@blueprint.get("/officials/panels/<int:panel_id>")
@require_roles(*WATCHERS)
def console_page(panel_id: int) -> Any:
    actor = _user()
    with session_scope(_runtime().sessions) as db:
        panel = panels.get_panel(db, panel_id)
        sheets.check_watch(db, actor, panel)
        data = progress.panel_console(db, panel_id)
        try:
            boards.check_audience(db, actor, data["board"], "officials")
            board_token: str | None = _tokens().sign(rooms.ROOM_TOKEN_KIND, {"b": data["board"], "a": "officials"})
        except DomainError:
            board_token = None
        competition = db.get(Competition, data["panel"]["competition"])
    can_act = actor.has_any(*sheets.CHIEF_ROLES)
    return render_template(
        "officials/console.html", data=data, competition=competition, labels=_labels(), can_act=can_act,
        panel_token=_tokens().sign(rooms.OFFICIALS_TOKEN_KIND, {"p": panel_id}), board_token=board_token,
        namespace=rooms.NAMESPACE, officials_event=rooms.OFFICIALS_CHANGED, board_event=rooms.BOARD_UPDATED)


@blueprint.get("/officials/competitions/<int:competition_id>/progress")
@require_roles(*PROGRESS_ROLES)
def progress_page(competition_id: int) -> Any:
    actor = _user()
    with session_scope(_runtime().sessions) as db:
        competition = db.get(Competition, competition_id)
        if competition is None:
            abort(404)
        zones = _progress_zones(actor, competition_id)
        data = progress.competition_progress(db, competition_id, zones=set(zones) if zones is not None else None)
    claims = [{"c": competition_id, "z": None}] if zones is None else [{"c": competition_id, "z": z} for z in zones]
    tokens = [_tokens().sign(rooms.OFFICIALS_TOKEN_KIND, c) for c in claims]
    return render_template("officials/progress.html", data=data, competition=competition, labels=_labels(),
                           room_tokens=tokens, namespace=rooms.NAMESPACE, officials_event=rooms.OFFICIALS_CHANGED)


@blueprint.get("/officials/competitions/<int:competition_id>/panels")
@require_roles(*WATCHERS)
def panels_page(competition_id: int) -> Any:
    actor = _user()
    with session_scope(_runtime().sessions) as db:
        competition = db.get(Competition, competition_id)
        if competition is None:
            abort(404)
        zones = permissions.zones_visible(actor, "judge.read", competition_id)
        rows = panels.panels_of(db, competition_id, zones)
        listing = [{**panels.panel_dict(db, p), **progress.panel_labels(db, p),
                    "recused": [dataclasses.asdict(r) for r in panels.recused_pairs(db, p)]} for p in rows]
        can_write = permissions.has_role_for(actor, "judge.write")
        roster = [{"id": j.id, "name": j.name, "role": j.role}
                  for j in (judges.list_judges(db, actor, competition_id) if can_write else [])]
    return render_template("officials/panels.html", competition=competition, panels=listing, roster=roster,
                           labels=_labels(), can_write=can_write)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
