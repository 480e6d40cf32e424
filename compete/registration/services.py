"""Competition set-up: competitions, zones, institutions, events, divisions and stages.

Every function takes a ``Session`` and the acting ``Actor``, checks the actor's role and scope
(``accounts.permissions``: set-up changes need an admin of the competition; institutions may
also be changed by the admin of their zone), applies the pure rules (``registration.domain``)
and appends one event to the log in the same transaction (``zone.created``,
``division.updated``, ...). Out-of-scope things answer ``NotFound``, as if they did not exist.

Must not: import flask; commit (the caller's unit of work does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import Conflict, Forbidden, ValidationFailed
from compete.registration import repository
from compete.registration.domain.eligibility import DivisionRules, defaults_for
from compete.registration.domain.stages import check_stages
from compete.registration.models import (
    Competition, Division, Institution, SkillEvent, Stage, Team, Zone,
)
from compete.security import Actor


def _log(session: Session, actor: Actor, type: str, competition_id: int, **payload: Any) -> None:
    events.append(session, type, payload, actor=actor.label, competition_id=competition_id,
                  device_id=actor.device_id)


def _changed(row: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` to ``row``; return the ones that differed."""
    done = {}
    for key, value in changes.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            done[key] = value
    return done


# -- competitions -----------------------------------------------------------------------------


def list_competitions(session: Session, actor: Actor) -> list[Competition]:
    if not permissions.has_role_for(actor, "setup.read"):
        raise Forbidden("user.role_required")
    visible = permissions.competitions_visible(actor, "setup.read")
    query = select(Competition).order_by(Competition.year.desc(), Competition.id)
    if visible is not None:
        query = query.where(Competition.id.in_(visible))
    return list(session.scalars(query))


def get_competition(session: Session, actor: Actor, competition_id: int, action: str = "setup.read") -> Competition:
    competition = repository.competition(session, competition_id)
    permissions.require(actor, action, competition.id, not_found="competition.not_found")
    return competition


def create_competition(session: Session, actor: Actor, *, name: str, year: int, level: str,
                       default_locale: str = "zh_CN", zones: list[dict[str, str]] | None = None) -> Competition:
    permissions.require(actor, "setup.write", None)
    competition = Competition(name=name.strip(), year=year, level=level, default_locale=default_locale, rules={})
    session.add(competition)
    session.flush()
    _log(session, actor, "competition.created", competition.id, competition=competition.id, name=competition.name)
    for item in zones or []:
        create_zone(session, actor, competition.id, code=item["code"], name=item["name"])
    return competition


def update_competition(session: Session, actor: Actor, competition_id: int, **changes: Any) -> Competition:
    competition = get_competition(session, actor, competition_id, "setup.write")
    done = _changed(competition, changes)
    if done:
        _log(session, actor, "competition.updated", competition.id, competition=competition.id, changes=done)
    return competition


# -- zones ------------------------------------------------------------------------------------


def create_zone(session: Session, actor: Actor, competition_id: int, *, code: str, name: str) -> Zone:
    get_competition(session, actor, competition_id, "setup.write")
    code, name = code.strip(), name.strip()
    taken = session.scalar(select(func.count(Zone.id)).where(
        Zone.competition_id == competition_id, (Zone.name == name) | (Zone.code == code)))
    if taken:
        raise Conflict("zone.taken", field="code", value=code, name=name)
    zone = Zone(competition_id=competition_id, code=code, name=name)
    session.add(zone)
    session.flush()
    _log(session, actor, "zone.created", competition_id, zone=zone.id, code=code, name=name)
    return zone


def update_zone(session: Session, actor: Actor, zone_id: int, **changes: Any) -> Zone:
    zone = repository.zone(session, zone_id)
    get_competition(session, actor, zone.competition_id, "setup.write")
    clash = [Zone.name == changes["name"]] if "name" in changes else []
    clash += [Zone.code == changes["code"]] if "code" in changes else []
    for condition in clash:
        if session.scalar(select(Zone.id).where(Zone.competition_id == zone.competition_id, Zone.id != zone.id,
                                                condition)):
            raise Conflict("zone.taken", field="code", value=changes.get("code", zone.code),
                           name=changes.get("name", zone.name))
    done = _changed(zone, changes)
    if done:
        _log(session, actor, "zone.updated", zone.competition_id, zone=zone.id, changes=done)
    return zone


