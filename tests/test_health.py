"""GET /healthz reports the database, Redis and workers: 200 when all are up, else 503."""

from __future__ import annotations

from rq import SimpleWorker

from compete.queues import queue


def test_without_a_worker_the_system_is_degraded(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "degraded" and body["database"]["ok"] and body["redis"]["ok"]
    assert body["workers"] == {"ok": False, "count": 0}


def test_with_a_worker_all_is_well(client, runtime):
    worker = SimpleWorker([queue(runtime.redis, "boards")], connection=runtime.redis)
    worker.register_birth()
    try:
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json["status"] == "ok"
        assert response.json["workers"]["count"] == 1
    finally:
        worker.register_death()
