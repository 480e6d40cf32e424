"""Coalesced recomputes with the live board cache: few passes for a burst, one more for a late mark,
and a final board always equal to a from-scratch recompute - also with 500 marks arriving meanwhile."""

from __future__ import annotations

import random
import threading
import time
import uuid
from decimal import Decimal

from rq import SimpleWorker
from sqlalchemy import insert, select

from compete.db import session_scope
from compete.queues import queue
from compete.security import Actor
from scoring import boards, live, marking
from scoring.jobs import coalescer
from scoring.marking import SubmitMark
from scoring.models import Board, BoardSnapshot, Mark
from tests.factories import scenario

#: a valid value per aspect of the factory's scheme
VALUES = {"T1": [str(v) for v in range(11)], "T2": [str(v) for v in range(0, 11)], "P1": ["0", "1", "2", "3"],
          "P2": ["0", "5"], "P3": [str(v / 2) for v in range(41)], "P4": ["0", "1", "2"]}


def post(client, s, judge: int, team: int, aspect: str, value: str) -> None:  # type: ignore[no-untyped-def]
    body = {"submission_id": str(uuid.uuid4()), "sheet": s.sheet(judge, team), "aspect": s.aspects[aspect],
            "value": value}
    response = client.post("/api/marks", json=body, headers=s.auth(judge))
    assert response.status_code == 201, response.json


def work(runtime) -> None:  # type: ignore[no-untyped-def]
    """Run the boards queue dry."""
    SimpleWorker([queue(runtime.redis, "boards")], connection=runtime.redis).work(burst=True)