def delete_zone(session: Session, actor: Actor, zone_id: int) -> None:
    zone = repository.zone(session, zone_id)
    get_competition(session, actor, zone.competition_id, "setup.write")
    used = session.scalar(select(func.count(Institution.id)).where(Institution.zone_id == zone.id))
    used = (used or 0) + (session.scalar(select(func.count(Team.id)).where(Team.zone_id == zone.id)) or 0)
    if used:
        raise Conflict("zone.in_use", field="zone")
    session.delete(zone)
    _log(session, actor, "zone.deleted", zone.competition_id, zone=zone.id, code=zone.code)


# -- institutions -----------------------------------------------------------------------------


def _zone_of(session: Session, competition_id: int, zone_id: int | None) -> int | None:
    if zone_id is None:
        return None
    zone = session.get(Zone, zone_id)
    if zone is None or zone.competition_id != competition_id:
        raise ValidationFailed("zone.not_found", field="zone")
    return zone.id


def list_institutions(session: Session, actor: Actor, competition_id: int, *, q: str = "",
                      zone_id: int | None = None) -> list[Institution]:
    repository.competition(session, competition_id)
    zones = permissions.zones_visible(actor, "institution.read", competition_id)
    return repository.institutions_of(session, competition_id, zones, q=q, zone_id=zone_id)


def get_institution(session: Session, actor: Actor, institution_id: int, action: str = "institution.read"
                    ) -> Institution:
    row = repository.institution(session, institution_id)
    permissions.require(actor, action, row.competition_id, row.zone_id, not_found="institution.not_found")
    return row


def create_institution(session: Session, actor: Actor, competition_id: int, *, name: str, province: str,
                       zone_id: int | None) -> Institution:
    repository.competition(session, competition_id)
    zone_id = _zone_of(session, competition_id, zone_id)
    permissions.require(actor, "institution.write", competition_id, zone_id, not_found="competition.not_found")
    name = name.strip()
    if session.scalar(select(Institution.id).where(Institution.competition_id == competition_id,
                                                   Institution.name == name)):
        raise Conflict("institution.taken", field="name", name=name)
    row = Institution(competition_id=competition_id, name=name, province=province.strip(), zone_id=zone_id)
    session.add(row)
    session.flush()
    _log(session, actor, "institution.created", competition_id, institution=row.id, name=name, zone=zone_id)
    return row


def update_institution(session: Session, actor: Actor, institution_id: int, **changes: Any) -> Institution:
    row = get_institution(session, actor, institution_id, "institution.write")
    if "zone_id" in changes:
        changes["zone_id"] = _zone_of(session, row.competition_id, changes["zone_id"])
        permissions.require(actor, "institution.write", row.competition_id, changes["zone_id"],
                            not_found="zone.not_found")
    if "name" in changes and session.scalar(select(Institution.id).where(
            Institution.competition_id == row.competition_id, Institution.name == changes["name"],
            Institution.id != row.id)):
        raise Conflict("institution.taken", field="name", name=changes["name"])
    done = _changed(row, changes)
    if "zone_id" in done:  # the institution's teams follow it to its new zone
        for team in session.scalars(select(Team).where(Team.institution_id == row.id)):
            team.zone_id = row.zone_id
    if done:
        _log(session, actor, "institution.updated", row.competition_id, institution=row.id, changes=done)
    return row


# -- events, divisions, stages ----------------------------------------------------------------


def create_event(session: Session, actor: Actor, competition_id: int, *, code: str, name: str,
                 divisions: list[dict[str, Any]] | None = None, stages: list[dict[str, Any]] | None = None
                 ) -> SkillEvent:
    get_competition(session, actor, competition_id, "setup.write")
    code = code.strip()
    if session.scalar(select(SkillEvent.id).where(SkillEvent.competition_id == competition_id,
                                                  SkillEvent.code == code)):
        raise Conflict("event.code_taken", field="code", value=code)
    event = SkillEvent(competition_id=competition_id, code=code, name=name.strip(), rules={})
    session.add(event)
    session.flush()
    _log(session, actor, "event.created", competition_id, event=event.id, code=code, name=event.name)
    for item in divisions or []:
        create_division(session, actor, event.id, **item)
    for item in stages or []:
        create_stage(session, actor, event.id, **item)
    return event


