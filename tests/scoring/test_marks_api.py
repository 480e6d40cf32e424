"""POST /api/marks: the first half of the path of one mark, on the real database and Redis."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from compete.events import EventRecord
from scoring.models import Mark
from tests.factories import scenario


def mark_body(s, judge=0, team=0, aspect="T1", value="7.5", submission_id=None):  # type: ignore[no-untyped-def]
    return {
        "submission_id": submission_id or str(uuid.uuid4()),
        "sheet": s.sheet(judge, team),
        "aspect": s.aspects[aspect],
        "value": value,
    }


def count(session, model):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_mark_is_stored_with_its_event_and_a_receipt(client, session):
    s = scenario(session)
    response = client.post("/api/marks", json=mark_body(s), headers=s.auth(0))
    assert response.status_code == 201, response.json
    receipt = response.json
    assert receipt["value"] == "7.5" and receipt["revision"] == 1 and receipt["duplicate"] is False
    mark = session.scalar(select(Mark))
    assert str(mark.value.normalize()) == "7.5" and mark.judge_id == s.judge_ids[0]
    assert mark.device_id == s.device_ids[s.judge_ids[0]]
    event = session.scalar(select(EventRecord).where(EventRecord.type == "mark.submitted"))
    assert event.payload["mark"] == mark.id and event.payload["board"] == s.board_id
    assert event.actor == f"judge:{s.judge_ids[0]}"


def test_a_repeated_submission_returns_the_first_receipt_and_stores_nothing_new(client, session):
    s = scenario(session)
    body = mark_body(s)
    first = client.post("/api/marks", json=body, headers=s.auth(0))
    again = client.post("/api/marks", json={**body, "value": "9"}, headers=s.auth(0))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["mark_id"] == first.json["mark_id"] and again.json["value"] == "7.5"
    assert again.json["duplicate"] is True
    assert count(session, Mark) == 1
    assert count(session, EventRecord) == 1 + len(s.judge_ids)  # one mark + the device issues


def test_the_same_submission_sent_ten_times_concurrently_is_stored_once(app, session):
    s = scenario(session)
    body = mark_body(s)

    def send(_: int) -> int:
        with app.test_client() as c:
            return c.post("/api/marks", json=body, headers=s.auth(0)).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(send, range(10)))
    assert statuses.count(201) == 1 and statuses.count(200) == 9, statuses
    assert count(session, Mark) == 1


def test_a_changed_mark_is_a_new_revision(client, session):
    s = scenario(session)
    client.post("/api/marks", json=mark_body(s, value="6"), headers=s.auth(0))
    second = client.post("/api/marks", json=mark_body(s, value="8"), headers=s.auth(0))
    assert second.status_code == 201 and second.json["revision"] == 2
    assert [str(m.value.normalize()) for m in session.scalars(select(Mark).order_by(Mark.id))] == ["6", "8"]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"value": "11"}, 422, "mark.out_of_range", "value"),
        ({"value": "-1"}, 422, "mark.out_of_range", "value"),
        ({"value": "abc"}, 422, "request.invalid", "value"),
        ({"submission_id": "not-a-uuid"}, 422, "request.invalid", "submission_id"),
        ({"sheet": None}, 422, "request.invalid", "sheet"),
        ({"sheet": 99999}, 404, "sheet.not_found", "sheet"),
        ({"aspect": 99999}, 404, "aspect.not_found", "aspect"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, session, change, status, code, field):
    s = scenario(session)
    before = count(session, EventRecord)
    response = client.post("/api/marks", json={**mark_body(s), **change}, headers=s.auth(0))
    assert response.status_code == status, response.json
    assert response.json["error"] == code
    assert field in response.json["fields"] and response.json["message"]
    assert count(session, Mark) == 0 and count(session, EventRecord) == before


def test_judgement_marks_are_whole_steps_from_0_to_3(client, session):
    s = scenario(session)
    response = client.post("/api/marks", json=mark_body(s, aspect="P1", value="1.5"), headers=s.auth(0))
    assert response.status_code == 422 and response.json["error"] == "mark.not_a_judgement_step"
    assert client.post("/api/marks", json=mark_body(s, aspect="P1", value="3"), headers=s.auth(0)).status_code == 201


def test_errors_are_translated(client, session):
    s = scenario(session)
    body = {**mark_body(s), "value": "11"}
    zh = client.post("/api/marks", json=body, headers={**s.auth(0), "Accept-Language": "zh-CN,zh;q=0.9"})
    en = client.post("/api/marks", json=body, headers={**s.auth(0), "Accept-Language": "en-US,en;q=0.9"})
    assert zh.json["message"] == "分数必须在 0 到 10 之间。"
    assert en.json["message"] == "The mark must be between 0 and 10."
    missing = client.post("/api/marks", json={"value": "1"}, headers={**s.auth(0), "Accept-Language": "zh-CN"})
    assert missing.json["fields"]["sheet"] == ["缺少必填字段。"]


def test_a_body_that_is_not_json_is_refused(client, session):
    s = scenario(session)
    response = client.post("/api/marks", data="value=3", headers=s.auth(0))
    assert response.status_code == 422 and response.json["error"] == "request.not_json"


def test_a_recused_judge_is_refused_and_nothing_is_stored(client, session):
    from compete.accounts.models import Judge
    from compete.registration.models import Team

    s = scenario(session)
    judge = session.get(Judge, s.judge_ids[0])
    judge.institution_id = session.get(Team, s.team_ids[0]).institution_id
    session.commit()
    response = client.post("/api/marks", json=mark_body(s), headers=s.auth(0))
    assert response.status_code == 403 and response.json["error"] == "mark.recused"
    assert response.json["fields"] == {"sheet": [response.json["message"]]}
    assert count(session, Mark) == 0


def test_a_judge_cannot_write_on_another_judges_sheet(client, session):
    s = scenario(session)
    response = client.post("/api/marks", json=mark_body(s, judge=1), headers=s.auth(0))
    assert response.status_code == 404 and response.json["error"] == "sheet.not_found"


def test_a_locked_sheet_refuses_marks(client, session):
    from scoring.models import Sheet

    s = scenario(session)
    session.get(Sheet, s.sheet(0, 0)).state = "locked"
    session.commit()
    response = client.post("/api/marks", json=mark_body(s), headers=s.auth(0))
    assert response.status_code == 409 and response.json["error"] == "sheet.not_open"
    assert count(session, Mark) == 0


@pytest.mark.parametrize("header", [None, "Device nope", "Bearer abc"])
def test_unknown_devices_are_refused(client, session, header):
    s = scenario(session)
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/marks", json=mark_body(s), headers=headers)
    assert response.status_code == 401 and count(session, Mark) == 0


def test_a_revoked_device_is_refused(client, session):
    from compete.accounts.services import revoke_device
    from compete.security import SYSTEM

    s = scenario(session)
    revoke_device(session, s.device_ids[s.judge_ids[0]], actor=SYSTEM)
    session.commit()
    response = client.post("/api/marks", json=mark_body(s), headers=s.auth(0))
    assert response.status_code == 401 and response.json["error"] == "device.revoked"
