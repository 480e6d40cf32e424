"""The second half of the path of one mark: coalesced recompute on RQ, snapshot, emit, relay."""

from __future__ import annotations

import json
import threading
import time
import uuid
from decimal import Decimal

from rq import SimpleWorker
from sqlalchemy import select

from compete.db import session_scope
from compete.queues import queue
from compete.security import Actor
from scoring import boards, marking
from scoring.jobs import coalescer
from scoring.marking import SubmitMark
from scoring.models import Board, BoardSnapshot
from scoring.relay import Relay
from tests.factories import scenario


def post(client, s, judge, team, aspect, value):  # type: ignore[no-untyped-def]
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    response = client.post("/api/marks", json=body, headers=s.auth(judge))
    assert response.status_code == 201, response.json
    return response.json


def work(runtime) -> None:  # type: ignore[no-untyped-def]
    SimpleWorker([queue(runtime.redis, "boards")], connection=runtime.redis).work(burst=True)


def snapshots(session, board_id, audience="public"):  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(
        select(BoardSnapshot).where(BoardSnapshot.board_id == board_id, BoardSnapshot.audience == audience)
        .order_by(BoardSnapshot.version)
    ))


def test_marks_become_a_ranked_board_through_the_worker(client, session, runtime):
    s = scenario(session)
    for judge, value in enumerate(["6", "7", "8"]):
        post(client, s, judge, 0, "T1", value)  # mean 7 → theory 7 → total 0.3 × 7 = 2.1
    post(client, s, 0, 1, "T1", "9")  # one judge of three: mean 9 → total 2.7
    work(runtime)
    [public] = snapshots(session, s.board_id)
    rows = {row["code"]: row for row in public.payload["rows"]}
    assert rows["HN-01"]["total"] == "2.10" and rows["HN-02"]["total"] == "2.70"
    assert [row["code"] for row in public.payload["rows"][:2]] == ["HN-02", "HN-01"]
    assert public.payload["rows"][0]["rank"] == 1 and public.version == 1
    assert "team" not in rows["HN-01"] and "institution" not in rows["HN-01"]  # codes only before decryption
    assert "marks" not in rows["HN-01"] and "flags" not in rows["HN-01"]  # no judge counts in public
    [officials] = snapshots(session, s.board_id, "officials")
    assert officials.payload["rows"][1]["marks"] == 3 and "institution" not in officials.payload["rows"][1]


def test_a_burst_of_marks_enqueues_one_recompute(client, session, runtime):
    s = scenario(session, judges=3, teams=4)
    for team in range(4):
        for judge in range(3):
            post(client, s, judge, team, "T2", str(judge + team))
    assert queue(runtime.redis, "boards").count == 1
    work(runtime)
    [officials] = snapshots(session, s.board_id, "officials")
    assert sum(row["marks"] for row in officials.payload["rows"]) == 12


def test_a_mark_landing_during_a_recompute_triggers_one_more_pass(session, runtime):
    s = scenario(session)
    c = coalescer(runtime)
    landed = []

    def once() -> None:
        with session_scope(runtime.sessions) as work_session:
            boards.refresh(work_session, s.board_id)
        if not landed:  # a judge submits while the first pass runs
            with session_scope(runtime.sessions) as judge_session:
                receipt = marking.submit_mark(
                    judge_session, Actor("judge", s.judge_ids[0]),
                    SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects["T1"], Decimal(5)),
                )
            landed.append(receipt)
            assert c.request(s.board_id, receipt.event_id) is False  # a claim is held: no second job

    c.request(s.board_id)
    assert c.run(s.board_id, once) == 2
    latest = boards.latest(session, s.board_id, "officials")
    assert {row["code"]: row["marks"] for row in latest.payload["rows"]}["HN-01"] == 1
    assert c.run(s.board_id, lambda: None) == 1  # the claim was released


