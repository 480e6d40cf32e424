"""Exports in the import shapes: what ``export`` writes, ``imports`` reads back to the same data.

Owns: ``export(session, actor, competition_id, kind, fmt, locale)`` → (filename, bytes): the
institutions, teams (one row per member, then one per coach, team after team) or judges the actor
may see, headers and role values spelled in ``locale`` (the importer accepts either language).

Must not: import flask; change anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete.accounts import permissions
from compete.registration import repository
from compete.registration.domain import rows as shapes
from compete.registration.models import IMPORT_KINDS, Division, SkillEvent, Stage
from compete.registration.repository import TeamFilter
from compete.registration.spreadsheets import FORMATS, write_rows
from compete.errors import ValidationFailed
from compete.security import Actor

READ_ACTION = {"institutions": "institution.read", "teams": "team.read", "judges": "judge.read"}


def export(session: Session, actor: Actor, competition_id: int, kind: str, fmt: str, locale: str
           ) -> tuple[str, bytes]:
    competition = repository.competition(session, competition_id)
    if kind not in IMPORT_KINDS:
        raise ValidationFailed("import.unknown_kind", field="kind", kinds=", ".join(IMPORT_KINDS))
    if fmt not in FORMATS:
        raise ValidationFailed("import.unknown_format", field="format", formats=", ".join(FORMATS))
    zones = permissions.zones_visible(actor, READ_ACTION[kind], competition_id)
    shape = shapes.SHAPES[kind]
    header = [c.label(locale) for c in shape.columns]
    rows = {"institutions": _institutions, "teams": _teams, "judges": _judges}[kind](
        session, competition_id, zones, locale)
    return f"{competition.year}-{competition.id}-{kind}.{fmt}", write_rows(fmt, header, rows, title=kind)


def _institutions(session: Session, competition_id: int, zones: frozenset[int] | None,
                  locale: str) -> Iterator[list[Any]]:
    names = {z.id: z.name for z in repository.zones_of(session, competition_id)}
    for row in repository.institutions_of(session, competition_id, zones):
        yield [row.name, row.province, names.get(row.zone_id, "") if row.zone_id else ""]


def _teams(session: Session, competition_id: int, zones: frozenset[int] | None, locale: str) -> Iterator[list[Any]]:
    events = {e.id: e for e in session.scalars(select(SkillEvent).where(SkillEvent.competition_id == competition_id))}
    divisions = {d.id: d for d in session.scalars(select(Division).where(Division.event_id.in_(events)))}
    stages = {s.id: s for s in session.scalars(select(Stage).where(Stage.event_id.in_(events)))}
    teams, _total = repository.teams_of(session, competition_id, zones, TeamFilter(), limit=None)
    for team in teams:
        if team.status == "withdrawn":
            continue
        division = divisions[team.division_id]
        prefix = [events[division.event_id].code, division.name, stages[team.stage_id].code, team.institution.name,
                  team.name]
        for member in team.members:
            yield [*prefix, member.name, shapes.spell(member.role, shapes.PERSON_ROLES, locale)]
        for coach in team.coaches:
            yield [*prefix, coach.name, shapes.spell("coach", shapes.PERSON_ROLES, locale)]


def _judges(session: Session, competition_id: int, zones: frozenset[int] | None, locale: str) -> Iterator[list[Any]]:
    for judge, institution in repository.judges_of(session, competition_id, zones):
        role = shapes.spell(judge.role, shapes.JUDGE_ROLES, locale) if judge.role in shapes.JUDGE_ROLES else judge.role
        yield [judge.name, role, institution.name if institution else "", judge.province or ""]