def update_event(session: Session, actor: Actor, event_id: int, **changes: Any) -> SkillEvent:
    event = repository.event(session, event_id)
    get_competition(session, actor, event.competition_id, "setup.write")
    if "code" in changes and session.scalar(select(SkillEvent.id).where(
            SkillEvent.competition_id == event.competition_id, SkillEvent.code == changes["code"],
            SkillEvent.id != event.id)):
        raise Conflict("event.code_taken", field="code", value=changes["code"])
    done = _changed(event, changes)
    if done:
        _log(session, actor, "event.updated", event.competition_id, event=event.id, changes=done)
    return event


def division_rules(session: Session, competition_id: int, group: str, data: dict[str, Any] | None) -> DivisionRules:
    """The division's rules over its group's defaults; zone quotas must name this competition's zones."""
    rules = DivisionRules.from_mapping(data or {}, group) if data is not None else defaults_for(group)
    if rules.zone_quotas:
        known = {z.id for z in repository.zones_of(session, competition_id)}
        if not set(rules.zone_quotas) <= known:
            raise ValidationFailed("division.quota_zone_unknown", field="rules.zone_quotas")
    return rules


def create_division(session: Session, actor: Actor, event_id: int, *, group: str, name: str,
                    rules: dict[str, Any] | None = None) -> Division:
    event = repository.event(session, event_id)
    get_competition(session, actor, event.competition_id, "setup.write")
    if session.scalar(select(Division.id).where(Division.event_id == event.id, Division.group == group)):
        raise Conflict("division.group_taken", field="group", group=group)
    checked = division_rules(session, event.competition_id, group, rules)
    division = Division(event_id=event.id, group=group, name=name.strip(), rules=checked.as_mapping())
    session.add(division)
    session.flush()
    _log(session, actor, "division.created", event.competition_id, division=division.id, event=event.id,
         group=group, rules=division.rules)
    return division


def update_division(session: Session, actor: Actor, division_id: int, **changes: Any) -> Division:
    division = repository.division(session, division_id)
    event = repository.event(session, division.event_id)
    get_competition(session, actor, event.competition_id, "setup.write")
    if "rules" in changes:
        merged = {**(division.rules or {}), **(changes["rules"] or {})}
        changes["rules"] = division_rules(session, event.competition_id, division.group, merged).as_mapping()
    done = _changed(division, changes)
    if done:
        _log(session, actor, "division.updated", event.competition_id, division=division.id, changes=done)
    return division


def create_stage(session: Session, actor: Actor, event_id: int, *, code: str, name: str, kind: str,
                 position: int | None = None) -> Stage:
    event = repository.event(session, event_id)
    get_competition(session, actor, event.competition_id, "setup.write")
    existing = list(session.scalars(select(Stage).where(Stage.event_id == event.id)))
    if position is None:
        position = max((s.position for s in existing), default=0) + 1
    check_stages([(s.code, s.kind, s.position) for s in existing] + [(code.strip(), kind, position)])
    stage = Stage(event_id=event.id, code=code.strip(), name=name.strip(), kind=kind, position=position)
    session.add(stage)
    session.flush()
    _log(session, actor, "stage.created", event.competition_id, stage=stage.id, event=event.id, kind=kind)
    return stage


def update_stage(session: Session, actor: Actor, stage_id: int, **changes: Any) -> Stage:
    stage = repository.stage(session, stage_id)
    event = repository.event(session, stage.event_id)
    get_competition(session, actor, event.competition_id, "setup.write")
    others = [(s.code, s.kind, s.position) for s in session.scalars(
        select(Stage).where(Stage.event_id == event.id, Stage.id != stage.id))]
    check_stages(others + [(changes.get("code", stage.code), changes.get("kind", stage.kind),
                            changes.get("position", stage.position))])
    done = _changed(stage, changes)
    if done:
        _log(session, actor, "stage.updated", event.competition_id, stage=stage.id, changes=done)
    return stage


def structure(session: Session, actor: Actor, competition_id: int) -> tuple[Competition, list[Any], list[SkillEvent]]:
    """A competition with its zones and its events (divisions and stages loaded), for readers."""
    competition = get_competition(session, actor, competition_id)
    return competition, repository.zones_of(session, competition_id), repository.events_of(session, competition_id)
