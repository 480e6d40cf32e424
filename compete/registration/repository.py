"""Registration queries: loading things by id with their competition, listings, counts.

Owns: ``get`` helpers that raise ``NotFound`` with the thing's own code; the team listing with
search, filters and paging; the standing counts eligibility needs (teams per institution and per
zone in one division and stage, withdrawn teams not counted); registration progress per zone and
division. Scope filters arrive as a set of zone ids (None: every zone) decided by the caller.
``readers(rt)`` gives sessions for pure reads that never queue behind SQLite's write lock.

Must not: import flask; check permissions (services do); commit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from compete.accounts.models import Judge
from compete.db import make_engine, make_session_factory
from compete.errors import NotFound
from compete.registration.models import (
    Coach, Competition, Division, Draw, ImportRun, Institution, SkillEvent, Stage, Team, TeamMember, Zone,
)
from compete.runtime import Runtime

T = TypeVar("T")


@functools.cache
def _deferred(url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(url, immediate=False))


def readers(rt: Runtime) -> sessionmaker[Session]:
    """Sessions that only read. On SQLite they neither take nor wait for the write lock that the
    runtime's sessions take up front, so a long import does not stall pages and polls (and vice versa)."""
    return _deferred(rt.settings.sqlalchemy_url) if rt.engine.dialect.name == "sqlite" else rt.sessions
INACTIVE = ("withdrawn",)


def get(session: Session, model: type[T], ident: int, code: str) -> T:
    row = session.get(model, ident)
    if row is None:
        raise NotFound(code, field=code.split(".")[0])
    return row


def competition(session: Session, ident: int) -> Competition:
    return get(session, Competition, ident, "competition.not_found")


def zone(session: Session, ident: int) -> Zone:
    return get(session, Zone, ident, "zone.not_found")


def institution(session: Session, ident: int) -> Institution:
    return get(session, Institution, ident, "institution.not_found")


def event(session: Session, ident: int) -> SkillEvent:
    return get(session, SkillEvent, ident, "event.not_found")


def division(session: Session, ident: int) -> Division:
    return get(session, Division, ident, "division.not_found")


def stage(session: Session, ident: int) -> Stage:
    return get(session, Stage, ident, "stage.not_found")


def team(session: Session, ident: int) -> Team:
    return get(session, Team, ident, "team.not_found")


def import_run(session: Session, ident: int) -> ImportRun:
    return get(session, ImportRun, ident, "import.not_found")


def draw(session: Session, ident: int) -> Draw:
    return get(session, Draw, ident, "draw.not_found")


def competition_of_event(session: Session, event_id: int) -> int:
    return event(session, event_id).competition_id


def zones_of(session: Session, competition_id: int) -> list[Zone]:
    return list(session.scalars(select(Zone).where(Zone.competition_id == competition_id).order_by(Zone.id)))


def events_of(session: Session, competition_id: int) -> list[SkillEvent]:
    return list(session.scalars(
        select(SkillEvent).where(SkillEvent.competition_id == competition_id).order_by(SkillEvent.id)
        .options(selectinload(SkillEvent.divisions), selectinload(SkillEvent.stages))
    ))


def _zone_filter(query: Select[Any], column: Any, zones: frozenset[int] | None) -> Select[Any]:
    return query if zones is None else query.where(column.in_(zones))


def institutions_of(session: Session, competition_id: int, zones: frozenset[int] | None, *, q: str = "",
                    zone_id: int | None = None) -> list[Institution]:
    query = select(Institution).where(Institution.competition_id == competition_id)
    query = _zone_filter(query, Institution.zone_id, zones)
    if zone_id is not None:
        query = query.where(Institution.zone_id == zone_id)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Institution.name.ilike(like), Institution.province.ilike(like)))
    return list(session.scalars(query.order_by(Institution.id)))


@dataclass(frozen=True)
class TeamFilter:
    q: str = ""
    zone_id: int | None = None
    division_id: int | None = None
    stage_id: int | None = None
    institution_id: int | None = None
    status: str | None = None


def _team_query(competition_id: int, zones: frozenset[int] | None, f: TeamFilter) -> Select[Any]:
    query = (select(Team).join(Institution, Institution.id == Team.institution_id)
             .where(Institution.competition_id == competition_id))
    query = _zone_filter(query, Team.zone_id, zones)
    for column, value in ((Team.zone_id, f.zone_id), (Team.division_id, f.division_id),
                          (Team.stage_id, f.stage_id), (Team.institution_id, f.institution_id),
                          (Team.status, f.status)):
        if value is not None:
            query = query.where(column == value)
    if f.q:
        like = f"%{f.q}%"
        members = select(TeamMember.team_id).where(TeamMember.name.ilike(like))
        query = query.where(or_(Team.name.ilike(like), Institution.name.ilike(like), Team.entry_number.ilike(like),
                                Team.station_number.ilike(like), Team.review_number.ilike(like),
                                Team.id.in_(members)))
    return query


