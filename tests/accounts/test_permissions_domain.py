"""The permission rules, table-driven: each role against each action, in and out of scope."""

from __future__ import annotations

import pytest

from compete.accounts.domain.permissions import (
    RULES, Decision, Grant, Target, check, competitions_visible, decide, zone_scope,
)
from compete.errors import Forbidden, NotFound

C1, C2, Z1, Z2, Z3 = 1, 2, 11, 12, 21  # zones 11 and 12 are in competition 1, zone 21 in competition 2
GLOBAL_ADMIN = (Grant("admin"),)
C1_ADMIN = (Grant("admin", C1),)
Z1_ADMIN = (Grant("zone_admin", C1, Z1),)
JUDGE = (Grant("judge", C1),)
SUPERVISOR = (Grant("supervisor", C1),)
CHIEF = (Grant("chief_judge"),)


@pytest.mark.parametrize(("grants", "action", "target", "expected"), [
    (GLOBAL_ADMIN, "setup.write", Target(), Decision.ALLOW),
    (GLOBAL_ADMIN, "team.write", Target(C2, Z3), Decision.ALLOW),
    (C1_ADMIN, "setup.write", Target(C1), Decision.ALLOW),
    (C1_ADMIN, "setup.write", Target(C2), Decision.OUT_OF_SCOPE),
    (C1_ADMIN, "setup.write", Target(), Decision.OUT_OF_SCOPE),  # a new competition: global admins only
    (Z1_ADMIN, "team.write", Target(C1, Z1), Decision.ALLOW),
    (Z1_ADMIN, "team.write", Target(C1, Z2), Decision.OUT_OF_SCOPE),
    (Z1_ADMIN, "team.read", Target(C1, Z2), Decision.OUT_OF_SCOPE),
    (Z1_ADMIN, "judge.write", Target(C1, Z2), Decision.OUT_OF_SCOPE),
    (Z1_ADMIN, "team.read", Target(C1), Decision.ALLOW),  # a listing, filtered to its zone
    (Z1_ADMIN, "team.write", Target(C1), Decision.OUT_OF_SCOPE),  # no change to the whole competition
    (Z1_ADMIN, "setup.read", Target(C1), Decision.ALLOW),
    (Z1_ADMIN, "setup.read", Target(C2), Decision.OUT_OF_SCOPE),
    (Z1_ADMIN, "setup.write", Target(C1), Decision.NO_ROLE),
    (Z1_ADMIN, "draw.run", Target(C1, Z1), Decision.NO_ROLE),
    (Z1_ADMIN, "user.manage", Target(C1), Decision.NO_ROLE),
    (JUDGE, "console.view", Target(C1), Decision.NO_ROLE),
    (JUDGE, "team.read", Target(C1, Z1), Decision.NO_ROLE),
    (JUDGE, "setup.read", Target(C1), Decision.NO_ROLE),
    (SUPERVISOR, "team.read", Target(C1, Z2), Decision.ALLOW),
    (SUPERVISOR, "team.write", Target(C1, Z2), Decision.NO_ROLE),
    (SUPERVISOR, "draw.read", Target(C1), Decision.ALLOW),
    (CHIEF, "judge.read", Target(C2, Z3), Decision.ALLOW),
    (CHIEF, "team.read", Target(C1, Z1), Decision.NO_ROLE),  # judges stay blind to names
    ((), "setup.read", Target(C1), Decision.NO_ROLE),
])
def test_decisions(grants, action, target, expected):
    assert decide(grants, action, target) is expected


def test_check_answers_403_without_the_role_and_404_outside_the_scope():
    with pytest.raises(Forbidden):
        check(JUDGE, "team.read", Target(C1, Z1), not_found="team.not_found")
    with pytest.raises(NotFound) as caught:
        check(Z1_ADMIN, "team.read", Target(C1, Z2), not_found="team.not_found")
    assert caught.value.code == "team.not_found"


@pytest.mark.parametrize(("grants", "competition", "expected"), [
    (GLOBAL_ADMIN, C1, None),
    (C1_ADMIN, C1, None),
    (Z1_ADMIN, C1, frozenset({Z1})),
    (Z1_ADMIN + (Grant("zone_admin", C1, Z2),), C1, frozenset({Z1, Z2})),
    (Z1_ADMIN + SUPERVISOR, C1, None),  # a competition-wide grant shows everything
])
def test_zone_scope_of_listings(grants, competition, expected):
    assert zone_scope(grants, "team.read", competition) == expected


def test_zone_scope_refuses_other_competitions_and_missing_roles():
    with pytest.raises(NotFound):
        zone_scope(Z1_ADMIN, "team.read", C2)
    with pytest.raises(Forbidden):
        zone_scope(JUDGE, "team.read", C1)


def test_competitions_visible():
    assert competitions_visible(GLOBAL_ADMIN, "setup.read") is None
    assert competitions_visible(Z1_ADMIN + SUPERVISOR, "setup.read") == frozenset({C1})
    assert competitions_visible(JUDGE, "setup.read") == frozenset()


def test_every_action_names_only_known_roles():
    from compete.security import ROLES

    assert all(roles <= set(ROLES) for roles in RULES.values())
