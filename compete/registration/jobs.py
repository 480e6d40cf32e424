"""RQ entry points of registration: run one import. Takes ids, opens sessions, commits.

``run_import(import_id)`` marks the run ``running``, parses the file (no database), checks every
row in a read-only session (on SQLite, without the write lock, so marks and pages go on), then
writes in one short transaction (checking again first if the competition changed meanwhile,
as its event log tells), reporting progress in the job's meta (``{"progress": 0..1, "phase": ...}``) that
``GET /api/imports/<id>`` reads. If the work raises, that transaction rolls back (nothing of
the file is stored), the run is marked ``failed`` with ``import.internal`` in a fresh one, and
the exception propagates so that RQ keeps it in the failed registry with its traceback.

``enqueue(rt, run)`` is called by the view right after the commit that stored the run.
"""

from __future__ import annotations

import time

from rq import get_current_job
from rq.job import Job

from compete import events, runtime
from compete.accounts import users
from compete.db import session_scope
from compete.errors import DomainError
from compete.queues import queue
from compete.registration import imports
from compete.registration.repository import readers
from compete.registration.models import ImportRun
from compete.registration.spreadsheets import read_rows
from compete.security import SYSTEM, Actor

#: seconds a job may run before RQ stops it (a provincial file takes a few seconds)
TIMEOUT = 600


def enqueue(rt: runtime.Runtime, run: ImportRun) -> Job:
    return queue(rt.redis, "default").enqueue(run_import, run.id, job_id=run.job_id, job_timeout=TIMEOUT,
                                              result_ttl=3600, failure_ttl=7 * 24 * 3600)


def progress_of(rt: runtime.Runtime, run: ImportRun) -> tuple[float, str | None]:
    """How far a run is (0..1) and in which phase, from its job's meta while it runs."""
    if run.status in ("done", "failed"):
        return 1.0, run.status
    if run.status == "queued" or not run.job_id:
        return 0.0, "queued"
    try:
        job = Job.fetch(run.job_id, connection=rt.redis)
    except Exception:  # noqa: BLE001 - expired or Redis away: the stored state still answers
        return 0.0, run.status
    meta = job.get_meta(refresh=True) if hasattr(job, "get_meta") else job.meta
    return float(meta.get("progress", 0.0)), meta.get("phase")


def _actor(session: object, label: str) -> Actor | None:
    kind, _, ident = label.partition(":")
    if kind == "system":
        return SYSTEM
    if kind == "user" and ident.isdigit():
        return users.actor_for(session, int(ident))  # type: ignore[arg-type]
    return None


class _Meta:
    """Progress into the current job's meta, at most every 0.2 s (each save is a Redis write)."""

    def __init__(self) -> None:
        self.job = get_current_job()
        self.last = 0.0

    def __call__(self, fraction: float, phase: str) -> None:
        now = time.monotonic()
        if self.job is None or (now - self.last < 0.2 and fraction < 1.0):
            return
        self.last = now
        self.job.meta.update({"progress": round(fraction, 3), "phase": phase})
        self.job.save_meta()


def run_import(import_id: int) -> str:
    rt = runtime.current()
    progress = _Meta()
    with session_scope(rt.sessions) as session:
        run = session.get(ImportRun, import_id)
        if run is None or run.status not in ("queued", "running"):
            return "skipped"
        run.status = "running"
        competition_id, kind, label = run.competition_id, run.kind, run.actor
        content, fmt = run.content, run.format
    progress(0.02, "read")
    try:
        rows = read_rows(content, fmt, lambda share: progress(0.02 + 0.2 * share, "read"))  # no database
        with session_scope(readers(rt)) as session:  # checking only reads: others keep writing meanwhile
            actor = _actor(session, label)
            if actor is None:
                raise DomainError("import.actor_gone")
            mark = imports.last_change(session, competition_id)
            checked = imports.check_rows(session, actor, competition_id, kind, rows, progress)
        with session_scope(rt.sessions) as session:
            run = session.get(ImportRun, import_id)
            actor = _actor(session, label)
            assert run is not None and actor is not None
            if not checked.errors and imports.last_change(session, competition_id) != mark:
                checked = imports.check_rows(session, actor, competition_id, kind, rows, progress)  # it changed
            imports.execute(session, actor, run, progress, checked=checked)
            status = run.status
    except DomainError as error:  # the file itself is unusable (unreadable, wrong format, no right)
        _failed(rt, import_id, error.code, error.params)
        return "failed"
    except Exception:
        _failed(rt, import_id, "import.internal", {})
        raise
    progress(1.0, "done")
    return status


def _failed(rt: runtime.Runtime, import_id: int, code: str, params: dict[str, object]) -> None:
    with session_scope(rt.sessions) as session:
        run = session.get(ImportRun, import_id)
        if run is None:
            return
        run.status = "failed"
        run.finished_at = events.utcnow()
        run.report = {"errors": [{"row": 0, "column": "", "code": code, "params": params}], "counts": {}}
        events.append(session, "import.rejected", {"import": run.id, "kind": run.kind, "error": code},
                      actor=run.actor, competition_id=run.competition_id)