def test_the_relay_recomputes_what_the_fast_path_missed(session, runtime):
    s = scenario(session)
    with session_scope(runtime.sessions) as judge_session:  # committed, never dispatched (Redis was down)
        marking.submit_mark(judge_session, Actor("judge", s.judge_ids[0]),
                            SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects["T1"], Decimal(4)))
    boards_queue = queue(runtime.redis, "boards")
    assert boards_queue.count == 0
    relay = Relay(coalescer(runtime))
    with session_scope(runtime.sessions) as relay_session:
        assert relay.step(relay_session) == 1
    assert boards_queue.count == 1
    work(runtime)
    assert snapshots(session, s.board_id, "officials")[-1].payload["rows"][0]["marks"] == 1
    with session_scope(runtime.sessions) as relay_session:  # handled once: the next pass does nothing
        assert relay.step(relay_session) == 0


def test_the_relay_skips_events_the_fast_path_dispatched(client, session, runtime):
    s = scenario(session)
    post(client, s, 0, 0, "T1", "3")
    work(runtime)
    with session_scope(runtime.sessions) as relay_session:
        assert Relay(coalescer(runtime)).step(relay_session) == 0
    assert queue(runtime.redis, "boards").count == 0


def test_an_unchanged_board_keeps_its_version(client, session, runtime):
    s = scenario(session)
    post(client, s, 0, 0, "T1", "3")
    work(runtime)
    coalescer(runtime).request(s.board_id)
    work(runtime)
    assert [snap.version for snap in snapshots(session, s.board_id)] == [1]


def test_the_worker_emits_the_new_version_through_the_message_queue(client, session, runtime):
    s = scenario(session)
    pubsub = runtime.redis.pubsub()
    pubsub.subscribe("flask-socketio")
    pubsub.get_message(timeout=1)  # the subscribe confirmation
    post(client, s, 0, 0, "T1", "3")
    work(runtime)
    messages = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(messages) < 2:
        message = pubsub.get_message(timeout=0.5)
        if message and message["type"] == "message":
            messages.append(message["data"])
    pubsub.close()
    text = b"".join(messages).decode("utf-8", "replace")
    assert "board:updated" in text and f"board:{s.board_id}:public" in text and f"board:{s.board_id}:officials" in text


def test_the_snapshot_is_served_with_an_etag(client, session, runtime):
    s = scenario(session)
    empty = client.get(f"/api/boards/{s.board_id}")
    assert empty.status_code == 200 and empty.json["version"] == 0 and empty.json["rows"] == []
    post(client, s, 0, 0, "T1", "3")
    work(runtime)
    first = client.get(f"/api/boards/{s.board_id}")
    assert first.json["version"] == 1 and first.headers["ETag"]
    again = client.get(f"/api/boards/{s.board_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/api/boards/{s.board_id}?audience=officials").status_code == 401  # not signed in
    assert client.get("/api/boards/99999").status_code == 404
    assert json.loads(client.get("/api/boards/99999").data)["error"] == "board.not_found"


