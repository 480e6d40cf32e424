"""The OpenAPI 3 document of the HTTP API, built from the routes themselves, and its docs page.

Owns: the ``doc(...)`` decorator a view wears to describe itself (summary, tags, the
marshmallow schemas of its body, query and response, its status and credentials);
``EXTERNAL``, descriptions of routes whose modules do not wear it (schemas named as strings and
found in marshmallow's class registry, so this module imports no context); ``build_spec(app)``
walking every ``/api/`` rule of the app, so a new route appears in the document even before it
is described; ``GET /api/openapi.json`` and the interactive page ``GET /docs/api`` (Swagger UI,
vendored under ``static/vendor/swagger-ui``; it sends the page's CSRF token with each call).

Vocabulary: credentials are ``session`` (the organiser's cookie, plus the ``X-CSRFToken``
header on changes), ``device`` (``Authorization: Device <token>``) or ``none``.

Must not: hold rules; import scoring (compete never does, except app.py and cli.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, class_registry, fields
from marshmallow.exceptions import RegistryError

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "__openapi__"
SchemaRef = type[Schema] | str | None

blueprint = Blueprint("openapi", __name__)


class ErrorOut(Schema):
    """The one error shape of every endpoint."""

    error = fields.String(metadata={"example": "team.too_many_members"})
    message = fields.String(metadata={"example": "A team has at most 3 members."})
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))


@dataclasses.dataclass(frozen=True)
class Operation:
    summary: str
    tags: tuple[str, ...] = ()
    body: SchemaRef = None
    query: SchemaRef = None
    response: SchemaRef = None
    many: bool = False
    status: int = 200
    auth: tuple[str, ...] = ("session",)
    #: a multipart upload with these form fields besides ``file``
    upload: SchemaRef = None
    #: media types of a file answer (exports)
    download: tuple[str, ...] = ()
    description: str = ""


def doc(summary: str, **options: Any) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document (see ``Operation`` for the options)."""
    operation = Operation(summary, **options)

    def decorate(view: F) -> F:
        setattr(view, ATTRIBUTE, operation)
        return view

    return decorate


#: routes described here because their modules do not wear ``doc`` (method, rule) → operation
EXTERNAL: dict[tuple[str, str], Operation] = {
    ("POST", "/api/marks"): Operation(
        "Submit one mark from a judge's tablet", tags=("scoring",), body="MarkIn", status=201, auth=("device",),
        description="201 with the receipt; a repeated submission_id answers 200 with the first receipt."),
    ("GET", "/api/boards/<int:board_id>"): Operation(
        "The latest snapshot of a board", tags=("boards",), auth=("none", "session"),
        description="?audience=public (anyone) or officials (an official role in scope). ETag = version."),
}


def _schema(ref: SchemaRef) -> type[Schema] | None:
    if ref is None or not isinstance(ref, str):
        return ref
    try:
        found = class_registry.get_class(ref, all=False)
    except RegistryError:
        return None
    return found if isinstance(found, type) else None


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        kind = {"int": "integer", "float": "number"}.get(converter, "string")
        params.append({"in": "path", "name": name, "required": True, "schema": {"type": kind}})
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _operation(op: Operation, method: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"summary": str(op.summary), "tags": list(op.tags) or ["other"], "parameters": list(params)}
    if op.description:
        out["description"] = op.description
    query = _schema(op.query)
    if query is not None:
        out["parameters"].append({"in": "query", "schema": query})
    body = _schema(op.body)
    if body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    upload = _schema(op.upload)
    if op.upload is not None:
        properties: dict[str, Any] = {"file": {"type": "string", "format": "binary"}}
        if upload is not None:
            properties.update({name: {"type": "string"} for name in upload().fields})
        out["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "properties": properties, "required": ["file"]}}}}
    response = _schema(op.response)
    ok: dict[str, Any] = {"description": "OK"}
    if op.download:
        ok["content"] = {media: {"schema": {"type": "string", "format": "binary"}} for media in op.download}
    elif response is not None:
        schema: Any = response
        if op.many:
            schema = {"type": "array", "items": response}
        ok["content"] = {"application/json": {"schema": schema}}
    error = {"description": "Error", "content": {"application/json": {"schema": "ErrorOut"}}}
    out["responses"] = {str(op.status): ok, "4XX": error}
    security = []
    for auth in op.auth:
        if auth == "session":
            security.append({"session": [], "csrf": []} if method != "GET" else {"session": []})
        elif auth == "device":
            security.append({"device": []})
        else:
            security.append({})
    out["security"] = security
    return out


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="compete API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Skills competitions: set-up, registration, imports, draws, marks and boards. "
                             "Errors: {error, message, fields}, translated (Accept-Language or ?lang=)."},
    )
    spec.components.schema("ErrorOut", schema=ErrorOut)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                "name": app.config.get("SESSION_COOKIE_NAME", "session")})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    spec.components.security_scheme("device", {"type": "apiKey", "in": "header", "name": "Authorization",
                                               "description": "Device <token>"})
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/") or rule.endpoint == "openapi.document":
            continue
        path, params = _path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = getattr(view, ATTRIBUTE, None) or EXTERNAL.get((method, rule.rule)) or Operation(
                rule.endpoint.replace(".", " ").replace("_", " "), tags=(rule.endpoint.split(".")[0],))
            paths.setdefault(path, {})[method.lower()] = _operation(op, method, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@blueprint.get("/api/openapi.json")
def document() -> Any:
    cached = current_app.extensions.get("compete.openapi")
    if cached is None:
        cached = current_app.extensions["compete.openapi"] = build_spec(current_app)
    return cached


@blueprint.get("/docs/api")
def docs_page() -> Any:
    return render_template("console/api_docs.html", title=_l("API reference"))


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
