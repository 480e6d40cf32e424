"""The result lifecycle over HTTP (复核 → 公示 → final). Parse → service → dump.

- ``GET /api/boards/<id>/results``: the board's lifecycle (``scoring.lifecycle.view``): state,
  the review's seed, sample and checks, the notice's countdown, the signatures, the final hash,
  and what the caller may do.
- ``POST /api/boards/<id>/results`` ``{"action": "start_review" | "open_notice" | "finalise"}``
  (organisers) or ``{"action": "sign", "role": "chief_judge" | "supervisor"}``.
- ``POST /api/boards/<id>/results/checks`` ``{"entry": <team id>, "outcome": "confirmed" |
  "error", "note": "..."}`` (supervisors, during review; an error needs a note).

The publish page (``scoring.web.publish_page``) shows the same state with each role's buttons.
Errors: the one JSON shape (``compete.http``); codes in ``scoring.lifecycle``.
Must not: hold rules; read the clock for the rules (the service does).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from compete import messages
from compete.accounts.web import current_actor, require_roles
from compete.db import session_scope
from compete.http import load
from compete.runtime import Runtime
from scoring import lifecycle
from scoring.domain.lifecycle import OUTCOMES, SIGNERS

blueprint = Blueprint("results", __name__)

messages.register({
    "lifecycle.not_decrypted": _l("Identities must be decrypted before the results are reviewed."),
    "lifecycle.already_started": _l("The review of this board has already started."),
    "lifecycle.no_entries": _l("This board has no ranked entries to review."),
    "lifecycle.seed_required": _l("A seed is needed to draw the review sample."),
    "lifecycle.not_in_review": _l("The results of this board are not under review."),
    "lifecycle.not_sampled": _l("This entry is not one of the entries to re-check."),
    "lifecycle.already_checked": _l("This entry has already been checked."),
    "lifecycle.note_required": _l("Describe the error in a note."),
    "lifecycle.review_incomplete": _l(
        "%(count)s entries still need a check before the public notice can open."),
    "lifecycle.not_in_notice": _l("The results of this board are not in public notice."),
    "lifecycle.already_signed": _l("The results have already been signed for this role."),
    "lifecycle.same_signer": _l("The chief judge and the supervisor who sign must be different people."),
    "lifecycle.notice_running": _l("The public notice has not ended yet (it ends at %(ends_at)s)."),
    "lifecycle.appeal_pending": _l("%(count)s open appeals hold these results at public notice."),
    "lifecycle.signature_required": _l("The final results need this signature first."),
    "lifecycle.signature_stale": _l("The data changed after this signature; it must be given again."),
    "lifecycle.sheets_not_locked": _l("Every scoresheet must be locked before the results are final."),
    "lifecycle.already_final": _l("The results of this board are already final."),
    "lifecycle.unknown_action": _l("Unknown results action: %(action)s."),
    "lifecycle.bad_outcome": _l("Unknown check outcome; allowed: %(allowed)s."),
    "lifecycle.bad_role": _l("Sign as one of: %(allowed)s."),
    "lifecycle.entry_not_found": _l("This entry is not on this board."),
})


class ResultsActionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(lifecycle.ACTIONS))
    role = fields.String(validate=validate.OneOf(SIGNERS))


class CheckIn(Schema):
    entry = fields.Integer(required=True, strict=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


@blueprint.get("/api/boards/<int:board_id>/results")
@require_roles(*lifecycle.READ_ROLES)
def results_state(board_id: int) -> Any:
    actor = current_actor()
    assert actor is not None
    with session_scope(_runtime().sessions) as session:
        return lifecycle.view(session, actor, board_id)


@blueprint.post("/api/boards/<int:board_id>/results")
@require_roles(*lifecycle.READ_ROLES)
def results_action(board_id: int) -> Any:
    data = load(ResultsActionIn())
    actor = current_actor()
    assert actor is not None
    with session_scope(_runtime().sessions) as session:
        step = lifecycle.act(session, actor, board_id, data["action"], role=data.get("role"))
    return step.as_dict()


@blueprint.post("/api/boards/<int:board_id>/results/checks")
@require_roles(*lifecycle.READ_ROLES)
def results_check(board_id: int) -> Any:
    data = load(CheckIn())
    actor = current_actor()
    assert actor is not None
    with session_scope(_runtime().sessions) as session:
        step = lifecycle.record_check(session, actor, board_id, data["entry"], data["outcome"], data["note"])
    return step.as_dict(), 201


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