def test_concurrent_marks_and_recomputes_end_equal_to_a_from_scratch_recompute(app, session, runtime):
    s = scenario(session, judges=3, teams=6)
    done = threading.Event()
    passes = []

    def judges() -> None:  # the judges post from another thread while the worker runs here
        try:
            with app.test_client() as c:
                for i in range(120):
                    post(c, s, i % 3, (i // 3) % 6, ("T1", "T2", "P3")[i % 3], str(i % 10))
                    time.sleep(0.01)
        finally:
            done.set()

    thread = threading.Thread(target=judges)
    thread.start()
    while not done.is_set():
        work(runtime)  # RQ installs signal handlers: the worker must run in the main thread
        passes.append(len(snapshots(session, s.board_id, "officials")))
        time.sleep(0.005)
    thread.join()
    work(runtime)
    # the board really moved while marks were still arriving (versions from the passes that ran then)
    assert max(passes) > 2
    served = boards.latest(session, s.board_id, "officials").payload["rows"]
    with session_scope(runtime.sessions) as fresh:
        board = fresh.get(Board, s.board_id)
        result, teams = boards.compute(fresh, board)
        expected = boards.materialise(board, result, teams, "officials")["rows"]
    assert served == expected


def sign_in(client, session, roles, zone_id=None):  # type: ignore[no-untyped-def]
    from compete.accounts import users
    from compete.security import SYSTEM

    account = users.create_user(session, f"u{uuid.uuid4().hex[:8]}", "correct horse battery", actor=SYSTEM)
    for role in roles:
        users.grant(session, account, role, actor=SYSTEM, zone_id=zone_id)
    session.commit()
    response = client.post("/api/session", json={"username": account.username, "password": "correct horse battery"})
    assert response.status_code == 200


def test_officials_boards_need_an_official_role_and_scope(client, session, runtime):
    from compete.registration.models import Zone
    from scoring.models import Board as BoardRow

    s = scenario(session)
    zone_id = session.get(BoardRow, s.board_id).zone_id
    other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other)
    session.commit()
    url = f"/api/boards/{s.board_id}?audience=officials"
    assert client.get(url).status_code == 401
    sign_in(client, session, ["judge"])
    assert client.get(url).status_code == 403
    sign_in(client, session, ["zone_admin"], zone_id=other.id)
    assert client.get(url).status_code == 403
    sign_in(client, session, ["zone_admin"], zone_id=zone_id)
    assert client.get(url).status_code == 200
    sign_in(client, session, ["chief_judge"])
    assert client.get(url).json["named"] is False  # codes only, for officials too, until decryption


def test_a_wrong_password_is_refused_in_the_users_language(client, session):
    response = client.post("/api/session", json={"username": "nobody", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 401 and response.json["message"] == "Wrong username or password."


def test_a_mark_commits_even_when_redis_is_unreachable(client, session, runtime):
    import redis as redis_module
    from rq import Queue

    from scoring.recompute import Coalescer

    s = scenario(session)
    dead = redis_module.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    receipt = None
    with session_scope(runtime.sessions) as judge_session:
        receipt = marking.submit_mark(judge_session, Actor("judge", s.judge_ids[0]),
                                      SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects["T1"], Decimal(6)))
    marking.dispatch(Coalescer(dead, Queue("boards", connection=dead)), receipt)  # logs, does not raise
    with session_scope(runtime.sessions) as relay_session:  # Redis is back: the relay catches up
        assert Relay(coalescer(runtime)).step(relay_session) == 1
    work(runtime)
    assert snapshots(session, s.board_id, "officials")[-1].payload["rows"][0]["marks"] == 1


def test_a_team_withdrawn_at_the_registration_desk_reaches_its_board_through_the_relay(client, session, runtime):
    """Registration knows nothing of boards: the relay maps the team's event to the boards ranking it."""
    from compete.registration.teams import update_team
    from compete.security import SYSTEM

    s = scenario(session, teams=3)
    post(client, s, 0, 0, "T1", "3")
    work(runtime)
    relay = Relay(coalescer(runtime))
    with session_scope(runtime.sessions) as relay_session:
        relay.step(relay_session)  # the mark was dispatched already: nothing to do
    before = snapshots(session, s.board_id, "officials")[-1]
    with session_scope(runtime.sessions) as desk:
        update_team(desk, SYSTEM, s.team_ids[1], status="withdrawn")
    assert queue(runtime.redis, "boards").count == 0  # no fast path for team events
    with session_scope(runtime.sessions) as relay_session:
        assert relay.step(relay_session) == 1
    work(runtime)
    after = snapshots(session, s.board_id, "officials")[-1]
    assert after.version == before.version + 1 and after.payload["rows"] != before.payload["rows"]
    with session_scope(runtime.sessions) as fresh:
        board = fresh.get(Board, s.board_id)
        scratch, teams = boards.compute(fresh, board)
        assert after.payload["rows"] == boards.materialise(board, scratch, teams, "officials")["rows"]
