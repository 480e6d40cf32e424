"""``GET /healthz``: is the database, Redis and at least one worker up?

Answers ``{"status": "ok"|"degraded", "database": {...}, "redis": {...}, "workers": {...}}``
with 200 when all three are up and 503 otherwise. Workers are RQ workers registered in Redis.

Must not: change anything.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from rq import Worker
from sqlalchemy import text

from compete.runtime import Runtime

blueprint = Blueprint("health", __name__)


def check(rt: Runtime) -> dict[str, Any]:
    report: dict[str, Any] = {}
    try:
        with rt.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        report["database"] = {"ok": True, "dialect": rt.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        report["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        rt.redis.ping()
        report["redis"] = {"ok": True, "embedded": rt.redis_url.startswith("unix://")}
    except Exception as exc:  # noqa: BLE001
        report["redis"] = {"ok": False, "error": type(exc).__name__}
    try:
        workers = Worker.all(connection=rt.redis) if report["redis"]["ok"] else []
        report["workers"] = {"ok": bool(workers), "count": len(workers)}
    except Exception as exc:  # noqa: BLE001
        report["workers"] = {"ok": False, "count": 0, "error": type(exc).__name__}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "degraded"
    return report


@blueprint.get("/healthz")
def healthz() -> Any:
    report = check(current_app.extensions["compete.runtime"])
    return jsonify(report), 200 if report["status"] == "ok" else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