def teams_of(session: Session, competition_id: int, zones: frozenset[int] | None, f: TeamFilter, *,
             offset: int = 0, limit: int | None = 50) -> tuple[list[Team], int]:
    query = _team_query(competition_id, zones, f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (query.options(selectinload(Team.members), selectinload(Team.coaches), selectinload(Team.institution))
            .order_by(Team.id).offset(offset))
    if limit is not None:
        page = page.limit(limit)
    return list(session.scalars(page)), total


def standing(session: Session, team: Team) -> tuple[int, int]:
    """(teams of the same institution, teams of the same zone) in the team's division and stage,
    not counting ``team`` itself nor withdrawn teams."""
    base = (select(func.count(Team.id)).where(Team.division_id == team.division_id, Team.stage_id == team.stage_id,
                                               Team.status.not_in(INACTIVE)))
    if team.id is not None:
        base = base.where(Team.id != team.id)
    by_institution = session.scalar(base.where(Team.institution_id == team.institution_id)) or 0
    by_zone = session.scalar(base.where(Team.zone_id == team.zone_id)) or 0 if team.zone_id is not None else 0
    return by_institution, by_zone


def team_numbers(session: Session, stage_id: int, division_id: int,
                 zone_id: int | None) -> list[Team]:
    query = select(Team).where(Team.stage_id == stage_id, Team.division_id == division_id,
                               Team.status.not_in(INACTIVE))
    if zone_id is not None:
        query = query.where(Team.zone_id == zone_id)
    return list(session.scalars(query.order_by(Team.id)))


def judges_of(session: Session, competition_id: int, zones: frozenset[int] | None, *, q: str = "") -> list[
        tuple[Judge, Institution | None]]:
    query = (select(Judge, Institution).outerjoin(Institution, Institution.id == Judge.institution_id)
             .where(Judge.competition_id == competition_id))
    if zones is not None:
        query = query.where(Institution.zone_id.in_(zones))
    if q:
        like = f"%{q}%"
        query = query.where(or_(Judge.name.ilike(like), Institution.name.ilike(like), Judge.province.ilike(like)))
    return [(j, i) for j, i in session.execute(query.order_by(Judge.id))]


@dataclass(frozen=True)
class ProgressRow:
    zone_id: int | None
    division_id: int
    stage_id: int
    teams: int
    members: int
    institutions: int


def progress(session: Session, competition_id: int, zones: frozenset[int] | None) -> list[ProgressRow]:
    """Registered (not withdrawn) teams, members and institutions per zone × division × stage."""
    members = (select(TeamMember.team_id, func.count(TeamMember.id).label("n"))
               .group_by(TeamMember.team_id).subquery())
    query = (
        select(Team.zone_id, Team.division_id, Team.stage_id, func.count(Team.id),
               func.coalesce(func.sum(members.c.n), 0), func.count(func.distinct(Team.institution_id)))
        .join(Institution, Institution.id == Team.institution_id)
        .outerjoin(members, members.c.team_id == Team.id)
        .where(Institution.competition_id == competition_id, Team.status.not_in(INACTIVE))
        .group_by(Team.zone_id, Team.division_id, Team.stage_id)
    )
    query = _zone_filter(query, Team.zone_id, zones)
    return [ProgressRow(z, d, s, int(t), int(m), int(i)) for z, d, s, t, m, i in session.execute(query)]


def count_by_competition(session: Session, ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = list(ids)
    out: dict[int, dict[str, int]] = {i: {"zones": 0, "institutions": 0, "teams": 0} for i in ids}
    if not ids:
        return out
    for cid, n in session.execute(select(Zone.competition_id, func.count(Zone.id))
                                  .where(Zone.competition_id.in_(ids)).group_by(Zone.competition_id)):
        out[cid]["zones"] = n
    for cid, n in session.execute(select(Institution.competition_id, func.count(Institution.id))
                                  .where(Institution.competition_id.in_(ids)).group_by(Institution.competition_id)):
        out[cid]["institutions"] = n
    for cid, n in session.execute(select(Institution.competition_id, func.count(Team.id))
                                  .join(Team, Team.institution_id == Institution.id)
                                  .where(Institution.competition_id.in_(ids)).group_by(Institution.competition_id)):
        out[cid]["teams"] = n
    return out


def coaches_of(session: Session, team_ids: Iterable[int]) -> dict[int, list[Coach]]:
    out: dict[int, list[Coach]] = {}
    for coach in session.scalars(select(Coach).where(Coach.team_id.in_(list(team_ids))).order_by(Coach.id)):
        out.setdefault(coach.team_id, []).append(coach)
    return out
