"""Decryption by the rule (domain.md, "Identity encryption"): once per board, after every sheet
is locked (so signed by the chief judge), with a supervisor's co-signature, by someone else than
the co-signer; logged. And publication scoped by the permission table (board.publish / board.cosign)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compete.accounts import users
from compete.errors import DomainError, Forbidden, InvalidState, NotFound
from compete.events import EventRecord
from compete.queues import queue
from compete.registration.models import Competition, Division, Stage, Team, Zone
from compete.security import SYSTEM, Actor
from scoring import boards, marking, publication, sheets
from scoring.domain.decryption import Readiness, check_cosign, check_decrypt
from scoring.marking import SubmitMark
from scoring.models import Board, Sheet
from tests.accounts.helpers import make_user as make_account
from tests.accounts.helpers import sign_in as sign_in_api
from tests.factories import lock_sheets, ready_to_decrypt, scenario, supervisor
from tests.realtime.support import actor, latest, work


def events_of(session, kind: str) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(EventRecord).where(EventRecord.type == kind).order_by(EventRecord.id)))


def refused(session, who: Actor, board_id: int, action: str) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as info:
        publication.change(session, who, board_id, action)
    session.rollback()
    return info.value


# -- the pure rule, one row per case ---------------------------------------------------------

@pytest.mark.parametrize(("case", "readiness", "cosign_error", "decrypt_error"), [
    ("no sheets at all", Readiness(0, 0), "publication.no_sheets", "publication.no_sheets"),
    ("one sheet still signed", Readiness(4, 3), "publication.sheets_not_locked", "publication.sheets_not_locked"),
    ("an entry without a sheet", Readiness(4, 4, unsheeted=1), "publication.entries_without_sheets",
     "publication.entries_without_sheets"),
    ("locked, not co-signed", Readiness(4, 4), None, "publication.cosign_required"),
    ("co-signed, then a sheet changed", Readiness(4, 4, cosigned_by="user:7", cosign_current=False), None,
     "publication.cosign_stale"),
    ("co-signed by the decrypter", Readiness(4, 4, cosigned_by="user:9"), "publication.already_cosigned",
     "publication.cosigner_cannot_decrypt"),
    ("ready", Readiness(4, 4, cosigned_by="user:7"), "publication.already_cosigned", None),
    ("once only", Readiness(4, 4, decrypted=True, cosigned_by="user:7"), "publication.already_decrypted",
     "publication.already_decrypted"),
])
def test_the_decryption_rule(case, readiness, cosign_error, decrypt_error):
    for check, expected in ((lambda: check_cosign(readiness), cosign_error),
                            (lambda: check_decrypt(readiness, "user:9"), decrypt_error)):
        if expected is None:
            check()
        else:
            with pytest.raises(DomainError) as info:
                check()
            assert info.value.code == expected and info.value.field == "action"


def test_readiness_counts_states():
    r = Readiness.of(["locked", "signed", "locked", "draft"])
    assert (r.total, r.locked, r.sheets_ready) == (4, 2, False)
    assert Readiness.of(["locked"] * 3).sheets_ready and not Readiness.of([]).sheets_ready


# -- the service -----------------------------------------------------------------------------

def test_decrypt_is_refused_while_sheets_are_open_and_nothing_changes(session, runtime):
    s = scenario(session, judges=2, teams=3)
    admin = actor(session, ["admin"])
    first = session.get(Sheet, s.sheet(0, 0))
    first.state = "locked"
    session.commit()
    error = refused(session, admin, s.board_id, "decrypt")
    assert isinstance(error, InvalidState) and error.code == "publication.sheets_not_locked"
    assert error.field == "action" and error.params == {"locked": 1, "total": 6}
    assert not session.get(Board, s.board_id).decrypted and events_of(session, "board.changed") == []
    # a supervisor cannot co-sign open sheets either
    error = refused(session, supervisor(session, s.competition_id), s.board_id, publication.COSIGN)
    assert error.code == "publication.sheets_not_locked" and events_of(session, "board.cosigned") == []


def test_decrypt_needs_a_co_signature(session, runtime):
    s = scenario(session)
    lock_sheets(session, s)
    error = refused(session, actor(session, ["admin"]), s.board_id, "decrypt")
    assert error.code == "publication.cosign_required"
    assert not session.get(Board, s.board_id).decrypted


def test_a_board_without_sheets_or_with_an_unsheeted_entry_cannot_be_decrypted(session, runtime):
    s = scenario(session)
    board = session.get(Board, s.board_id)
    other = Zone(competition_id=s.competition_id, code="CQ", name="重庆赛区")
    session.add(other)
    session.flush()
    empty = boards.get_or_create(session, session.get(Stage, board.stage_id),
                                 session.get(Division, board.division_id), other.id, "空看板")
    session.commit()
    admin = actor(session, ["admin"])
    assert refused(session, admin, empty.id, "decrypt").code == "publication.no_sheets"
    ready_to_decrypt(session, s)
    late = Team(division_id=board.division_id, stage_id=board.stage_id, zone_id=board.zone_id,
                institution_id=s.home_institution_id, name="迟到队", entry_number="HN-99")
    session.add(late)
    session.commit()
    error = refused(session, admin, s.board_id, "decrypt")
    assert error.code == "publication.entries_without_sheets" and error.params == {"count": 1}
    late.status = "withdrawn"  # an entry that does not compete needs no sheet
    session.commit()
    assert publication.change(session, admin, s.board_id, "decrypt").decrypted


def out_of_scope(session, s) -> tuple[Competition, Zone]:  # type: ignore[no-untyped-def]
    """Another competition, and another zone of the scenario's competition (committed)."""
    elsewhere = Competition(name="别的大赛", year=2026, level="province")
    session.add(elsewhere)
    session.flush()
    other_zone = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other_zone)
    session.commit()
    return elsewhere, other_zone


