"""Division rules and team eligibility: who may enter a division, and how many.

Owns: ``DivisionRules`` (parsed from and written back to ``Division.rules``: team size min/max,
the member roles allowed (student, teacher), whether a mixed team needs both, the most coaches,
the most teams one institution may enter per division and stage, zone quotas of teams per zone)
with ``defaults_for(group)``; ``team_problems`` listing every rule a candidate team breaks, each
naming the input field at fault (``members.2.role``), and ``check_team`` raising the first.

Vocabulary: a *candidate* is a team as submitted (name, members with roles, coaches); the
*standing* is what is already registered beside it (teams of the same institution, and of the
same zone, in the same division and stage, not counting the candidate itself).

Must not: import anything but the standard library and ``compete.errors``; read storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import dataclasses
from dataclasses import dataclass
from typing import Any

from compete.errors import ValidationFailed

MEMBER_ROLES = ("student", "teacher")
GROUP_ROLES: dict[str, tuple[str, ...]] = {
    "secondary": ("student",), "higher": ("student",), "student": ("student",),
    "teacher": ("teacher",), "mixed": ("student", "teacher"),
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: an error code, the field at fault and the message's parameters."""

    code: str
    field: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def error(self) -> ValidationFailed:
        return ValidationFailed(self.code, field=self.field, **dict(self.params))


@dataclass(frozen=True)
class DivisionRules:
    team_size_min: int = 1
    team_size_max: int = 3
    member_roles: tuple[str, ...] = ("student",)
    #: a mixed teacher-student team must have at least one of each role
    require_each_role: bool = False
    coaches_max: int = 2
    #: None: no limit
    max_teams_per_institution: int | None = 1
    #: zone id → most teams from that zone (zones not listed: no limit)
    zone_quotas: Mapping[int, int] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], group: str = "higher") -> DivisionRules:
        """Rules from stored or submitted data, over the group's defaults; raises on nonsense."""
        base = defaults_for(group)
        try:
            rules = cls(
                team_size_min=_int(data.get("team_size_min", base.team_size_min), "rules.team_size_min", 1),
                team_size_max=_int(data.get("team_size_max", base.team_size_max), "rules.team_size_max", 1),
                member_roles=tuple(data.get("member_roles", base.member_roles)),
                require_each_role=bool(data.get("require_each_role", base.require_each_role)),
                coaches_max=_int(data.get("coaches_max", base.coaches_max), "rules.coaches_max", 0),
                max_teams_per_institution=_optional_int(data, "max_teams_per_institution",
                                                        base.max_teams_per_institution),
                zone_quotas={_int(k, "rules.zone_quotas", 1): _int(v, "rules.zone_quotas", 0)
                             for k, v in dict(data.get("zone_quotas") or {}).items()},
            )
        except (TypeError, AttributeError):
            raise ValidationFailed("division.rules_invalid", field="rules") from None
        rules.validate()
        return rules

    def validate(self) -> None:
        if self.team_size_min > self.team_size_max:
            raise ValidationFailed("division.size_range", field="rules.team_size_max",
                                   min=self.team_size_min, max=self.team_size_max)
        if not self.member_roles or any(r not in MEMBER_ROLES for r in self.member_roles):
            raise ValidationFailed("division.member_roles", field="rules.member_roles")
        if self.require_each_role and (len(set(self.member_roles)) < 2 or self.team_size_max < 2):
            raise ValidationFailed("division.each_role_impossible", field="rules.require_each_role")

    def as_mapping(self) -> dict[str, Any]:
        return {
            "team_size_min": self.team_size_min, "team_size_max": self.team_size_max,
            "member_roles": list(self.member_roles), "require_each_role": self.require_each_role,
            "coaches_max": self.coaches_max, "max_teams_per_institution": self.max_teams_per_institution,
            "zone_quotas": {str(k): v for k, v in sorted(self.zone_quotas.items())},
        }


def _int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValidationFailed("division.rules_invalid", field=name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("division.rules_invalid", field=name) from None
    if number < minimum or str(number) != str(value).strip():
        raise ValidationFailed("division.rules_invalid", field=name)
    return number


def _optional_int(data: Mapping[str, Any], key: str, default: int | None) -> int | None:
    if key not in data:
        return default
    return None if data[key] is None else _int(data[key], f"rules.{key}", 1)


def defaults_for(group: str) -> DivisionRules:
    roles = GROUP_ROLES.get(group, ("student",))
    return DivisionRules(member_roles=roles, require_each_role=len(roles) > 1,
                         team_size_min=2 if len(roles) > 1 else 1)


@dataclass(frozen=True)
class Candidate:
    name: str
    members: Sequence[tuple[str, str]]  # (name, role)
    coaches: Sequence[str]
    zone_id: int | None


@dataclass(frozen=True)
class Standing:
    """Teams already registered in the same division and stage, the candidate excluded."""

    institution_teams: int = 0
    zone_teams: int = 0


def team_problems(rules: DivisionRules, team: Candidate, standing: Standing) -> list[Problem]:
    out: list[Problem] = []
    if not team.name.strip():
        out.append(Problem("team.name_required", "name"))
    size = len(team.members)
    if size < rules.team_size_min:
        out.append(Problem("team.too_few_members", "members", {"min": rules.team_size_min}))
    if size > rules.team_size_max:
        out.append(Problem("team.too_many_members", "members", {"max": rules.team_size_max}))
    seen: set[str] = set()
    for i, (name, role) in enumerate(team.members):
        if not name.strip():
            out.append(Problem("team.member_name_required", f"members.{i}.name"))
        elif name.strip() in seen:
            out.append(Problem("team.duplicate_member", f"members.{i}.name", {"name": name.strip()}))
        seen.add(name.strip())
        if role not in rules.member_roles:
            out.append(Problem("team.member_role_not_allowed", f"members.{i}.role", {"role": role}))
    roles = {role for _, role in team.members}
    if rules.require_each_role and size and not set(rules.member_roles) <= roles:
        out.append(Problem("team.needs_each_role", "members"))
    if len(team.coaches) > rules.coaches_max:
        out.append(Problem("team.too_many_coaches", "coaches", {"max": rules.coaches_max}))
    for i, coach in enumerate(team.coaches):
        if not coach.strip():
            out.append(Problem("team.coach_name_required", f"coaches.{i}"))
    limit = rules.max_teams_per_institution
    if limit is not None and standing.institution_teams >= limit:
        out.append(Problem("team.institution_limit", "institution", {"max": limit}))
    quota = rules.zone_quotas.get(team.zone_id) if team.zone_id is not None else None
    if quota is not None and standing.zone_teams >= quota:
        out.append(Problem("team.zone_quota_full", "zone", {"quota": quota}))
    return out


def check_team(rules: DivisionRules, team: Candidate, standing: Standing) -> None:
    problems = team_problems(rules, team, standing)
    if problems:
        raise problems[0].error()
