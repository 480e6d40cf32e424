"""The judge's read APIs (/api/judge/*): blind to identities and to other judges' marks."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import delete

from compete.accounts.services import revoke_device
from compete.security import SYSTEM
from scoring.models import Aspect, Criterion, PanelAspect, SheetRevision
from tests.factories import scenario


def mark(client, s, judge: int, team: int, aspect: str, value: str):  # type: ignore[no-untyped-def]
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    response = client.post("/api/marks", json=body, headers=s.auth(judge))
    assert response.status_code == 201, response.json
    return response.json


def aspects_of(detail: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {a["code"]: a for m in detail["modules"] for sub in m["sub_criteria"] for a in sub["aspects"]}


def test_me_names_the_judge_and_panels_but_no_team(client, session):
    s = scenario(session)
    response = client.get("/api/judge/me", headers=s.auth(1))
    assert response.status_code == 200
    body = response.json
    assert body["judge"] == {"id": s.judge_ids[1], "name": "裁判1", "role": "scoring"}
    assert body["device"] == s.device_ids[s.judge_ids[1]]
    assert body["panels"] == [{"id": s.panel_id, "name": "湖南赛区裁判组", "role": "scoring", "stage": "赛区选拔赛",
                               "division": "高职组", "zone": "湖南赛区"}]
    assert "代表队" not in response.get_data(as_text=True)


def test_the_list_shows_the_judges_own_sheets_by_code_with_progress(client, session):
    s = scenario(session, judges=2, teams=3)
    mark(client, s, 0, 1, "T1", "5")
    mark(client, s, 0, 1, "T1", "6")   # a second revision counts once
    mark(client, s, 0, 1, "P4", "1")   # a deduction: marked, but not required
    mark(client, s, 1, 0, "T1", "9")   # another judge's mark
    response = client.get("/api/judge/sheets", headers=s.auth(0))
    assert response.status_code == 200
    listing = response.json["sheets"]
    assert [(row["id"], row["code"], row["state"]) for row in listing] == [
        (s.sheet(0, 0), "HN-01", "draft"), (s.sheet(0, 1), "HN-02", "draft"), (s.sheet(0, 2), "HN-03", "draft")]
    progress = {row["code"]: (row["marked"], row["aspects"], row["required_marked"], row["required"]) for row in listing}
    assert progress == {"HN-01": (0, 6, 0, 5), "HN-02": (2, 6, 1, 5), "HN-03": (0, 6, 0, 5)}


def test_codes_sort_naturally(client, session):
    s = scenario(session, judges=1, teams=11)
    codes = [row["code"] for row in client.get("/api/judge/sheets", headers=s.auth(0)).json["sheets"]]
    assert codes == [f"HN-{i:02d}" for i in range(1, 12)]


@pytest.mark.parametrize("path", ["/api/judge/me", "/api/judge/sheets", "/api/judge/sheets/{sheet}"])
def test_nothing_identifies_a_team(client, session, path):
    s = scenario(session)
    mark(client, s, 0, 0, "T1", "7")
    text = client.get(path.format(sheet=s.sheet(0, 0)), headers=s.auth(0)).get_data(as_text=True)
    for secret in ("代表队", "学院", "institution", '"team"', '"name": "代表队0"'):
        assert secret not in text, (path, secret)


def test_a_sheet_carries_the_judges_latest_values_and_never_another_judges(client, session):
    s = scenario(session, judges=2, teams=2)
    mark(client, s, 0, 0, "T1", "7")
    mark(client, s, 0, 0, "T1", "8.25")  # revision 2 is current
    mark(client, s, 0, 0, "P1", "2")
    mark(client, s, 1, 0, "P3", "17.5")  # judge 1 on the same team
    mark(client, s, 1, 0, "T2", "3.75")
    response = client.get(f"/api/judge/sheets/{s.sheet(0, 0)}", headers=s.auth(0))
    assert response.status_code == 200
    detail = response.json
    assert (detail["id"], detail["code"], detail["state"], detail["returned_reason"]) == (
        s.sheet(0, 0), "HN-01", "draft", None)
    aspects = aspects_of(detail)
    assert {code: (a["value"], a["revision"]) for code, a in aspects.items()} == {
        "T1": ("8.25", 2), "T2": (None, 0), "P1": ("2", 1), "P2": (None, 0), "P3": (None, 0), "P4": (None, 0)}
    assert "17.5" not in response.get_data(as_text=True) and "3.75" not in response.get_data(as_text=True)


def test_aspects_are_grouped_by_module_and_sub_criterion_with_kind_and_maximum(client, session):
    s = scenario(session, judges=1, teams=1)
    practical = session.query(Criterion).filter_by(code="practical").one()
    rescue = Criterion(scheme_id=practical.scheme_id, parent_id=practical.id, code="rescue", name="救援", position=1)
    session.add(rescue)
    session.flush()
    for code in ("P3", "P4"):
        session.get(Aspect, s.aspects[code]).criterion_id = rescue.id
    session.commit()
    detail = client.get(f"/api/judge/sheets/{s.sheet(0, 0)}", headers=s.auth(0)).json
    shape = [
        (m["code"], m["max"], m["weight"],
         [(sub["name"], [(a["code"], a["kind"], a["max"], a["required"]) for a in sub["aspects"]])
          for sub in m["sub_criteria"]])
        for m in detail["modules"]
    ]
    assert shape == [
        ("theory", "20", "0.3", [(None, [("T1", "points", "10", True), ("T2", "points", "10", True)])]),
        ("practical", "31", "0.7", [
            (None, [("P1", "judgement", "6", True), ("P2", "measurement", "5", True)]),
            ("救援", [("P3", "points", "20", True), ("P4", "deduction", "5", False)]),
        ]),
    ]


def test_only_the_panels_aspects_are_on_the_sheet(client, session):
    s = scenario(session, judges=1, teams=1)
    session.execute(delete(PanelAspect).where(PanelAspect.aspect_id.in_([s.aspects["T2"], s.aspects["P2"]])))
    session.commit()
    detail = client.get(f"/api/judge/sheets/{s.sheet(0, 0)}", headers=s.auth(0)).json
    assert sorted(aspects_of(detail)) == ["P1", "P3", "P4", "T1"]
    assert [m["max"] for m in detail["modules"]] == ["10", "26"]
    row = client.get("/api/judge/sheets", headers=s.auth(0)).json["sheets"][0]
    assert (row["aspects"], row["required"]) == (4, 3)


def test_a_sheet_sent_back_says_why(client, session):
    s = scenario(session, judges=1, teams=1)
    session.add(SheetRevision(sheet_id=s.sheet(0, 0), from_state="submitted", to_state="draft", actor="system",
                              reason="spread:P1"))
    session.commit()
    detail = client.get(f"/api/judge/sheets/{s.sheet(0, 0)}", headers=s.auth(0)).json
    assert detail["returned_reason"] == "spread:P1"


@pytest.mark.parametrize(("lang", "message"), [("en", "This scoresheet does not exist or is not yours."),
                                               ("zh-CN", "评分表")])
def test_another_judges_sheet_is_not_found(client, session, lang, message):
    s = scenario(session, judges=2, teams=1)
    for sheet_id in (s.sheet(1, 0), 999_999):
        response = client.get(f"/api/judge/sheets/{sheet_id}", headers={**s.auth(0), "Accept-Language": lang})
        assert response.status_code == 404
        assert response.json["error"] == "sheet.not_found"
        assert message in response.json["message"]


@pytest.mark.parametrize("path", ["/api/judge/me", "/api/judge/sheets", "/api/judge/sheets/1"])
@pytest.mark.parametrize(("headers", "code"), [
    ({}, "device.missing"),
    ({"Authorization": "Bearer abc"}, "device.missing"),
    ({"Authorization": "Device not-a-token"}, "device.unknown"),
])
def test_reads_need_a_device_token(client, session, path, headers, code):
    scenario(session, judges=1, teams=1)
    response = client.get(path, headers=headers)
    assert response.status_code == 401 and response.json["error"] == code


def test_a_revoked_device_reads_nothing(client, session):
    s = scenario(session, judges=1, teams=1)
    revoke_device(session, s.device_ids[s.judge_ids[0]], actor=SYSTEM)
    session.commit()
    response = client.get("/api/judge/sheets", headers=s.auth(0))
    assert response.status_code == 401 and response.json["error"] == "device.revoked"


def test_values_are_decimal_text_not_floats(client, session):
    s = scenario(session, judges=1, teams=1)
    mark(client, s, 0, 0, "P3", "12.3456")
    raw = client.get(f"/api/judge/sheets/{s.sheet(0, 0)}", headers=s.auth(0)).get_data(as_text=True)
    value = aspects_of(json.loads(raw))["P3"]["value"]
    assert value == "12.3456" and Decimal(value) == Decimal("12.3456")