@pytest.mark.parametrize(("roles", "scope", "error"), [
    (["admin"], "everywhere", Forbidden),  # organisers do not co-sign
    (["zone_admin"], "zone", Forbidden),
    (["chief_judge"], "competition", Forbidden),
    (["judge"], "competition", Forbidden),
    (["supervisor"], "other competition", NotFound),
    (["supervisor"], "other zone", NotFound),
])
def test_only_a_supervisor_in_scope_co_signs(session, runtime, roles, scope, error):
    s = scenario(session)
    lock_sheets(session, s)
    board = session.get(Board, s.board_id)
    elsewhere, other_zone = out_of_scope(session, s)
    scopes = {"everywhere": {}, "competition": {"competition_id": s.competition_id},
              "zone": {"zone_id": board.zone_id}, "other competition": {"competition_id": elsewhere.id},
              "other zone": {"competition_id": s.competition_id, "zone_id": other_zone.id}}
    account = make_account(session, roles, **scopes[scope])
    who = users.actor_for(session, account.id)
    with pytest.raises(error):
        publication.cosign(session, who, s.board_id)
    session.rollback()
    assert session.get(Board, s.board_id).cosigned_by is None and events_of(session, "board.cosigned") == []


def test_the_co_signer_cannot_also_decrypt(session, runtime):
    s = scenario(session)
    lock_sheets(session, s)
    both = actor(session, ["admin", "supervisor"])
    publication.cosign(session, both, s.board_id)
    session.commit()
    error = refused(session, both, s.board_id, "decrypt")
    assert isinstance(error, Forbidden) and error.code == "publication.cosigner_cannot_decrypt"
    assert publication.change(session, actor(session, ["admin"]), s.board_id, "decrypt").decrypted


