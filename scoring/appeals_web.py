"""Appeals (申诉) and arbitration (仲裁) over HTTP. Parse → service (``scoring.appeals``) → dump.

- ``GET /api/boards/<id>/appeals``: the board's appeals (state, grounds, history, the moves the
  caller may make), the filing window (the public notice) and how many appeals hold the board.
- ``POST /api/boards/<id>/appeals`` ``{"team": <team id>, "leader": "...", "grounds": "..."}``:
  an organiser (or a zone admin in scope) records a team's written appeal; 201.
- ``POST /api/appeals/<id>/<action>`` ``{"reason": "..."}`` with ``action`` one of accept,
  reject, hear, decide, escalate, conclude (arbitrators).
- ``POST /api/appeals/<id>/corrections/preview`` and ``.../apply``
  ``{"changes": [{"sheet": <id>, "aspect": <id>, "value": "7.5", "reason": "..."}, ...]}``
  (arbitrators, while hearing or escalated): the board before → after, stored nothing; or the
  set written as new mark revisions (201), then the board's recompute is requested.
- Page: ``/boards/<id>/appeals`` (linked from the publish page): the same, with each role's
  buttons and the correction preview.

Errors: the one JSON shape (``compete.http``); codes in ``scoring.appeals`` and
``scoring.domain.appeals``. Must not: hold rules; commit outside ``session_scope``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, post_load, validate

from compete import messages
from compete.accounts.web import current_actor, require_roles
from compete.db import session_scope
from compete.http import load
from compete.runtime import Runtime
from scoring import appeals
from scoring.domain.appeals import ACTIONS
from scoring.jobs import coalescer
from scoring.schemas import at_most_four_places

blueprint = Blueprint("appeals", __name__)

messages.register({
    "appeal.window_not_open": _l("Appeals can be filed only once the public notice of these results has opened."),
    "appeal.window_closed": _l("The public notice ended at %(ends_at)s: appeals are closed."),
    "appeal.leader_required": _l("Name the team leader who files the appeal."),
    "appeal.grounds_required": _l("An appeal needs its grounds in writing."),
    "appeal.reason_required": _l("Give the reason for this step."),
    "appeal.unknown_action": _l("Unknown appeal action: %(action)s."),
    "appeal.invalid_transition": _l("This step is not possible in the appeal's current state."),
    "appeal.results_final": _l("The results of this board are already final."),
    "appeal.not_correctable": _l("Marks can be corrected only while the appeal is being heard."),
    "appeal.no_changes": _l("A correction set needs at least one change."),
    "appeal.duplicate_change": _l("This sheet and aspect are already changed in this set."),
    "appeal.change_reason_required": _l("Give the reason for each change."),
    "appeal.not_found": _l("No such appeal."),
    "appeal.team_not_on_board": _l("This team is not an entry of this board."),
    "appeal.sheet_not_on_board": _l("This scoresheet is not on this board."),
    "appeal.aspect_not_on_sheet": _l("This aspect is not on this scoresheet."),
})


class FileIn(Schema):
    team = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    leader = fields.String(required=True, validate=validate.Length(min=1, max=100))
    grounds = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class MoveIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ChangeIn(Schema):
    sheet = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    aspect = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    value = fields.Decimal(required=True, allow_nan=False, validate=at_most_four_places)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=400))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> appeals.Change:
        return appeals.Change(data["sheet"], data["aspect"], data["value"], data["reason"])


class CorrectionsIn(Schema):
    changes = fields.List(fields.Nested(ChangeIn), required=True, validate=validate.Length(min=1, max=200))


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


def _actor() -> Any:
    actor = current_actor()
    assert actor is not None
    return actor


@blueprint.get("/api/boards/<int:board_id>/appeals")
@require_roles(*appeals.READ_ROLES)
def board_appeals(board_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        return appeals.view(session, _actor(), board_id)


@blueprint.post("/api/boards/<int:board_id>/appeals")
@require_roles(*appeals.READ_ROLES)
def file_appeal(board_id: int) -> Any:
    data = load(FileIn())
    with session_scope(_runtime().sessions) as session:
        step = appeals.file(session, _actor(), board_id, data["team"], data["leader"], data["grounds"])
    return step.as_dict(), 201


@blueprint.post("/api/appeals/<int:appeal_id>/<action>")
@require_roles(*appeals.READ_ROLES)
def move_appeal(appeal_id: int, action: str) -> Any:
    data = load(MoveIn())
    with session_scope(_runtime().sessions) as session:
        step = appeals.move(session, _actor(), appeal_id, action, data["reason"])
    return step.as_dict()


@blueprint.post("/api/appeals/<int:appeal_id>/corrections/preview")
@require_roles(*appeals.READ_ROLES)
def preview_corrections(appeal_id: int) -> Any:
    data = load(CorrectionsIn())
    with session_scope(_runtime().sessions) as session:
        out = appeals.preview(session, _actor(), appeal_id, data["changes"])
        session.rollback()  # a preview stores nothing, whatever it read
    return out


@blueprint.post("/api/appeals/<int:appeal_id>/corrections/apply")
@require_roles(*appeals.READ_ROLES)
def apply_corrections(appeal_id: int) -> Any:
    data = load(CorrectionsIn())
    rt = _runtime()
    with session_scope(rt.sessions) as session:
        step = appeals.apply(session, _actor(), appeal_id, data["changes"])
    appeals.dispatch(coalescer(rt), step)
    return step.as_dict(), 201


@blueprint.get("/boards/<int:board_id>/appeals")
@require_roles(*appeals.READ_ROLES)
def appeals_page(board_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        state = appeals.view(session, _actor(), board_id)
        session.rollback()
    return render_template("appeals.html", state=state, actions=ACTIONS,
                           file_url=url_for("appeals.file_appeal", board_id=board_id),
                           publish_url=url_for("scoring.publish_page", board_id=board_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
