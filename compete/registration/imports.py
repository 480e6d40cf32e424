"""Bulk import of institutions, teams (with members and coaches) and judges: all or nothing.

Owns: ``start_import`` (check the actor may write that kind in the competition, store the
uploaded file as an ``ImportRun`` in state ``queued``; the caller commits, then enqueues the job),
``execute`` (read → check every row → write, reporting progress, with the kind's *plan* of
``registration.import_plans``), ``get_import`` and ``recent_imports``. If any row is wrong the report lists every wrong
row (row, column, code, parameters; translated when read) and nothing is stored; otherwise all
rows are written in the caller's one transaction with an ``import.completed`` event.

Matching: an import adds what is new and updates what it names again, so importing the same
file twice changes nothing: institutions by name; teams by event, division, stage, institution
and team name (their members and coaches become the file's); judges by name and institution.
A zone admin may only import rows of institutions in their zones.

Must not: import flask; commit (the job or the caller does).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import NotFound, ValidationFailed
from compete.events import EventRecord
from compete.registration import repository
from compete.registration.domain import rows as shapes
from compete.registration.domain.rows import RowError
from compete.registration.import_plans import PLANS, Checked, Progress, quiet
from compete.registration.models import IMPORT_KINDS, ImportRun
from compete.registration.spreadsheets import Row, format_of, read_rows
from compete.security import Actor

WRITE_ACTION = {"institutions": "institution.write", "teams": "team.write", "judges": "judge.write"}


def start_import(session: Session, actor: Actor, competition_id: int, kind: str, filename: str,
                 content: bytes) -> ImportRun:
    repository.competition(session, competition_id)
    if kind not in IMPORT_KINDS:
        raise ValidationFailed("import.unknown_kind", field="kind", kinds=", ".join(IMPORT_KINDS))
    permissions.zones_visible(actor, WRITE_ACTION[kind], competition_id)  # raises without the right
    fmt = format_of(filename)
    if not content:
        raise ValidationFailed("import.empty", field="file")
    run = ImportRun(competition_id=competition_id, kind=kind, format=fmt, filename=filename[-200:],
                    status="queued", actor=actor.label, content=content, rows=0, report={})
    session.add(run)
    session.flush()
    run.job_id = f"import-{run.id}"
    events.append(session, "import.queued", {"import": run.id, "kind": kind, "filename": run.filename},
                  actor=actor.label, competition_id=competition_id)
    return run


def get_import(session: Session, actor: Actor, import_id: int) -> ImportRun:
    """An import run, for the actor who may import that kind there (zone admins: only their own)."""
    run = repository.import_run(session, import_id)
    zones = permissions.zones_visible(actor, WRITE_ACTION[run.kind], run.competition_id)
    if zones is not None and run.actor != actor.label:
        raise NotFound("import.not_found", field="import")
    return run


def recent_imports(session: Session, actor: Actor, competition_id: int, limit: int = 20) -> list[ImportRun]:
    repository.competition(session, competition_id)
    query = select(ImportRun).where(ImportRun.competition_id == competition_id).order_by(ImportRun.id.desc())
    runs = [run for run in session.scalars(query.limit(200))
            if permissions.allows(actor, WRITE_ACTION[run.kind], competition_id)
            or run.actor == actor.label]
    return runs[:limit]


def last_change(session: Session, competition_id: int) -> int:
    """The newest event id of a competition: a check made at this mark still holds while it stays."""
    return session.scalar(select(func.max(EventRecord.id)).where(EventRecord.competition_id == competition_id)) or 0


def check_rows(session: Session, actor: Actor, competition_id: int, kind: str, rows: list[Row],
               progress: Progress = quiet) -> Checked:
    """Check every row of a read file; nothing is written until ``Checked.write`` is called."""
    zones = permissions.zones_visible(actor, WRITE_ACTION[kind], competition_id)
    progress(0.25, "check")
    shape = shapes.SHAPES[kind]
    if not rows:
        return Checked(0, [RowError(1, "", "import.empty")])
    index, errors = shapes.match_header(shape, rows[0][1])
    body = rows[1:]
    if errors:
        return Checked(len(body), errors)
    if not body:
        return Checked(0, [RowError(2, "", "import.no_rows")])
    plan = PLANS[kind](session, competition_id, zones, shape, index, rows[0][1])
    return plan.check(body, progress)


def check_file(session: Session, actor: Actor, competition_id: int, kind: str, fmt: str, content: bytes,
               progress: Progress = quiet) -> Checked:
    progress(0.02, "read")
    return check_rows(session, actor, competition_id, kind, read_rows(content, fmt), progress)


def execute(session: Session, actor: Actor, run: ImportRun, progress: Progress = quiet, *,
            checked: Checked | None = None) -> ImportRun:
    """Record the outcome on the run and, if every row is right, write them all through ``session``.

    ``checked`` may come from an earlier check in a read-only session (the job checks without
    holding the database's write lock); without it the file is checked here.
    """
    if checked is None:
        checked = check_file(session, actor, run.competition_id, run.kind, run.format, run.content, progress)
    run.rows = checked.rows
    run.finished_at = events.utcnow()
    if checked.errors or checked.write is None:
        errors = sorted(checked.errors, key=lambda e: (e.row, e.column))
        run.status = "failed"
        run.report = {"errors": [e.as_dict() for e in errors], "counts": {}}
        events.append(session, "import.rejected", {"import": run.id, "kind": run.kind, "errors": len(errors)},
                      actor=actor.label, competition_id=run.competition_id)
        return run
    progress(0.65, "write")
    counts = checked.write(session, progress)
    run.status = "done"
    run.report = {"errors": [], "counts": counts}
    events.append(session, "import.completed", {"import": run.id, "kind": run.kind, "rows": run.rows, **counts},
                  actor=actor.label, competition_id=run.competition_id)
    progress(1.0, "done")
    return run