def test_a_sheet_unlocked_after_the_co_signature_voids_it(session, runtime):
    s = scenario(session, judges=2, teams=2)
    chief = lock_by_the_workflow(session, s)
    cosigner = supervisor(session, s.competition_id)
    publication.cosign(session, cosigner, s.board_id)
    session.commit()
    admin = actor(session, ["admin"])
    sheets.act(session, chief, s.sheet(0, 0), "unlock", reason="correction of P3")
    session.commit()
    assert refused(session, admin, s.board_id, "decrypt").code == "publication.sheets_not_locked"
    for action in ("submit", "check", "sign", "lock"):  # the correction goes through the workflow again
        who = Actor("judge", s.judge_ids[0]) if action == "submit" else chief
        sheets.act(session, who, s.sheet(0, 0), action)
        session.commit()
    assert refused(session, admin, s.board_id, "decrypt").code == "publication.cosign_stale"
    publication.cosign(session, cosigner, s.board_id)  # the supervisor looks again and co-signs again
    session.commit()
    assert publication.change(session, admin, s.board_id, "decrypt").decrypted
    assert [e.payload["replaces"] for e in events_of(session, "board.cosigned")] == [None, cosigner.label]


def lock_by_the_workflow(session, s) -> Actor:  # type: ignore[no-untyped-def]
    """Every judge marks every aspect and submits; the chief judge checks, signs and locks."""
    values = {"T1": "6", "T2": "7", "P1": "2", "P2": "5", "P3": "12"}
    for j, judge_id in enumerate(s.judge_ids):
        for t in range(len(s.team_ids)):
            for code, value in values.items():
                marking.submit_mark(session, Actor("judge", judge_id),
                                    SubmitMark(str(uuid.uuid4()), s.sheet(j, t), s.aspects[code], Decimal(value)))
            session.commit()
            sheets.act(session, Actor("judge", judge_id), s.sheet(j, t), "submit")
            session.commit()
    chief = actor(session, ["chief_judge"])
    for action in ("check", "sign", "lock"):
        outcome = sheets.act_on_panel(session, chief, s.panel_id, action)
        session.commit()
        assert outcome.skipped == []
    return chief


# -- over HTTP: the happy path, the page, the scope ------------------------------------------------

def test_the_happy_path_over_http_decrypts_and_logs(client, session, runtime):
    s = scenario(session, judges=2, teams=2)
    lock_by_the_workflow(session, s)
    url = f"/api/boards/{s.board_id}/publication"
    sup = client.application.test_client()
    csrf = sign_in_api(sup, session, ["supervisor"], competition_id=s.competition_id).token
    en = {"X-CSRFToken": csrf, "Accept-Language": "en"}
    assert sup.post(url, json={"action": "decrypt"}, headers=en).status_code == 403  # supervisors co-sign only
    signed = sup.post(url, json={"action": "cosign_decryption"}, headers=en)
    assert signed.status_code == 200, signed.json
    assert queue(runtime.redis, "boards").count == 0  # a co-signature changes no board
    again = sup.post(url, json={"action": "cosign_decryption"}, headers=en)
    assert again.status_code == 409 and again.json["error"] == "publication.already_cosigned"

    org = client.application.test_client()
    headers = {"X-CSRFToken": sign_in_api(org, session, ["admin"], competition_id=s.competition_id).token}
    ok = org.post(url, json={"action": "decrypt"}, headers=headers)
    assert ok.status_code == 200 and ok.json["decrypted"] is True
    assert queue(runtime.redis, "boards").count == 1
    work(runtime)
    assert all(row["team"] for row in latest(session, s.board_id, "public")["rows"])
    cosigned, = events_of(session, "board.cosigned")
    decrypted, = events_of(session, "board.changed")
    assert cosigned.id < decrypted.id and cosigned.competition_id == s.competition_id
    assert decrypted.payload == {"board": s.board_id, "change": "decryption", "action": "decrypt", "from": "live",
                                 "to": "live", "reveal_level": "none", "cosigned_by": cosigned.actor, "sheets": 4}
    assert decrypted.actor != cosigned.actor
    once = org.post(url, json={"action": "decrypt"}, headers=headers)
    assert once.status_code == 409 and once.json["error"] == "publication.already_decrypted"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_refusals_name_the_field_in_both_languages(client, session, runtime, lang):
    s = scenario(session, judges=2, teams=3)
    api = sign_in_api(client, session, ["admin"])
    url = f"/api/boards/{s.board_id}/publication?lang={lang}"
    early = api.post(url, json={"action": "decrypt"})
    assert early.status_code == 409 and early.json["error"] == "publication.sheets_not_locked"
    expected = {"en": "Only 0 of 6 scoresheets are locked; decryption needs every sheet locked.",
                "zh_CN": "6 张评分表中仅 0 张已锁定；解密要求所有评分表均已锁定。"}[lang]
    assert early.json["message"] == expected and early.json["fields"] == {"action": [expected]}
    lock_sheets(session, s)
    unsigned = api.post(url, json={"action": "decrypt"})
    assert unsigned.status_code == 409 and unsigned.json["error"] == "publication.cosign_required"
    assert unsigned.json["message"] != "publication.cosign_required"  # a real sentence, translated
    assert not session.get(Board, s.board_id).decrypted
    assert queue(runtime.redis, "boards").count == 0


