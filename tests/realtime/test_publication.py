"""Publication states per board: organisers only, every change audited, and each audience's
materialisation holds only what the state allows (domain.md, "Live boards and publication")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compete.errors import DomainError, Forbidden, NotFound
from compete.events import EventRecord
from compete.queues import queue
from compete.registration.models import Zone
from scoring import publication
from scoring.models import Board
from tests.factories import ready_to_decrypt, results_final, scenario
from tests.realtime.support import actor, all_snapshots, latest, mark, sign_in, work

STEPS_TO_FIRST = ["decrypt", "reveal", "reveal_next", "reveal_next", "reveal_next"]


@pytest.mark.parametrize(("state", "decrypted", "level", "expected"), [
    ("hidden", False, "none", {"go_live", "decrypt"}),
    ("live", False, "none", {"hide", "freeze", "decrypt"}),
    ("live", True, "none", {"hide", "freeze", "reveal"}),
    ("frozen", True, "none", {"unfreeze", "reveal"}),
    ("revealed", True, "none", {"reveal_next", "finalise"}),
    ("revealed", True, "first", {"finalise"}),
    ("final", True, "first", set()),
])
def test_the_page_offers_only_the_actions_that_make_sense_now(state, decrypted, level, expected):
    from scoring.domain.visibility import available_actions

    assert available_actions(state, decrypted=decrypted, reveal_level=level) == expected


@pytest.mark.parametrize(("case", "actions", "expected"), [
    ("freeze a live board", ["freeze"], ("frozen", "none", False)),
    ("unfreeze", ["freeze", "unfreeze"], ("live", "none", False)),
    ("hide", ["hide"], ("hidden", "none", False)),
    ("public again", ["hide", "go_live"], ("live", "none", False)),
    ("decrypt", ["decrypt"], ("live", "none", True)),
    ("the ceremony needs decrypted identities", ["freeze", "reveal"], "publication.not_decrypted"),
    ("the ceremony from a freeze", ["freeze", "decrypt", "reveal"], ("revealed", "none", True)),
    ("third prizes first", ["decrypt", "reveal", "reveal_next"], ("revealed", "third", True)),
    ("then second", ["decrypt", "reveal", "reveal_next", "reveal_next"], ("revealed", "second", True)),
    ("then first", STEPS_TO_FIRST, ("revealed", "first", True)),
    ("nothing after first", [*STEPS_TO_FIRST, "reveal_next"], "publication.reveal_complete"),
    ("a next level only during the ceremony", ["reveal_next"], "publication.not_revealing"),
    ("final", [*STEPS_TO_FIRST, "finalise"], ("final", "first", True)),
    ("final stays final", [*STEPS_TO_FIRST, "finalise", "hide"], "publication.invalid_transition"),
    ("no freezing a hidden board", ["hide", "freeze"], "publication.invalid_transition"),
    ("no finalising a live board", ["finalise"], "publication.invalid_transition"),
    ("decrypt once", ["decrypt", "decrypt"], "publication.already_decrypted"),
    ("unknown action", ["publish_everything"], "publication.unknown_action"),
])
def test_publication_actions(session, runtime, case, actions, expected):
    s = scenario(session)
    if "decrypt" in actions:  # locked sheets and a supervisor's co-signature (test_decryption.py)
        ready_to_decrypt(session, s)
    admin = actor(session, ["admin"])
    done = 0
    error = None
    for action in actions:
        if action == "finalise" and done >= len(STEPS_TO_FIRST):  # the results are final first (test_lifecycle.py)
            results_final(session, s)
        try:
            publication.change(session, admin, s.board_id, action)
            session.commit()
            done += 1
        except DomainError as exc:
            session.rollback()
            error = exc.code
            break
    board = session.get(Board, s.board_id)
    session.refresh(board)
    audited = session.scalars(select(EventRecord).where(EventRecord.type == "board.changed")).all()
    assert len(audited) == done  # a refused action changes nothing and logs nothing
    if isinstance(expected, str):
        assert error == expected and done == len(actions) - 1
    else:
        assert error is None and (board.publication, board.reveal_level, board.decrypted) == expected


def test_every_change_is_audited(session, runtime):
    s = scenario(session)
    admin = actor(session, ["admin"])
    change = publication.change(session, admin, s.board_id, "freeze")
    session.commit()
    record = session.get(EventRecord, change.event_id)
    assert record.type == "board.changed" and record.actor == admin.label
    assert record.competition_id == s.competition_id
    assert record.payload == {"board": s.board_id, "change": "publication", "action": "freeze", "from": "live",
                              "to": "frozen", "reveal_level": "none"}


@pytest.mark.parametrize(("roles", "own_zone", "allowed"), [
    (["admin"], True, True),
    (["admin"], False, NotFound),  # an admin's grant is scoped too: here to another zone
    (["zone_admin"], True, True),
    (["zone_admin"], False, NotFound),  # another zone's board: as if it did not exist
    (["chief_judge"], True, Forbidden),
    (["supervisor"], True, Forbidden),  # co-signs decryption, does not publish
    (["judge"], True, Forbidden),
])
def test_only_organisers_in_scope_publish(session, runtime, roles, own_zone, allowed):
    s = scenario(session)
    board = session.get(Board, s.board_id)
    other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other)
    session.commit()
    who = actor(session, roles, zone_id=board.zone_id if own_zone else other.id)
    if allowed is True:
        assert publication.change(session, who, s.board_id, "freeze").after == "frozen"
    else:
        with pytest.raises(allowed):
            publication.change(session, who, s.board_id, "freeze")


def test_the_http_action_needs_an_organiser_and_a_known_action(client, session, runtime):
    s = scenario(session)
    url = f"/api/boards/{s.board_id}/publication"
    assert client.post(url, json={"action": "freeze"}).status_code == 401
    csrf = sign_in(client, session, ["chief_judge"])
    assert client.post(url, json={"action": "freeze"}, headers=csrf).status_code == 403
    csrf = sign_in(client, session, ["admin"])
    en = {**csrf, "Accept-Language": "en"}
    bad = client.post(url, json={"action": "leak"}, headers=en)
    assert bad.status_code == 422 and "action" in bad.json["fields"]
    early = client.post(url, json={"action": "reveal"}, headers=en)
    assert early.status_code == 409 and early.json["error"] == "publication.not_decrypted"
    assert early.json["message"] == "Identities must be decrypted before the prize ceremony."
    assert client.post("/api/boards/99999/publication", json={"action": "freeze"}, headers=csrf).status_code == 404
    assert queue(runtime.redis, "boards").count == 0  # refused actions request nothing
    ok = client.post(url, json={"action": "freeze"}, headers=csrf)
    assert ok.status_code == 200 and ok.json["publication"] == "frozen"
    assert queue(runtime.redis, "boards").count == 1  # the worker writes and broadcasts the new boards
    work(runtime)
    assert latest(session, s.board_id, "public")["publication"] == "frozen"


# -- what each audience's snapshot holds -------------------------------------------------------

def totals(payload):  # type: ignore[no-untyped-def]
    return {row["code"]: row["total"] for row in payload["rows"]}


def test_a_frozen_public_board_stays_at_the_freeze_while_officials_move(session, runtime):
    s = scenario(session)
    admin = actor(session, ["admin"])
    mark(runtime, s, 0, 0, "T1", "6")
    mark(runtime, s, 0, 1, "T1", "4")
    work(runtime)
    before = latest(session, s.board_id, "public")
    publication.change(session, admin, s.board_id, "freeze")
    session.commit()
    work(runtime)  # nothing queued by the service itself: the relay or the view requests it
    from scoring.jobs import coalescer

    coalescer(runtime).request(s.board_id)
    work(runtime)
    at_freeze = latest(session, s.board_id, "public")
    assert at_freeze["publication"] == "frozen" and at_freeze["rows"] == before["rows"]
    for team, value in ((1, "10"), (2, "9"), (3, "8")):  # HN-03 takes the lead; two more teams appear
        mark(runtime, s, 1, team, "T1", value)
        work(runtime)
    officials = latest(session, s.board_id, "officials")
    assert officials["rows"][0]["code"] == "HN-03" and totals(officials) != totals(at_freeze)
    frozen_versions = [p for p in all_snapshots(session, s.board_id, "public") if p["version"] >= at_freeze["version"]]
    assert frozen_versions == [at_freeze]  # not one new public version during the freeze
    publication.change(session, admin, s.board_id, "unfreeze")
    session.commit()
    coalescer(runtime).request(s.board_id)
    work(runtime)
    after = latest(session, s.board_id, "public")
    assert after["publication"] == "live" and totals(after) == totals(officials)


def test_a_board_hidden_while_a_recompute_reads_is_never_overwritten(session, runtime, monkeypatch):
    """The recompute reads and materialises outside the write lock; a publication change that
    commits in between is seen under the lock, and the public snapshot written follows it."""
    from compete.db import session_scope
    from scoring import boards

    s = scenario(session)
    admin = actor(session, ["admin"])
    mark(runtime, s, 0, 0, "T1", "6")
    work(runtime)
    mark(runtime, s, 0, 1, "T1", "9")  # moves the public board: the pass below has a new live board to write
    read_qualify = boards.qualify_places

    def hide_meanwhile(reader, board):  # type: ignore[no-untyped-def]
        with session_scope(runtime.sessions) as organiser:  # committed while the pass holds its read snapshot
            publication.change(organiser, admin, s.board_id, "hide")
        return read_qualify(reader, board)

    monkeypatch.setattr(boards, "qualify_places", hide_meanwhile)
    with session_scope(runtime.sessions) as worker:
        written = boards.refresh(worker, s.board_id)
    public = next(snap.payload for snap in written if snap.audience == "public")
    assert public["publication"] == "hidden" and public["rows"] == []  # not the live board read before


def test_a_hidden_board_gives_the_public_nothing(session, runtime):
    s = scenario(session)
    publication.change(session, actor(session, ["admin"]), s.board_id, "hide")
    session.commit()
    mark(runtime, s, 0, 0, "T1", "7")
    work(runtime)
    public = latest(session, s.board_id, "public")
    assert public["publication"] == "hidden" and public["rows"] == []
    assert latest(session, s.board_id, "officials")["rows"][0]["total"] == "2.10"


def test_the_ceremony_shows_third_then_second_then_first_and_names_only_after_decryption(session, runtime):
    s = scenario(session, judges=1, teams=10)  # N = 10: 1 first, 2 second, 3 third prizes
    admin = actor(session, ["admin"])
    for team in range(10):
        mark(runtime, s, 0, team, "T1", str(team))
    work(runtime)
    ready_to_decrypt(session, s)
    public = latest(session, s.board_id, "public")
    assert [r.get("prize") for r in public["rows"]][:7] == ["first", "second", "second", "third", "third", "third",
                                                            None]
    assert not any("team" in r or "institution" in r for r in public["rows"])
    assert not any("team" in r for r in latest(session, s.board_id, "officials")["rows"])
    from scoring.jobs import coalescer

    seen = {}
    for action in ["decrypt", "reveal", "reveal_next", "reveal_next", "reveal_next", "finalise"]:
        if action == "finalise":  # the results are final first (test_lifecycle.py)
            results_final(session, s)
        publication.change(session, admin, s.board_id, action)
        session.commit()
        coalescer(runtime).request(s.board_id)
        work(runtime)
        board = latest(session, s.board_id, "public")
        seen[(board["publication"], board["reveal_level"])] = sorted({r.get("prize") or "-" for r in board["rows"]})
        assert all(r["team"] and r["institution"] for r in board["rows"])  # decrypted: names for everyone
    assert seen == {
        ("live", "none"): ["-", "first", "second", "third"],
        ("revealed", "none"): ["-"],
        ("revealed", "third"): ["-", "third"],
        ("revealed", "second"): ["-", "second", "third"],
        ("revealed", "first"): ["-", "first", "second", "third"],
        ("final", "first"): ["-", "first", "second", "third"],
    }
    assert latest(session, s.board_id, "officials")["rows"][0]["institution"]


def test_a_zone_board_carries_its_qualification_line(session, runtime):
    s = scenario(session)
    mark(runtime, s, 0, 0, "T1", "6")
    work(runtime)
    assert latest(session, s.board_id, "public")["qualify"] == 1  # the enrolment's default: the top 1 per zone
    from compete.registration.models import SkillEvent, Stage, Zone

    board = session.get(Board, s.board_id)
    event = session.get(SkillEvent, session.get(Stage, board.stage_id).event_id)
    event.rules = {**(event.rules or {}), "advancement": {"per_zone": 2}}
    session.commit()
    mark(runtime, s, 0, 1, "T1", "5")
    work(runtime)
    assert latest(session, s.board_id, "public")["qualify"] == 2  # what enrolment will take
    zone = session.get(Zone, board.zone_id)
    event.rules = {**event.rules, "advancement": {"per_zone": 2, "zone_places": {zone.code: 4}}}
    session.commit()
    mark(runtime, s, 0, 2, "T1", "5")
    work(runtime)
    assert latest(session, s.board_id, "public")["qualify"] == 4  # this zone's own count
