"""The HTTP edge: one JSON error shape everywhere, translated, and request parsing helpers.

Every error leaves as ``{"error": code, "message": text, "fields": {field: [text]}}`` with a
status chosen by the error's class: validation 422, unauthenticated 401, forbidden 403, not
found 404, conflict or invalid state 409. ``load(schema)`` parses the JSON body with a
marshmallow schema and raises the same shape on bad input.

Must not: hold rules or touch the database.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from compete.errors import Conflict, DomainError, Forbidden, InvalidState, NotFound, Unauthenticated, ValidationFailed
from compete.messages import field_message, message_for

log = logging.getLogger(__name__)

STATUS = (
    (ValidationFailed, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidState, 409),
)


def error_response(code: str, status: int, fields: dict[str, list[str]] | None = None, **params: Any) -> Response:
    response = jsonify({"error": code, "message": message_for(code, **params), "fields": fields or {}})
    response.status_code = status
    return response


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(messages, list):
        out[prefix or "_schema"] = [field_message(str(m)) for m in messages]
    else:
        out[prefix or "_schema"] = [field_message(str(messages))]
    return out


def load(schema: Schema) -> Any:
    """The request's JSON body loaded by ``schema``; raises ``ValidationError`` on bad shape."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("request.not_json", field="_body")
    return schema.load(body)


def _domain_error(error: DomainError) -> Response:
    status = next((s for cls, s in STATUS if isinstance(error, cls)), 400)
    fields = {error.field: [message_for(error.code, **error.params)]} if error.field else {}
    return error_response(error.code, status, fields, **error.params)


def _validation_error(error: ValidationError) -> Response:
    return error_response("request.invalid", 422, _flatten(error.messages))


def _http_error(error: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/api/"):
        return error
    code = {404: "request.not_found", 405: "request.method_not_allowed"}.get(error.code or 0, "request.invalid")
    return error_response(code, error.code or 400)


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response("request.internal", 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
