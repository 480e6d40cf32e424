"""Team registration: enter, change and withdraw teams with their members and coaches.

Each call checks the actor's role and scope for the team's zone (a zone admin registers only
teams of institutions in their zone), runs the division's eligibility rules
(``registration.domain.eligibility``: team size, member roles, coaches, teams per institution,
zone quota) and logs ``team.registered`` / ``team.updated`` / ``team.withdrawn``.

Vocabulary: a team's zone is its institution's zone; its *code* (``Team.code``) is the most
blinded number drawn so far.

Must not: import flask; commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import ValidationFailed
from compete.registration import repository
from compete.registration.domain.eligibility import Candidate, DivisionRules, Standing, check_team
from compete.registration.models import Coach, Division, Stage, Team, TeamMember
from compete.registration.repository import TeamFilter
from compete.security import Actor


@dataclass(frozen=True)
class TeamIn:
    stage_id: int
    division_id: int
    institution_id: int
    name: str
    members: Sequence[tuple[str, str]]  # (name, role)
    coaches: Sequence[str]


def rules_of(division: Division) -> DivisionRules:
    return DivisionRules.from_mapping(division.rules or {}, division.group)


def _place(session: Session, data: TeamIn) -> tuple[Stage, Division, int, int | None]:
    """The stage, division, competition and zone of a new team; all must belong together."""
    stage = repository.stage(session, data.stage_id)
    division = repository.division(session, data.division_id)
    if stage.event_id != division.event_id:
        raise ValidationFailed("team.stage_not_of_event", field="stage")
    institution = repository.institution(session, data.institution_id)
    competition_id = repository.competition_of_event(session, division.event_id)
    if institution.competition_id != competition_id:
        raise ValidationFailed("institution.not_found", field="institution")
    return stage, division, competition_id, institution.zone_id


def _check(session: Session, division: Division, team: Team, members: Sequence[tuple[str, str]],
           coaches: Sequence[str]) -> None:
    by_institution, by_zone = repository.standing(session, team)
    check_team(rules_of(division), Candidate(team.name, members, coaches, team.zone_id),
               Standing(by_institution, by_zone))


def register_team(session: Session, actor: Actor, data: TeamIn) -> Team:
    stage, division, competition_id, zone_id = _place(session, data)
    permissions.require(actor, "team.write", competition_id, zone_id, not_found="institution.not_found")
    team = Team(division_id=division.id, stage_id=stage.id, institution_id=data.institution_id, zone_id=zone_id,
                name=data.name.strip(), status="registered")
    _check(session, division, team, data.members, data.coaches)
    team.members = [TeamMember(name=name.strip(), role=role, position=i)
                    for i, (name, role) in enumerate(data.members, start=1)]
    team.coaches = [Coach(name=name.strip()) for name in data.coaches]
    session.add(team)
    session.flush()
    events.append(session, "team.registered",
                  {"team": team.id, "division": division.id, "stage": stage.id, "zone": zone_id,
                   "institution": team.institution_id, "members": len(team.members)},
                  actor=actor.label, competition_id=competition_id)
    return team


def get_team(session: Session, actor: Actor, team_id: int, action: str = "team.read") -> tuple[Team, int]:
    """The team and its competition id, if the actor may ``action`` it."""
    team = repository.team(session, team_id)
    competition_id = repository.competition_of_event(session, repository.division(session, team.division_id).event_id)
    permissions.require(actor, action, competition_id, team.zone_id, not_found="team.not_found")
    return team, competition_id


def update_team(session: Session, actor: Actor, team_id: int, *, name: str | None = None,
                members: Sequence[tuple[str, str]] | None = None, coaches: Sequence[str] | None = None,
                status: str | None = None) -> Team:
    team, competition_id = get_team(session, actor, team_id, "team.write")
    division = repository.division(session, team.division_id)
    new_members = list(members) if members is not None else [(m.name, m.role) for m in team.members]
    new_coaches = list(coaches) if coaches is not None else [c.name for c in team.coaches]
    changed: list[str] = []
    if name is not None and name.strip() != team.name:
        team.name = name.strip()
        changed.append("name")
    if status is not None and status != team.status:
        team.status = status
        changed.append("status")
    if team.status != "withdrawn":
        _check(session, division, team, new_members, new_coaches)
    if members is not None and new_members != [(m.name, m.role) for m in team.members]:
        team.members = [TeamMember(name=n.strip(), role=r, position=i) for i, (n, r) in enumerate(new_members, 1)]
        changed.append("members")
    if coaches is not None and new_coaches != [c.name for c in team.coaches]:
        team.coaches = [Coach(name=n.strip()) for n in new_coaches]
        changed.append("coaches")
    if changed:
        session.flush()
        events.append(session, "team.withdrawn" if changed == ["status"] and status == "withdrawn"
                      else "team.updated", {"team": team.id, "changed": changed},
                      actor=actor.label, competition_id=competition_id)
    return team


def list_teams(session: Session, actor: Actor, competition_id: int, f: TeamFilter, *, offset: int = 0,
               limit: int | None = 50) -> tuple[list[Team], int]:
    repository.competition(session, competition_id)
    zones = permissions.zones_visible(actor, "team.read", competition_id)
    return repository.teams_of(session, competition_id, zones, f, offset=offset, limit=limit)

