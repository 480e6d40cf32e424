"""Judges on the roster and their sign-in: invite + PIN → a device token; wrong PINs, reuse, revocation."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from compete.accounts import judges
from compete.accounts.models import Device, Judge, JudgeInvite
from compete.events import EventRecord
from compete.registration.models import Competition, Institution
from compete.security import SYSTEM, Tokens
from scoring.models import Mark
from tests.conftest import TEST_SECRET
from tests.factories import scenario
from tests.officials.support import count, mark, signed_in


def invite_for(app, session, judge_id: int, role: str = "admin") -> dict:  # type: ignore[no-untyped-def]
    organiser = signed_in(app, session, role)
    response = organiser.post(f"/api/judges/{judge_id}/invites")
    assert response.status_code == 201, response.json
    return response.json


def new_judge(session, s, **kw) -> int:  # type: ignore[no-untyped-def]
    judge = judges.create_judge(session, s.competition_id, judges.NewJudge(name=kw.pop("name", "王裁判"), **kw),
                                actor=SYSTEM)
    session.commit()
    return judge.id


def test_an_organiser_puts_a_judge_on_the_roster(app, session):
    s = scenario(session)
    institution = session.scalars(select(Institution).where(Institution.competition_id == s.competition_id)).first()
    organiser = signed_in(app, session, "admin")
    response = organiser.post(f"/api/competitions/{s.competition_id}/judges",
                              json={"name": "李评委", "institution": institution.id, "pin": "2468"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["name"] == "李评委" and body["role"] == "scoring" and body["province"] == "湖南省"
    assert body["pin_set"] is True and "pin_hash" not in body
    listed = organiser.get(f"/api/competitions/{s.competition_id}/judges").json["judges"]
    assert [j["name"] for j in listed][-1] == "李评委" and listed[0]["devices"]  # factory judges hold devices
    assert count(session, EventRecord, EventRecord.type == "judge.created") == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"name": ""}, 422, "request.invalid", "name"),
        ({"name": "A", "role": "boss"}, 422, "request.invalid", "role"),
        ({"name": "A", "pin": "12ab"}, 422, "judge.pin_format", "pin"),
        ({"name": "A", "pin": "123"}, 422, "judge.pin_format", "pin"),
        ({"name": "A", "institution": -1}, 422, "judge.bad_institution", "institution"),
    ],
)
def test_bad_judges_are_refused_and_nothing_is_stored(app, session, body, status, code, field):
    s = scenario(session)
    before = count(session, Judge)
    response = signed_in(app, session, "admin").post(f"/api/competitions/{s.competition_id}/judges", json=body)
    assert response.status_code == status and response.json["error"] == code, response.json
    assert field in response.json["fields"]
    assert count(session, Judge) == before


def test_an_institution_of_another_competition_is_refused(app, session):
    s = scenario(session)
    other = Competition(name="Other", year=2026)
    session.add(other)
    session.flush()
    foreign = Institution(competition_id=other.id, name="外校", province="广东省")
    session.add(foreign)
    session.commit()
    response = signed_in(app, session, "admin").post(f"/api/competitions/{s.competition_id}/judges",
                                                     json={"name": "A", "institution": foreign.id})
    assert response.status_code == 422 and response.json["error"] == "judge.bad_institution"


@pytest.mark.parametrize(("roles", "status"), [((), 401), (("judge",), 403), (("chief_judge",), 403),
                                               (("supervisor",), 403)])
def test_only_organisers_create_judges(app, session, roles, status):
    s = scenario(session)
    client = signed_in(app, session, *roles) if roles else None
    url = f"/api/competitions/{s.competition_id}/judges"
    response = client.post(url, json={"name": "A"}) if client else app.test_client().post(url, json={"name": "A"})
    assert response.status_code == status


def test_an_invite_and_the_pin_give_a_device_that_can_mark_and_the_invite_works_once(app, session, client):
    s = scenario(session)
    judge_id = s.judge_ids[0]
    invite = invite_for(app, session, judge_id)
    assert invite["link"].endswith("/j/" + invite["invite"]) and invite["judge"]["id"] == judge_id
    assert invite["qr_svg"].startswith("<svg") and "viewBox" in invite["qr_svg"]

    first = client.post("/api/devices", json={"invite": invite["invite"], "pin": "1357", "label": "平板 A"})
    assert first.status_code == 201, first.json
    assert first.json["judge"] == {"id": judge_id, "name": "裁判0", "role": "scoring"}
    token = first.json["token"]
    device = session.get(Device, first.json["device"])
    assert device.judge_id == judge_id and device.label == "平板 A"
    assert session.get(Judge, judge_id).pin_hash  # the first sign-in set the PIN

    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(0, 0), "aspect": s.aspects["T1"], "value": "6"}
    stored = client.post("/api/marks", json=body, headers={"Authorization": f"Device {token}"})
    assert stored.status_code == 201 and stored.json["sheet_id"] == s.sheet(0, 0)

    again = client.post("/api/devices", json={"invite": invite["invite"], "pin": "1357"})
    assert again.status_code == 401 and again.json["error"] == "invite.used"
    assert count(session, Device, Device.judge_id == judge_id) == 2  # the factory's and this one
    types = [e.type for e in session.scalars(select(EventRecord).order_by(EventRecord.id))]
    assert types[-4:-1] == ["judge.pin_set", "device.issued", "invite.redeemed"] and types[-1] == "mark.submitted"


def test_a_wrong_pin_is_refused_translated_and_leaves_the_invite_usable(app, session, client):
    s = scenario(session)
    judges.set_pin(session, s.judge_ids[0], "2468", actor=SYSTEM)
    session.commit()
    invite = invite_for(app, session, s.judge_ids[0])["invite"]
    en = client.post("/api/devices", json={"invite": invite, "pin": "1111"}, headers={"Accept-Language": "en"})
    zh = client.post("/api/devices", json={"invite": invite, "pin": "1111"}, headers={"Accept-Language": "zh-CN"})
    assert en.status_code == zh.status_code == 401
    assert en.json["error"] == "judge.wrong_pin" and en.json["fields"]["pin"]
    assert en.json["message"].startswith("Wrong PIN") and zh.json["message"] != en.json["message"]
    assert count(session, Device) == len(s.judge_ids)
    ok = client.post("/api/devices", json={"invite": invite, "pin": "2468"})
    assert ok.status_code == 201


def test_wrong_pins_are_rate_limited_per_invite(app, session, client):
    s = scenario(session)
    judges.set_pin(session, s.judge_ids[0], "2468", actor=SYSTEM)
    session.commit()
    invite = invite_for(app, session, s.judge_ids[0])["invite"]
    statuses = [client.post("/api/devices", json={"invite": invite, "pin": f"000{i}"}).status_code for i in range(5)]
    assert statuses == [401] * 5
    blocked = client.post("/api/devices", json={"invite": invite, "pin": "2468"})
    assert blocked.status_code == 429 and blocked.json["error"] == "judge.too_many_attempts"
    assert int(blocked.headers["Retry-After"]) > 0 and blocked.json["fields"]["pin"]
    assert count(session, Device) == len(s.judge_ids)


@pytest.mark.parametrize(("case", "code"), [("forged", "invite.invalid"), ("superseded", "invite.superseded"),
                                            ("expired", "invite.expired"), ("other_key", "invite.invalid")])
def test_unusable_invites_are_refused(app, session, client, case, code):
    s = scenario(session)
    tokens = Tokens(TEST_SECRET)
    if case == "expired":
        _, token = judges.issue_invite(session, tokens, s.judge_ids[0], actor=SYSTEM,
                                       lifetime=timedelta(minutes=-1))
    elif case == "other_key":
        _, token = judges.issue_invite(session, Tokens("another-secret-key-of-enough-length-000"), s.judge_ids[0],
                                       actor=SYSTEM)
    else:
        _, token = judges.issue_invite(session, tokens, s.judge_ids[0], actor=SYSTEM)
        if case == "superseded":
            judges.issue_invite(session, tokens, s.judge_ids[0], actor=SYSTEM)
        else:
            token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    session.commit()
    response = client.post("/api/devices", json={"invite": token, "pin": "1357"})
    assert response.status_code == 401 and response.json["error"] == code, response.json
    assert count(session, Device) == len(s.judge_ids)


def test_one_invite_redeemed_five_times_at_once_gives_one_device(app, session):
    s = scenario(session)
    invite = invite_for(app, session, s.judge_ids[1])["invite"]

    def redeem(_: int) -> int:
        with app.test_client() as c:
            return c.post("/api/devices", json={"invite": invite, "pin": "1357"}).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = sorted(pool.map(redeem, range(5)))
    assert statuses == [201, 401, 401, 401, 401]
    assert count(session, Device, Device.judge_id == s.judge_ids[1]) == 2
    assert session.scalar(select(JudgeInvite.device_id)) is not None


def test_a_revoked_device_is_refused_at_once(app, session, client):
    s = scenario(session)
    device_id = s.device_ids[s.judge_ids[0]]
    chief = signed_in(app, session, "chief_judge")  # at the venue, the chief judge may revoke a lost tablet
    listed = chief.get(f"/api/judges/{s.judge_ids[0]}/devices").json["devices"]
    assert [d["id"] for d in listed] == [device_id] and listed[0]["revoked_at"] is None
    revoked = chief.post(f"/api/devices/{device_id}/revoke")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    refused = mark(client, s, 0, 0, "T1", "5")
    assert refused.status_code == 401 and refused.json["error"] == "device.revoked"
    beat = client.post("/api/devices/heartbeat", json={"pending": 1}, headers=s.auth(0))
    assert beat.status_code == 401
    assert count(session, Mark) == 0
    assert count(session, EventRecord, EventRecord.type == "device.revoked") == 1


def test_the_organiser_can_reset_a_pin_and_the_next_sign_in_sets_it(app, session, client):
    s = scenario(session)
    organiser = signed_in(app, session, "admin")
    assert organiser.put(f"/api/judges/{s.judge_ids[0]}/pin", json={"pin": "2468"}).json["pin_set"] is True
    assert organiser.delete(f"/api/judges/{s.judge_ids[0]}/pin").json["pin_set"] is False
    invite = invite_for(app, session, s.judge_ids[0])["invite"]
    assert client.post("/api/devices", json={"invite": invite, "pin": "9999"}).status_code == 201
    second = invite_for(app, session, s.judge_ids[0])["invite"]
    assert client.post("/api/devices", json={"invite": second, "pin": "2468"}).status_code == 401
    assert client.post("/api/devices", json={"invite": second, "pin": "9999"}).status_code == 201


def test_a_printable_sheet_gets_one_fresh_invite_per_judge(app, session):
    s = scenario(session)
    organiser = signed_in(app, session, "admin")
    response = organiser.post(f"/api/competitions/{s.competition_id}/invites", json={"judges": s.judge_ids})
    assert response.status_code == 201
    invites = response.json["invites"]
    assert [i["judge"]["id"] for i in invites] == s.judge_ids
    assert len({i["invite"] for i in invites}) == len(s.judge_ids)
    page = organiser.get(f"/officials/competitions/{s.competition_id}/judges/qr?judge={s.judge_ids[0]}")
    assert page.status_code == 200 and "裁判0" in page.get_data(as_text=True)
