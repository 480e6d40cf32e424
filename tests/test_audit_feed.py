"""The event log as an NDJSON feed for officials, followed by id."""

from __future__ import annotations

import json
import uuid

from tests.factories import scenario
from tests.scoring.test_board_path import sign_in


def lines(response):  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_admins_follow_the_log_by_id(client, session):
    s = scenario(session)
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(0, 0), "aspect": s.aspects["T1"], "value": "5"}
    assert client.post("/api/marks", json=body, headers=s.auth(0)).status_code == 201
    assert client.get("/api/events").status_code == 401
    sign_in(client, session, ["admin"])
    first = client.get("/api/events?limit=2")
    assert first.mimetype == "application/x-ndjson"
    page = lines(first)
    assert [e["id"] for e in page] == [1, 2] and first.headers["X-Last-Event-Id"] == "2"
    rest = lines(client.get("/api/events?since=2"))
    assert rest[0]["id"] == 3 and any(e["type"] == "mark.submitted" for e in rest)
    mark = next(e for e in rest if e["type"] == "mark.submitted")
    assert mark["payload"]["board"] == s.board_id and mark["actor"] == f"judge:{s.judge_ids[0]}"


def test_bad_queries_name_the_field(client, session):
    sign_in(client, session, ["admin"])
    response = client.get("/api/events?since=-1")
    assert response.status_code == 422 and "since" in response.json["fields"]


def test_only_admins_read_the_log(client, session):
    sign_in(client, session, ["judge"])
    assert client.get("/api/events").status_code == 403