def test_the_publish_page_shows_the_preconditions_and_the_co_sign_button(client, session, runtime):
    s = scenario(session, judges=2, teams=3)
    page_url = f"/boards/{s.board_id}/publish?lang=en"
    sup = client.application.test_client()
    sign_in_api(sup, session, ["supervisor"], competition_id=s.competition_id)
    page = sup.get(page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "0 of 6" in html and "Not yet co-signed" in html
    assert 'data-action="cosign_decryption"' in html and 'data-action="decrypt"' not in html  # no organiser buttons
    lock_sheets(session, s)
    who = ready_cosign(session, s)
    html = sup.get(page_url).get_data(as_text=True)
    assert "6 of 6" in html and f"Co-signed by {who}" in html
    org = client.application.test_client()
    sign_in_api(org, session, ["admin"])
    html = org.get(f"/boards/{s.board_id}/publish?lang=zh_CN").get_data(as_text=True)
    assert "由 " + who in html and 'data-action="decrypt"' in html and "cosign_decryption" not in html


def ready_cosign(session, s) -> str:  # type: ignore[no-untyped-def]
    who = supervisor(session, s.competition_id)
    publication.cosign(session, who, s.board_id)
    session.commit()
    return publication._person(session, who.label)


@pytest.mark.parametrize(("roles", "scope", "status"), [
    (["admin"], "own", 200),
    (["admin"], "other competition", 404),
    (["zone_admin"], "other zone", 404),
    (["supervisor"], "other competition", 404),
    (["chief_judge"], "own", 403),
    (["judge"], "own", 403),
])
def test_publishing_is_scoped_by_the_permission_table(client, session, runtime, roles, scope, status):
    s = scenario(session)
    elsewhere, other_zone = out_of_scope(session, s)
    grant = {"own": {"competition_id": s.competition_id},
             "other competition": {"competition_id": elsewhere.id},
             "other zone": {"competition_id": s.competition_id, "zone_id": other_zone.id}}[scope]
    api = sign_in_api(client, session, roles, **grant)
    action = "cosign_decryption" if roles == ["supervisor"] else "freeze"
    lock_sheets(session, s)
    assert api.post(f"/api/boards/{s.board_id}/publication", json={"action": action}).status_code == status
    # a chief judge may not publish, but reads the result lifecycle on the page (test_lifecycle.py)
    assert api.get(f"/boards/{s.board_id}/publish").status_code == (200 if roles == ["chief_judge"] else status)
    session.expire_all()
    assert (session.get(Board, s.board_id).publication == "frozen") == (status == 200)
    assert session.scalar(select(func.count(EventRecord.id)).where(EventRecord.type.like("board.%"))) == (
        1 if status == 200 else 0)


def test_the_system_actor_decrypts_only_by_the_rule(session, runtime):
    s = scenario(session)
    assert refused(session, SYSTEM, s.board_id, "decrypt").code == "publication.sheets_not_locked"
    ready_to_decrypt(session, s)
    assert publication.change(session, SYSTEM, s.board_id, "decrypt").decrypted
