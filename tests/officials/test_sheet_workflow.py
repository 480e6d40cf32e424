"""The sheet workflow: submit from the tablet, check / return / sign / lock / unlock by the chief judge,
every change a revision and an event, and the judgement spread rule blocking sign-off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compete.events import EventRecord
from compete.registration.models import Competition
from scoring.models import Mark, Panel, Sheet, SheetRevision
from tests.factories import scenario
from tests.officials.support import count, fill, mark, signed_in


def state(session, sheet_id: int) -> str:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Sheet, sheet_id).state


def submit(client, s, judge: int, team: int):  # type: ignore[no-untyped-def]
    return client.post(f"/api/sheets/{s.sheet(judge, team)}/submit", headers=s.auth(judge))


def test_an_incomplete_sheet_cannot_be_submitted(client, session):
    s = scenario(session)
    assert mark(client, s, 0, 0, "T1", "8").status_code == 201
    response = submit(client, s, 0, 0)
    assert response.status_code == 409 and response.json["error"] == "sheet.incomplete"
    assert "T2, P1, P2, P3" in response.json["message"] and "sheet" in response.json["fields"]
    assert state(session, s.sheet(0, 0)) == "draft" and count(session, SheetRevision) == 0


def test_a_submitted_sheet_is_a_revision_with_who_device_and_an_event(client, session):
    s = scenario(session)
    fill(client, s, 0, 0)  # deductions may stay empty
    response = submit(client, s, 0, 0)
    assert response.status_code == 200, response.json
    change = response.json["changes"][0]
    assert (change["from"], change["to"], change["action"]) == ("draft", "submitted", "submit")
    revision = session.scalar(select(SheetRevision))
    judge = s.judge_ids[0]
    assert revision.actor == f"judge:{judge}" and revision.device_id == s.device_ids[judge]
    event = session.scalar(select(EventRecord).where(EventRecord.type == "sheet.submitted"))
    assert event.payload["sheet"] == s.sheet(0, 0) and event.device_id == s.device_ids[judge]
    again = submit(client, s, 0, 0)
    assert again.status_code == 409 and again.json["error"] == "sheet.invalid_transition"


def test_a_judge_cannot_submit_another_judges_sheet(client, session):
    s = scenario(session)
    fill(client, s, 1, 0)
    response = client.post(f"/api/sheets/{s.sheet(1, 0)}/submit", headers=s.auth(0))
    assert response.status_code == 404 and state(session, s.sheet(1, 0)) == "draft"


def test_the_whole_path_to_locked_and_a_locked_sheet_refuses_marks(app, client, session):
    s = scenario(session, judges=2)
    chief = signed_in(app, session, "chief_judge")
    for judge in (0, 1):
        fill(client, s, judge, 0)
        assert submit(client, s, judge, 0).status_code == 200
    sheet = s.sheet(0, 0)
    for action in ("check", "sign", "lock"):
        response = chief.post(f"/api/sheets/{sheet}/{action}")
        assert response.status_code == 200, (action, response.json)
    assert state(session, sheet) == "locked"
    refused = mark(client, s, 0, 0, "T1", "9")
    assert refused.status_code == 409 and refused.json["error"] == "sheet.not_open"
    assert count(session, Mark, Mark.sheet_id == sheet) == 5
    trail = [(r.from_state, r.to_state) for r in session.scalars(
        select(SheetRevision).where(SheetRevision.sheet_id == sheet).order_by(SheetRevision.id))]
    assert trail == [("draft", "submitted"), ("submitted", "checked"), ("checked", "signed"), ("signed", "locked")]
    types = [e.type for e in session.scalars(select(EventRecord).where(EventRecord.type.like("sheet.%"))
                                             .order_by(EventRecord.id))]
    assert types[-3:] == ["sheet.checked", "sheet.signed", "sheet.locked"]


@pytest.mark.parametrize("action", ["unlock", "return"])
def test_unlock_and_return_need_a_reason_which_is_kept(app, client, session, action):
    s = scenario(session, judges=2)
    chief = signed_in(app, session, "chief_judge")
    fill(client, s, 0, 0)
    submit(client, s, 0, 0)
    sheet = s.sheet(0, 0)
    if action == "unlock":
        for step in ("check", "sign", "lock"):
            chief.post(f"/api/sheets/{sheet}/{step}")
    before = state(session, sheet)
    refused = chief.post(f"/api/sheets/{sheet}/{action}", json={"reason": " "})
    assert refused.status_code == 422 and refused.json["error"] == "sheet.reason_required"
    assert "reason" in refused.json["fields"] and state(session, sheet) == before
    ok = chief.post(f"/api/sheets/{sheet}/{action}", json={"reason": "复核发现 P3 录入错误"})
    assert ok.status_code == 200 and state(session, sheet) == "draft"
    last = session.scalar(select(SheetRevision).order_by(SheetRevision.id.desc()))
    assert last.reason == "复核发现 P3 录入错误" and last.actor.startswith("user:") and last.device_id is None
    assert mark(client, s, 0, 0, "P3", "16").status_code == 201  # open again for the judge


@pytest.mark.parametrize(("who", "status", "code"), [("device", 403, "sheet.role_forbidden"),
                                                     ("admin", 403, "sheet.role_forbidden"),
                                                     ("zone_admin", 403, "sheet.role_forbidden"),
                                                     ("nobody", 401, "user.signed_out")])
def test_only_the_chief_judge_signs(app, client, session, who, status, code):
    s = scenario(session, judges=2)
    chief = signed_in(app, session, "chief_judge")
    fill(client, s, 0, 0)
    submit(client, s, 0, 0)
    chief.post(f"/api/sheets/{s.sheet(0, 0)}/check")
    url = f"/api/sheets/{s.sheet(0, 0)}/sign"
    if who == "device":
        response = client.post(url, headers=s.auth(0))
    elif who == "nobody":
        response = app.test_client().post(url)
    else:
        zone = session.get(Panel, s.panel_id).zone_id if who == "zone_admin" else None
        response = signed_in(app, session, who, zone_id=zone).post(url)
    assert response.status_code == status and response.json["error"] == code, response.json
    assert state(session, s.sheet(0, 0)) == "checked"


def test_a_chief_judge_of_another_competition_cannot_act(app, client, session):
    s = scenario(session, judges=2)
    fill(client, s, 0, 0)
    submit(client, s, 0, 0)
    other = Competition(name="另一个大赛", year=2026)
    session.add(other)
    session.commit()
    elsewhere = signed_in(app, session, "chief_judge", competition_id=other.id)
    assert signed_in(app, session, "chief_judge", competition_id=s.competition_id).post(
        f"/api/sheets/{s.sheet(1, 0)}/check").json["error"] == "sheet.invalid_transition"  # in scope: a real answer
    response = elsewhere.post(f"/api/sheets/{s.sheet(0, 0)}/check")
    assert response.status_code == 404 and state(session, s.sheet(0, 0)) == "submitted"


def test_a_spread_violation_returns_the_sheets_and_blocks_signing_until_re_scored(app, client, session):
    s = scenario(session, judges=3)
    chief = signed_in(app, session, "chief_judge")
    # judge 0 gives P1 = 0 and is checked first; judges 1 and 2 give 2: max - min = 2 > 1
    fill(client, s, 0, 0, P1="0")
    submit(client, s, 0, 0)
    assert chief.post(f"/api/sheets/{s.sheet(0, 0)}/check").status_code == 200
    fill(client, s, 1, 0, P1="2")
    fill(client, s, 2, 0, P1="2")
    blocked = chief.post(f"/api/sheets/{s.sheet(0, 0)}/sign")
    assert blocked.status_code == 409 and blocked.json["error"] == "sheet.spread_violation"
    assert "HN-01" in blocked.json["message"] and "P1" in blocked.json["message"]
    assert state(session, s.sheet(0, 0)) == "checked"

    submit(client, s, 1, 0)
    last = submit(client, s, 2, 0)  # the entry's sheets are all in: the rule runs
    assert last.status_code == 200
    body = last.json
    assert body["violations"] == [{"team": s.team_ids[0], "code": "HN-01", "aspect": s.aspects["P1"],
                                   "aspect_code": "P1", "values": {str(s.judge_ids[0]): "0",
                                                                   str(s.judge_ids[1]): "2",
                                                                   str(s.judge_ids[2]): "2"}}]
    returned = [c for c in body["changes"] if c["action"] == "return"]
    assert sorted(c["sheet"] for c in returned) == sorted(s.sheet(j, 0) for j in range(3))
    assert all(c["reason"] == "spread:P1" and c["actor"] == "system:0" for c in returned)
    assert [state(session, s.sheet(j, 0)) for j in range(3)] == ["draft"] * 3
    logged = session.scalar(select(EventRecord).where(EventRecord.type == "panel.spread_violation"))
    assert logged.payload["code"] == "HN-01" and len(logged.payload["returned"]) == 3

    # re-scored: judge 0 reconsiders (1, 2, 2 is within the spread)
    assert mark(client, s, 0, 0, "P1", "1").status_code == 201
    for judge in range(3):
        response = submit(client, s, judge, 0)
        assert response.status_code == 200 and not response.json["violations"]
    for action in ("check", "sign"):
        done = chief.post(f"/api/panels/{s.panel_id}/sheets/{action}", json={"team": s.team_ids[0]})
        assert done.status_code == 200 and len(done.json["changes"]) == 3 and not done.json["skipped"]
    assert [state(session, s.sheet(j, 0)) for j in range(3)] == ["signed"] * 3


def test_a_bulk_sign_skips_entries_with_a_violation_and_says_why(app, client, session):
    s = scenario(session, judges=2, teams=2)
    chief = signed_in(app, session, "chief_judge")
    for judge in (0, 1):
        fill(client, s, judge, 0)
        submit(client, s, judge, 0)
    chief.post(f"/api/panels/{s.panel_id}/sheets/check")
    fill(client, s, 0, 1, P1="0")
    fill(client, s, 1, 1, P1="3")  # team 1's sheets are still drafts but already disagree
    done = chief.post(f"/api/panels/{s.panel_id}/sheets/sign", headers={"Accept-Language": "en"})
    assert done.status_code == 200
    assert sorted(c["sheet"] for c in done.json["changes"]) == sorted([s.sheet(0, 0), s.sheet(1, 0)])
    assert done.json["skipped"] == []  # team 1's drafts cannot be signed at all: not listed
    locked = chief.post(f"/api/panels/{s.panel_id}/sheets/lock")
    assert len(locked.json["changes"]) == 2
    refused = chief.post(f"/api/panels/{s.panel_id}/sheets/unlock", json={})
    assert refused.status_code == 422 and refused.json["error"] == "sheet.reason_required"
    bad = chief.post(f"/api/panels/{s.panel_id}/sheets/submit")
    assert bad.status_code == 409 and bad.json["error"] == "sheet.unknown_action"


def test_a_bulk_sign_lists_the_skipped_sheets_of_an_entry_in_violation(app, client, session):
    s = scenario(session, judges=3, teams=1)
    chief = signed_in(app, session, "chief_judge")
    fill(client, s, 0, 0, P1="0")
    fill(client, s, 1, 0, P1="1")
    submit(client, s, 0, 0)
    submit(client, s, 1, 0)
    chief.post(f"/api/panels/{s.panel_id}/sheets/check")
    fill(client, s, 2, 0, P1="3")  # a late judge breaks the spread before submitting
    done = chief.post(f"/api/panels/{s.panel_id}/sheets/sign", headers={"Accept-Language": "en"})
    assert done.json["changes"] == []
    assert {x["error"] for x in done.json["skipped"]} == {"sheet.spread_violation"}
    assert len(done.json["skipped"]) == 2 and "P1" in done.json["skipped"][0]["message"]
