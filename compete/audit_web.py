"""The event log over HTTP: ``GET /api/events?since=<id>&limit=<n>`` as NDJSON, for officials.

External tools (and, later, a zone server pushing to the final's server) follow the log by id:
each line is one event (``compete.events.EventRecord.as_dict``), oldest first; the response
header ``X-Last-Event-Id`` tells where to continue. Admins see every competition's events.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from marshmallow import Schema, fields, validate

from compete import events
from compete.accounts.web import require_roles
from compete.db import session_scope

blueprint = Blueprint("audit", __name__)


class FeedQuery(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))
    competition = fields.Integer(load_default=None, validate=validate.Range(min=1))


@blueprint.get("/api/events")
@require_roles("admin")
def feed() -> Any:
    query = FeedQuery().load(request.args)
    with session_scope(current_app.extensions["compete.runtime"].sessions) as session:
        rows = events.since(session, query["since"], limit=query["limit"], competition_id=query["competition"])
        lines = [json.dumps(row.as_dict(), ensure_ascii=False) for row in rows]
        last = rows[-1].id if rows else query["since"]
    body = "\n".join(lines) + ("\n" if lines else "")
    return Response(body, mimetype="application/x-ndjson", headers={"X-Last-Event-Id": str(last)})


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
