"""Coalesced board recomputes: a burst of marks to one board costs few recomputes, never none.

Protocol, per board ``b`` (Redis keys ``board:{b}:gen`` and ``board:{b}:claim``):
- ``request(b)`` (after a mark commits): INCR the generation; SET the claim if absent (NX, with
  a TTL); only the caller that set the claim enqueues a job. A burst therefore enqueues one job.
- ``run(b, once)`` (in the job): read the generation ``g``, recompute from the database, then
  atomically release the claim *only if* the generation is still ``g``. If a mark arrived
  meanwhile the generation moved, the claim is kept and the job loops: a mark that lands during
  a recompute always triggers one more pass, and the final board reflects every committed mark.
- ``request`` also records the event id as dispatched, so the event-log relay can tell which
  events the fast path already handled (idempotency by event id).

The TTL on the claim bounds the damage of a worker killed mid-job: after it the next request
(or the relay) enqueues again. Must not: read the database or know what a board is.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from rq import Queue

RELEASE_IF_UNCHANGED = """
if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 0
"""
DISPATCHED = "relay:dispatched"
JOB = "scoring.jobs.recompute_board"


def _gen(board_id: int) -> str:
    return f"board:{board_id}:gen"


def _claim(board_id: int) -> str:
    return f"board:{board_id}:claim"


class Coalescer:
    def __init__(self, connection: redis.Redis, queue: Queue, claim_ttl: int = 60) -> None:
        self._redis = connection
        self._queue = queue
        self._ttl = claim_ttl
        self._release = connection.register_script(RELEASE_IF_UNCHANGED)

    def request(self, board_id: int, event_id: int | None = None) -> bool:
        """Note that ``board_id`` changed; enqueue a recompute unless one is pending. True if enqueued."""
        pipe = self._redis.pipeline()
        pipe.incr(_gen(board_id))
        pipe.set(_claim(board_id), 1, nx=True, ex=self._ttl)
        if event_id is not None:
            pipe.sadd(DISPATCHED, event_id)
        claimed = pipe.execute()[1]
        if claimed:
            self._queue.enqueue(JOB, board_id, result_ttl=0, failure_ttl=7 * 24 * 3600)
        return bool(claimed)

    def generation(self, board_id: int) -> int:
        """How many requests ``board_id`` has had so far (a counter; only differences matter)."""
        return int(self._redis.get(_gen(board_id)) or 0)

    def run(self, board_id: int, once: Callable[[], None]) -> int:
        """Call ``once`` until no request arrived during the last call. Returns the number of passes."""
        passes = 0
        while True:
            generation = self._redis.get(_gen(board_id)) or b""
            once()
            passes += 1
            if self._release(keys=[_gen(board_id), _claim(board_id)], args=[generation, self._ttl]):
                return passes

    def take_dispatched(self, event_ids: list[int]) -> set[int]:
        """Of ``event_ids``, those the fast path already dispatched (and forget them)."""
        if not event_ids:
            return set()
        pipe = self._redis.pipeline()
        for event_id in event_ids:
            pipe.srem(DISPATCHED, event_id)
        return {event_id for event_id, removed in zip(event_ids, pipe.execute(), strict=True) if removed}
