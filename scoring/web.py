"""Scoring over HTTP: submit a mark, read a board, watch a board, publish it. Parse → service → dump.

- ``POST /api/marks`` (device token in ``Authorization: Device <token>``): 201 with the receipt,
  or 200 with the first receipt when the submission id was seen before.
- ``GET /api/boards/<id>?audience=public``: the latest snapshot, with an ETag of its version.
- ``GET /api/boards/<id>/room-token?audience=public``: a fresh signed room token (for a page
  whose token expired while it was away), only to those who may watch that audience.
- ``POST /api/boards/<id>/publication`` ``{"action": ...}``: organisers change what the public
  sees (``scoring.publication``); the worker then writes and broadcasts the new boards. A
  supervisor co-signs decryption here too (``{"action": "cosign_decryption"}``).
- Pages: ``/boards/<id>`` (the live board, ``?audience=officials`` for officials),
  ``/phone/<id>`` (one division, light), ``/screen/<competition id>`` (the hall's big screen,
  cycling through the competition's boards; ``?event=``, ``?stage=``, ``?seconds=``;
  ``?board=`` pins one board, e.g. for the prize ceremony),
  ``/boards/<id>/publish`` (the publication and ceremony controls, with decryption's
  preconditions and the supervisor's co-sign button, and the result lifecycle - review, public
  notice with its countdown, signatures, final hash - with each role's buttons, whose API is
  ``scoring.results_web``) and
  ``/competitions/<id>/boards`` (the list).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from compete import messages
from compete.accounts.device_auth import device_actor
from compete.accounts.web import current_actor, require_roles
from compete.db import make_engine, make_session_factory, session_scope
from compete.errors import Unauthenticated
from compete.http import load
from compete.registration.models import Competition, Division, SkillEvent, Stage, Zone
from compete.runtime import Runtime
from compete.security import Tokens
from realtime import rooms
from scoring import boards, lifecycle, marking, publication
from scoring.jobs import coalescer
from scoring.models import Board
from scoring.schemas import MarkIn

blueprint = Blueprint("scoring", __name__)

messages.register({
    "publication.invalid_transition": _l("The board is %(state)s: “%(action)s” is not possible now."),
    "publication.unknown_action": _l("Unknown publication action: %(action)s."),
    "publication.not_decrypted": _l("Identities must be decrypted before the prize ceremony."),
    "publication.no_freeze_snapshot": _l("This board was frozen without a stored ranking."),
    "publication.bad_reveal_level": _l("Unknown reveal level; allowed: %(allowed)s."),
    "publication.not_revealing": _l("The prize ceremony has not started on this board."),
    "publication.reveal_complete": _l("Every prize has already been revealed."),
    "publication.already_decrypted": _l("Identities on this board are already decrypted."),
    "publication.no_sheets": _l("This board has no scoresheets yet: there is nothing to decrypt."),
    "publication.entries_without_sheets": _l(
        "%(count)s entries on this board have no scoresheet; decryption waits until every entry is scored."),
    "publication.sheets_not_locked": _l(
        "Only %(locked)s of %(total)s scoresheets are locked; decryption needs every sheet locked."),
    "publication.already_cosigned": _l("A supervisor has already co-signed the decryption of this board."),
    "publication.cosign_required": _l("Decryption needs a supervisor's co-signature first."),
    "publication.cosign_stale": _l(
        "Scoresheets changed after the supervisor co-signed; a supervisor must co-sign again."),
    "publication.cosigner_cannot_decrypt": _l(
        "The supervisor who co-signed cannot also decrypt: another organiser must do it."),
    "publication.results_not_final": _l(
        "The final board can be published only once the results are final (reviewed, noticed and signed)."),
    "room.token_expired": _l("This live view's access has expired; it is being renewed."),
})


class PublicationIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(publication.ALL_ACTIONS))


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


def _readers() -> sessionmaker[Session]:
    """Sessions for read-only views. On SQLite their transactions are deferred (WAL lets them
    read beside a writer), so a page or a snapshot never waits for the worker's write lock -
    which, inside C, would stall every greenlet of this process. Elsewhere: the same pool kind."""
    found = current_app.extensions.get("scoring.readers")
    if found is None:
        engine = make_engine(_runtime().settings.sqlalchemy_url, immediate=False)
        found = current_app.extensions["scoring.readers"] = make_session_factory(engine)
    return found  # type: ignore[no-any-return]


def _tokens() -> Tokens:
    return current_app.extensions["compete.tokens"]


@blueprint.post("/api/marks")
def submit_mark() -> Any:
    command = load(MarkIn())
    rt = _runtime()
    with session_scope(rt.sessions) as session:
        actor = device_actor(session)
        receipt = marking.submit_mark(session, actor, command)
    marking.dispatch(coalescer(rt), receipt)
    return receipt.as_dict(), 200 if receipt.duplicate else 201


def _audience(session: Any, board_id: int) -> str:
    """The audience asked for, after checking that the signed-in user may see it."""
    audience = request.args.get("audience", "public")
    if audience not in rooms.AUDIENCES:
        abort(404)
    if audience != "public":
        actor = current_actor()
        if actor is None:
            raise Unauthenticated("user.signed_out")
        boards.check_audience(session, actor, board_id, audience)
    return audience


def room_token(board_id: int, audience: str) -> str:
    return _tokens().sign(rooms.ROOM_TOKEN_KIND, {"b": board_id, "a": audience})


@blueprint.get("/api/boards/<int:board_id>")
def board_snapshot(board_id: int) -> Any:
    with session_scope(_readers()) as session:
        audience = _audience(session, board_id)
        payload = boards.snapshot_payload(session, board_id, audience)
    etag = f'"{board_id}-{audience}-{payload["version"]}"'
    if request.if_none_match.contains(etag.strip('"')):
        return "", 304, {"ETag": etag}
    return payload, 200, {"ETag": etag, "Cache-Control": "no-cache"}


@blueprint.get("/api/boards/<int:board_id>/room-token")
def board_room_token(board_id: int) -> Any:
    with session_scope(_readers()) as session:
        audience = _audience(session, board_id)
        if session.get(Board, board_id) is None:
            abort(404)
    return {"token": room_token(board_id, audience), "max_age": rooms.ROOM_TOKEN_MAX_AGE}, 200, {
        "Cache-Control": "no-store"}


@blueprint.post("/api/boards/<int:board_id>/publication")
@require_roles(*publication.PAGE_ROLES)
def change_publication(board_id: int) -> Any:
    data = load(PublicationIn())
    actor = current_actor()
    assert actor is not None
    rt = _runtime()
    with session_scope(rt.sessions) as session:
        change = publication.change(session, actor, board_id, data["action"])
    if not change.recompute:
        return change.as_dict()
    try:  # the fast path; the relay re-requests from the event log if Redis is away
        coalescer(rt).request(board_id, change.event_id)
    except Exception:
        current_app.logger.warning("could not request a recompute of board %s", board_id, exc_info=True)
    return change.as_dict()


def _live_context(payload: dict[str, Any], audience: str) -> dict[str, Any]:
    board_id = payload["board"]
    return {"board": payload, "room_token": room_token(board_id, audience), "namespace": rooms.NAMESPACE,
            "event": rooms.BOARD_UPDATED,
            "snapshot_url": url_for("scoring.board_snapshot", board_id=board_id, audience=audience),
            "token_url": url_for("scoring.board_room_token", board_id=board_id, audience=audience)}


@blueprint.get("/boards/<int:board_id>")
def board_page(board_id: int) -> Any:
    with session_scope(_readers()) as session:
        audience = _audience(session, board_id)
        payload = boards.snapshot_payload(session, board_id, audience)
    return render_template("board.html", **_live_context(payload, audience))


@blueprint.get("/phone/<int:board_id>")
def phone_page(board_id: int) -> Any:
    with session_scope(_readers()) as session:
        payload = boards.snapshot_payload(session, board_id, "public")
    return render_template("phone.html", **_live_context(payload, "public"))


@blueprint.get("/boards/<int:board_id>/publish")
@require_roles(*publication.PAGE_ROLES)
def publish_page(board_id: int) -> Any:
    actor = current_actor()
    assert actor is not None
    with session_scope(_readers()) as session:
        state = publication.page_state(session, actor, board_id)
        results = lifecycle.view(session, actor, board_id)
    return render_template("publish.html", state=state, actions=publication.ACTIONS, cosign=publication.COSIGN,
                           action_url=url_for("scoring.change_publication", board_id=board_id), results=results,
                           results_url=url_for("results.results_action", board_id=board_id),
                           checks_url=url_for("results.results_check", board_id=board_id))


def _listing(session: Any, competition_id: int, event_id: int | None = None,
             stage_id: int | None = None) -> list[dict[str, Any]]:
    query = (
        select(Board, Stage, SkillEvent, Division, Zone)
        .join(Stage, Stage.id == Board.stage_id)
        .join(SkillEvent, SkillEvent.id == Stage.event_id)
        .join(Division, Division.id == Board.division_id)
        .outerjoin(Zone, Zone.id == Board.zone_id)
        .where(SkillEvent.competition_id == competition_id)
        .order_by(SkillEvent.id, Stage.position, Division.id, Zone.id, Board.id)
    )
    if event_id is not None:
        query = query.where(SkillEvent.id == event_id)
    if stage_id is not None:
        query = query.where(Stage.id == stage_id)
    return [{"id": b.id, "title": b.title, "stage": s.name, "event": e.name, "division": d.name,
             "zone": z.name if z else None, "publication": b.publication}
            for b, s, e, d, z in session.execute(query).all()]


@blueprint.get("/competitions/<int:competition_id>/boards")
def board_list(competition_id: int) -> Any:
    with session_scope(_readers()) as session:
        competition = session.get(Competition, competition_id)
        if competition is None:
            abort(404)
        listing = _listing(session, competition_id)
    return render_template("boards.html", competition=competition, boards=listing)


@blueprint.get("/screen/<int:competition_id>")
def screen_page(competition_id: int) -> Any:
    event_id = request.args.get("event", type=int)
    stage_id = request.args.get("stage", type=int)
    seconds = min(max(request.args.get("seconds", default=12, type=int), 3), 600)
    with session_scope(_readers()) as session:
        competition = session.get(Competition, competition_id)
        if competition is None:
            abort(404)
        listing = _listing(session, competition_id, event_id, stage_id)
    pinned = request.args.get("board", type=int)
    if pinned is not None:  # one board only: the prize ceremony
        listing = [b for b in listing if b["id"] == pinned]
    screens = [{**b, "token": room_token(b["id"], "public"),
                "snapshot_url": url_for("scoring.board_snapshot", board_id=b["id"], audience="public"),
                "token_url": url_for("scoring.board_room_token", board_id=b["id"], audience="public")}
               for b in listing]
    return render_template("screen.html", competition=competition, screens=screens, seconds=seconds,
                           namespace=rooms.NAMESPACE, event=rooms.BOARD_UPDATED)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