def test_a_burst_to_one_board_costs_one_job_and_one_pass(client, session, runtime):
    s = scenario(session, judges=3, teams=4)
    for i in range(60):
        post(client, s, i % 3, (i // 3) % 4, ("T1", "T2", "P3")[i % 3], str(i % 10))
    [job] = queue(runtime.redis, "boards").jobs  # 60 commits, 60 requests, one job
    assert job.func_name == "scoring.jobs.recompute_board" and job.perform() == 1  # one pass
    snapshot = boards.latest(session, s.board_id, "officials")
    assert snapshot is not None and snapshot.version == 1
    assert sum(row["marks"] for row in snapshot.payload["rows"]) == 12  # 12 (sheet, aspect) pairs, 5 revisions each


def test_a_mark_during_a_cached_pass_causes_one_more_pass_that_sees_it(session, runtime):
    s = scenario(session)
    cache = live.BoardCache()
    c = coalescer(runtime)
    seen: list[int] = []

    def once() -> None:
        with session_scope(runtime.sessions) as work_session:
            result = cache.result(work_session, work_session.get(Board, s.board_id))
        seen.append(sum(r.marks_in for r in result.rows))
        if len(seen) == 1:  # a judge submits while the first pass runs
            with session_scope(runtime.sessions) as judge_session:
                receipt = marking.submit_mark(
                    judge_session, Actor("judge", s.judge_ids[0]),
                    SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects["T1"], Decimal(5)))
            assert c.request(s.board_id, receipt.event_id) is False  # the claim is held: no second job

    c.request(s.board_id)
    assert c.run(s.board_id, once) == 2
    assert seen == [0, 1] and cache.passes == {"full": 1, "incremental": 1, "rebuilt": 0}


def valid_marks(s, count: int, seed: int) -> list[tuple[int, int, str, str]]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    judges, teams = len(s.judge_ids), len(s.team_ids)
    out = []
    for _ in range(count):  # many (sheet, aspect) pairs get several revisions
        aspect = rng.choice(list(VALUES))
        out.append((rng.randrange(judges), rng.randrange(teams), aspect, rng.choice(VALUES[aspect])))
    return out


def test_500_marks_while_recomputes_run_end_equal_to_a_from_scratch_recompute(app, session, runtime):
    """Judges post 500 marks (many of them corrections) from one thread; the real coalesced job
    recomputes in the main thread (RQ needs it) and the live cache recomputes in another."""
    s = scenario(session, judges=5, teams=10, rules={"aggregation": "trimmed_mean", "trim": 1})
    cache = live.BoardCache()
    done = threading.Event()
    sent: list[int] = []
    seen: list[int] = []

    def judges() -> None:
        try:
            with app.test_client() as c:
                for judge, team, aspect, value in valid_marks(s, 500, seed=5):
                    post(c, s, judge, team, aspect, value)
                    sent.append(1)
        finally:
            done.set()

    def cached() -> None:  # a second recomputer: the incremental cache, pass after pass
        while not done.is_set():
            with session_scope(runtime.sessions) as work_session:
                board = work_session.get(Board, s.board_id)
                seen.append(sum(r.marks_in for r in cache.result(work_session, board).rows))
            time.sleep(0.01)

    threads = [threading.Thread(target=judges), threading.Thread(target=cached)]
    for thread in threads:
        thread.start()
    while not done.is_set():
        work(runtime)  # the real job, coalesced (RQ installs signal handlers: main thread only)
        time.sleep(0.005)
    for thread in threads:
        thread.join()
    work(runtime)
    session.expire_all()
    versions = [snap.version for snap in session.scalars(
        select(BoardSnapshot).where(BoardSnapshot.board_id == s.board_id, BoardSnapshot.audience == "officials"))]
    assert len(sent) == 500
    assert len(versions) > 3 and len(set(seen)) > 3  # both recomputers moved while marks arrived
    assert cache.passes["incremental"] > 3 and cache.passes["full"] == 1

    with session_scope(runtime.sessions) as fresh:
        board = fresh.get(Board, s.board_id)
        cached_result = cache.result(fresh, board)
        scratch, teams = live.from_scratch(fresh, board)
        expected = boards.materialise(board, scratch, teams, "officials")["rows"]
    assert cached_result == scratch  # the incremental cache, after all of it, equals a from-scratch recompute
    served = boards.latest(session, s.board_id, "officials").payload["rows"]
    assert served == expected  # and so does what the worker served
    assert sum(r.marks_in for r in scratch.rows) < 500  # corrections replaced earlier values


def test_a_mark_committed_late_with_a_smaller_id_is_not_missed(session, runtime):
    """PostgreSQL may commit ids out of order; the watermark looks back ``horizon`` seconds."""
    s = scenario(session, judges=1, teams=2)

    def write(mark_id: int, team: int, value: str, revision: int = 1) -> None:
        with session_scope(runtime.sessions) as w:
            w.execute(insert(Mark).values(
                id=mark_id, submission_id=str(uuid.uuid4()), sheet_id=s.sheet(0, team), aspect_id=s.aspects["T1"],
                judge_id=s.judge_ids[0], team_id=s.team_ids[team], board_id=s.board_id, value=Decimal(value),
                revision=revision, actor="judge"))

    def check(cache: live.BoardCache) -> bool:
        with session_scope(runtime.sessions) as r:
            board = r.get(Board, s.board_id)
            return cache.result(r, board) == live.result_from_scratch(r, board)

    for horizon, caught in ((0.3, True), (0.0, False)):
        session.execute(Mark.__table__.delete())
        session.commit()
        cache = live.BoardCache(horizon=horizon)
        write(1000, 0, "6")  # id 1000 commits first
        assert check(cache)
        write(500, 1, "7")  # id 500 was allocated earlier but commits now
        assert check(cache) is caught  # horizon 0 (right for SQLite's serial writers) would miss it
    cache = live.BoardCache(horizon=0.1)  # past the horizon the watermark moves on, still exact
    assert check(cache)
    time.sleep(0.15)
    assert check(cache)
    time.sleep(0.15)
    write(2000, 0, "9", revision=2)  # a correction of the first mark
    assert check(cache)
    assert session.scalar(select(Mark.id).order_by(Mark.id.desc()).limit(1)) == 2000


def test_within_the_horizon_a_warm_board_reads_only_new_rows_unless_one_committed_late(session, runtime):
    """The ids read above the watermark are counted against the stored rows: equal counts mean
    nothing committed late, so only newer rows are read; a late commit makes the range re-read."""
    s = scenario(session, judges=2, teams=3)
    cache = live.BoardCache(horizon=60)  # nothing ever gets older than the horizon here

    def write(mark_id: int, judge: int, team: int, value: str) -> None:
        with session_scope(runtime.sessions) as w:
            w.execute(insert(Mark).values(
                id=mark_id, submission_id=str(uuid.uuid4()), sheet_id=s.sheet(judge, team), aspect_id=s.aspects["T1"],
                judge_id=s.judge_ids[judge], team_id=s.team_ids[team], board_id=s.board_id, value=Decimal(value),
                revision=1, actor="judge"))

    def exact() -> bool:
        with session_scope(runtime.sessions) as r:
            board = r.get(Board, s.board_id)
            return cache.result(r, board) == live.result_from_scratch(r, board)

    for i, (judge, team) in enumerate([(0, 0), (1, 0), (0, 1)]):
        write(10 + i, judge, team, "5")
    assert exact() and cache.passes["full"] == 1
    write(20, 1, 1, "6")
    assert exact() and cache.rows_read == 1  # the new row alone, not the whole board again
    write(15, 0, 2, "7")  # allocated before 20, committed after it
    assert exact() and cache.rows_read == 1 + 5  # one row more than was read: all above the watermark (0) again
    write(30, 1, 2, "8")
    assert exact() and cache.rows_read == 1 + 5 + 1  # counts agree again: the new row alone


def test_the_cache_forgets_boards_when_storage_is_replaced(client, session, runtime):
    """Emptied tables re-use ids (a restore, or the next test): the event log's first entry
    changes, so marks of the old history never leak into a board of the new one."""
    from tests.conftest import truncate_all

    cache = live.BoardCache()

    def cached_marks() -> int:
        with session_scope(runtime.sessions) as r:
            return sum(row.marks_in for row in cache.result(r, r.get(Board, s.board_id)).rows)

    s = scenario(session, judges=2, teams=2)
    for judge in (0, 1):
        post(client, s, judge, 0, "T1", "7")
    assert cached_marks() == 2
    truncate_all(runtime)
    session.expire_all()
    s = scenario(session, judges=2, teams=2)  # the same ids again
    for judge, aspect in ((0, "T1"), (1, "T1"), (0, "T2")):  # more marks than before: ids pass the old ones
        post(client, s, judge, 1, aspect, "4")
    assert cached_marks() == 3  # not 5: the old history's two marks on the first team are gone
    with session_scope(runtime.sessions) as r:
        board = r.get(Board, s.board_id)
        assert cache.result(r, board) == live.result_from_scratch(r, board)
    assert cache.passes["full"] == 2
