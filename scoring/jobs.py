"""RQ entry points. Each takes ids, opens a session, calls a service, commits, then emits.

``recompute_board`` runs under the coalescer (``scoring.recompute``) so that marks landing
during a pass cause one more pass; ``relay_events`` is one pass of the event-log relay.
Pacing in a burst: when at least ``BURST_REQUESTS`` requests arrived since the previous pass
began, the next pass starts no sooner than ``MIN_PASS_INTERVAL`` after it, so a burst costs at
most 1 / ``MIN_PASS_INTERVAL`` passes a second however fast one pass is (the emitter broadcasts
at most 4 a second per room anyway); a mark after a quiet spell, or a trickle, is recomputed at
once.
Exceptions propagate: a failing job stays in RQ's failed registry with its traceback.
"""

from __future__ import annotations

import functools
import time

from compete import runtime
from compete.db import session_scope
from compete.queues import queue
from realtime.emit import Emitter
from scoring import boards
from scoring.recompute import Coalescer


#: seconds between the starts of two passes of one job during a burst (bench/coalescing.py, T4)
MIN_PASS_INTERVAL = 0.05
#: requests since the previous pass began that make it a burst
BURST_REQUESTS = 4


@functools.cache
def emitter(redis_url: str) -> Emitter:
    return Emitter(redis_url)


def coalescer(rt: runtime.Runtime) -> Coalescer:
    return Coalescer(rt.redis, queue(rt.redis, "boards"), rt.settings.recompute_claim_ttl)


def recompute_board(board_id: int) -> int:
    rt = runtime.current()
    c = coalescer(rt)
    last: list[float | None] = [None, None]  # when the previous pass began, and the generation then

    def once() -> None:
        generation = c.generation(board_id)
        began, seen = last
        if began is not None and seen is not None and generation - seen >= BURST_REQUESTS:
            wait = began + MIN_PASS_INTERVAL - time.monotonic()
            if wait > 0:
                time.sleep(wait)
                generation = c.generation(board_id)
        last[0], last[1] = time.monotonic(), generation
        with session_scope(rt.sessions) as session:
            written = boards.refresh(session, board_id)
        for snapshot in written:
            emitter(rt.redis_url).board_updated(board_id, snapshot.audience, snapshot.payload)

    return c.run(board_id, once)
