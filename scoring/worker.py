"""The worker process: an RQ worker on the named queues plus the event-log relay.

Jobs run in the worker process itself (``SimpleWorker``, no fork per job): the runtime's
database pool and Redis client are built once and reused, which keeps the queue hop short.
A daemon thread runs one relay pass every ``settings.relay_interval`` seconds; a failing
pass is logged and retried on the next tick (the cursor only moves on commit).
"""

from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from compete.db import session_scope
from compete.queues import QUEUE_NAMES, queue
from compete.runtime import Runtime
from scoring.jobs import coalescer
from scoring.relay import Relay

log = logging.getLogger(__name__)


def relay_forever(rt: Runtime, stop: threading.Event) -> None:
    relay = Relay(coalescer(rt))
    while not stop.wait(rt.settings.relay_interval):
        try:
            with session_scope(rt.sessions) as session:
                relay.step(session)
        except Exception:  # noqa: BLE001 - Redis or the database is away; try again next tick
            log.warning("relay pass failed; retrying", exc_info=True)


def run(rt: Runtime, *, burst: bool = False) -> None:
    stop = threading.Event()
    relay = threading.Thread(target=relay_forever, args=(rt, stop), name="relay", daemon=True)
    relay.start()
    try:
        worker = SimpleWorker([queue(rt.redis, name) for name in QUEUE_NAMES], connection=rt.redis)
        worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
