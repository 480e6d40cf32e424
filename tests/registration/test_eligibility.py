"""Eligibility rules of domain.md, one row per case: size limits per division, member roles,
mixed teacher-student teams, coaches, teams per institution, zone quotas."""

from __future__ import annotations

import pytest

from compete.errors import ValidationFailed
from compete.registration.domain.eligibility import (
    Candidate, DivisionRules, Standing, check_team, defaults_for, team_problems,
)

STUDENTS = DivisionRules(team_size_min=2, team_size_max=3, member_roles=("student",), coaches_max=1,
                         max_teams_per_institution=1, zone_quotas={7: 2})
MIXED = DivisionRules.from_mapping({"team_size_min": 2, "team_size_max": 4}, "mixed")


def team(members=(("甲", "student"), ("乙", "student")), coaches=("师",), zone=7, name="一队"):  # type: ignore[no-untyped-def]
    return Candidate(name, list(members), list(coaches), zone)


@pytest.mark.parametrize(("rules", "candidate", "standing", "expected"), [
    (STUDENTS, team(), Standing(), []),
    (STUDENTS, team(members=[("甲", "student")]), Standing(), [("team.too_few_members", "members")]),
    (STUDENTS, team(members=[(n, "student") for n in "甲乙丙丁"]), Standing(), [("team.too_many_members", "members")]),
    (STUDENTS, team(members=[("甲", "student"), ("乙", "teacher")]), Standing(),
     [("team.member_role_not_allowed", "members.1.role")]),
    (STUDENTS, team(members=[("甲", "student"), ("", "student")]), Standing(),
     [("team.member_name_required", "members.1.name")]),
    (STUDENTS, team(members=[("甲", "student"), ("甲", "student")]), Standing(),
     [("team.duplicate_member", "members.1.name")]),
    (STUDENTS, team(coaches=("师", "傅")), Standing(), [("team.too_many_coaches", "coaches")]),
    (STUDENTS, team(name=" "), Standing(), [("team.name_required", "name")]),
    (STUDENTS, team(), Standing(institution_teams=1), [("team.institution_limit", "institution")]),
    (STUDENTS, team(), Standing(zone_teams=2), [("team.zone_quota_full", "zone")]),
    (STUDENTS, team(zone=8), Standing(zone_teams=50), []),  # no quota for that zone
    (MIXED, team(members=[("甲", "student"), ("乙", "teacher")]), Standing(), []),
    (MIXED, team(members=[("甲", "student"), ("乙", "student")]), Standing(), [("team.needs_each_role", "members")]),
    (DivisionRules(max_teams_per_institution=None), team(members=[("甲", "student")]), Standing(institution_teams=9),
     []),
])
def test_team_eligibility(rules, candidate, standing, expected):
    assert [(p.code, p.field) for p in team_problems(rules, candidate, standing)] == expected


def test_check_team_raises_the_first_problem_with_its_parameters():
    with pytest.raises(ValidationFailed) as caught:
        check_team(STUDENTS, team(members=[("甲", "student")]), Standing())
    assert caught.value.code == "team.too_few_members" and caught.value.params == {"min": 2}


@pytest.mark.parametrize(("group", "roles", "each"), [
    ("higher", ("student",), False), ("secondary", ("student",), False), ("teacher", ("teacher",), False),
    ("mixed", ("student", "teacher"), True),
])
def test_defaults_per_group(group, roles, each):
    rules = defaults_for(group)
    assert rules.member_roles == roles and rules.require_each_role is each


@pytest.mark.parametrize(("data", "field"), [
    ({"team_size_min": 3, "team_size_max": 2}, "rules.team_size_max"),
    ({"team_size_min": 0}, "rules.team_size_min"),
    ({"team_size_min": "two"}, "rules.team_size_min"),
    ({"member_roles": ["coach"]}, "rules.member_roles"),
    ({"member_roles": ["student"], "require_each_role": True}, "rules.require_each_role"),
    ({"max_teams_per_institution": 0}, "rules.max_teams_per_institution"),
    ({"zone_quotas": {"x": 3}}, "rules.zone_quotas"),
])
def test_impossible_rules_are_refused(data, field):
    with pytest.raises(ValidationFailed) as caught:
        DivisionRules.from_mapping(data, "higher")
    assert caught.value.field == field


def test_rules_round_trip_through_their_mapping():
    rules = DivisionRules.from_mapping({"team_size_min": 3, "team_size_max": 4, "zone_quotas": {"12": 5},
                                        "max_teams_per_institution": None}, "higher")
    assert DivisionRules.from_mapping(rules.as_mapping(), "higher") == rules
    assert rules.max_teams_per_institution is None and rules.zone_quotas == {12: 5}
