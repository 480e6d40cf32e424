"""T8 of performance.md: the queue hop, from enqueue to job start, on the real worker.

A seeded stack (``bench.live.Stack``) runs one ``compete worker``. Candidate: a board recompute
(``scoring.jobs.recompute_board``) enqueued on the ``boards`` queue; baseline: a no-op job
(``bench.queue_hop.noop``) on the same queue and worker. Jobs go one at a time (each waits for
the previous to finish, so the hop is the worker's pick-up, not a backlog), interleaved A B B A.
The hop is RQ's own ``started_at − enqueued_at`` (microseconds, written by Redis clients).
"""

from __future__ import annotations

import statistics
import time

from rq.job import Job

from bench.harness import Context, Result, percentile
from bench.live import Stack
from compete.queues import queue

MS = 1000.0


def noop() -> None:
    """The baseline job: nothing at all."""


def _hop(stack: Stack, function: str, *args: object) -> float | None:
    job = queue(stack.rt.redis, "boards").enqueue(function, *args, result_ttl=300)
    enqueued = job.enqueued_at
    deadline = time.time() + 30
    while time.time() < deadline:
        job = Job.fetch(job.id, connection=stack.rt.redis)
        if job.is_finished or job.is_failed:
            break
        time.sleep(0.005)
    assert job.is_finished, f"{function} did not finish: {job.get_status()}"
    enqueued = job.enqueued_at or enqueued  # as RQ stored it; else as the enqueue returned it
    if job.started_at is None or enqueued is None:
        return None  # RQ kept no timestamps for this one: not a sample
    return (job.started_at - enqueued).total_seconds()


def run(ctx: Context) -> list[Result]:
    rounds = 20 if ctx.smoke else 300
    stack = Stack.build(ctx, "queue_hop")
    try:
        stack.worker()
        _hop(stack, "bench.queue_hop.noop")  # the worker is up and warm
        board = stack.probe.board
        baseline: list[float] = []
        candidate: list[float] = []
        lost = 0
        for i in range(rounds):
            pair = [("noop", None), ("recompute", board)] if i % 2 == 0 else [("recompute", board), ("noop", None)]
            for name, arg in pair:
                hop = _hop(stack, "bench.queue_hop.noop") if name == "noop" else \
                    _hop(stack, "scoring.jobs.recompute_board", arg)
                if hop is None:
                    lost += 1
                else:
                    (baseline if name == "noop" else candidate).append(hop)
    finally:
        stack.stop()
    p99, floor = percentile(candidate, 99) * MS, percentile(baseline, 99) * MS
    return [Result("T8", "queue hop: enqueue → job start (p99)", p99, "ms", floor, p99 / floor if floor else None,
                   "p99 ≤ 10 ms; ≤ 2× a no-op job on the same worker", p99 <= 10 and p99 <= 2 * floor,
                   {"p50_ms": percentile(candidate, 50) * MS, "baseline_p50_ms": percentile(baseline, 50) * MS,
                    "mean_ms": statistics.mean(candidate) * MS, "rounds": rounds, "without_timestamps": lost})]
