"""Who may do what, where: the permission rules as pure data and functions.

Owns: the table of *actions* (an endpoint family and a verb: ``team.read``, ``team.write``, ...)
and the roles each allows; how a *grant* (one role, optionally scoped to a competition and/or a
zone) covers a *target* (the competition and, for zone-bound things, the zone acted upon);
``decide`` → ``ALLOW`` / ``NO_ROLE`` / ``OUT_OF_SCOPE``; ``check`` raises the matching error
(403 when the role is missing, 404 when the thing lies outside the actor's scope, so that a
zone admin cannot even learn that another zone's team exists); ``zone_scope`` tells a listing
which zones it may show.

Vocabulary: a grant with neither competition nor zone is global; with a competition only, it
covers that competition; with a zone, it covers things of that zone, and whole-competition
things only for the actions in ``ZONE_GRANTS_SEE_COMPETITION`` (a zone admin may read the
competition's set-up, not change it). The system actor holds a global ``admin`` grant.

Must not: import anything but the standard library and ``compete.errors``; read storage.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from compete.errors import Forbidden, NotFound

ADMIN = "admin"
ZONE_ADMIN = "zone_admin"
CHIEF_JUDGE = "chief_judge"
JUDGE = "judge"
SUPERVISOR = "supervisor"
ARBITRATOR = "arbitrator"

#: action → roles allowed to perform it (scope permitting)
RULES: dict[str, frozenset[str]] = {
    # organiser console pages
    "console.view": frozenset({ADMIN, ZONE_ADMIN}),
    # competitions, zones, events, divisions, stages
    "setup.read": frozenset({ADMIN, ZONE_ADMIN, CHIEF_JUDGE, SUPERVISOR, ARBITRATOR}),
    "setup.write": frozenset({ADMIN}),
    "institution.read": frozenset({ADMIN, ZONE_ADMIN, SUPERVISOR, ARBITRATOR}),
    "institution.write": frozenset({ADMIN, ZONE_ADMIN}),
    # names of teams, members and coaches: not for the blind judges
    "team.read": frozenset({ADMIN, ZONE_ADMIN, SUPERVISOR, ARBITRATOR}),
    "team.write": frozenset({ADMIN, ZONE_ADMIN}),
    "judge.read": frozenset({ADMIN, ZONE_ADMIN, CHIEF_JUDGE}),
    "judge.write": frozenset({ADMIN, ZONE_ADMIN}),
    # registration progress per zone and division
    "progress.read": frozenset({ADMIN, ZONE_ADMIN, SUPERVISOR}),
    # draws link codes to teams: reading them is decrypting
    "draw.run": frozenset({ADMIN}),
    "draw.read": frozenset({ADMIN, SUPERVISOR, ARBITRATOR}),
    # accounts and role grants
    "user.manage": frozenset({ADMIN}),
    # the event log as an audit trail
    "audit.read": frozenset({ADMIN, SUPERVISOR, ARBITRATOR}),
    # live boards: publication, decryption and the ceremony (a zone admin: boards of their zone)
    "board.publish": frozenset({ADMIN, ZONE_ADMIN}),
    # a supervisor's co-signature that a division's locked results may be decrypted
    "board.cosign": frozenset({SUPERVISOR}),
    # the result lifecycle (scoring.lifecycle): see it; a supervisor's re-check during review;
    # the two signatures of the final results (organisers' steps are ``board.publish``)
    "results.read": frozenset({ADMIN, ZONE_ADMIN, CHIEF_JUDGE, SUPERVISOR, ARBITRATOR}),
    "results.review": frozenset({SUPERVISOR}),
    "results.sign_chief": frozenset({CHIEF_JUDGE}),
    "results.sign_supervisor": frozenset({SUPERVISOR}),
    # appeals (scoring.appeals): see a board's appeals; an organiser records one on a team's
    # behalf during the public notice; arbitrators move them and correct marks
    "appeal.read": frozenset({ADMIN, ZONE_ADMIN, CHIEF_JUDGE, SUPERVISOR, ARBITRATOR}),
    "appeal.file": frozenset({ADMIN, ZONE_ADMIN}),
    "appeal.arbitrate": frozenset({ARBITRATOR}),
}

#: actions a zone-scoped grant may perform on whole-competition targets of its competition
ZONE_GRANTS_SEE_COMPETITION = frozenset({"setup.read", "console.view", "progress.read", "team.read",
                                         "institution.read", "judge.read"})


class Decision(enum.Enum):
    ALLOW = "allow"
    NO_ROLE = "no_role"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Grant:
    """One role, global or limited to a competition and/or a zone (of that competition)."""

    role: str
    competition_id: int | None = None
    zone_id: int | None = None


@dataclass(frozen=True)
class Target:
    """What is acted upon: a competition (None: across competitions) and maybe one zone."""

    competition_id: int | None = None
    zone_id: int | None = None


EVERYWHERE = Target()
SYSTEM_GRANTS = (Grant(ADMIN),)


def roles_for(action: str) -> frozenset[str]:
    try:
        return RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None


def covers(grant: Grant, action: str, target: Target) -> bool:
    """Whether ``grant`` (already known to hold a suitable role) reaches ``target``."""
    if grant.competition_id is not None and grant.competition_id != target.competition_id:
        return False
    if grant.zone_id is None:
        return True
    if target.zone_id is not None:
        return target.zone_id == grant.zone_id
    # a whole-competition target: only reads, and only of a known competition
    return action in ZONE_GRANTS_SEE_COMPETITION and target.competition_id is not None and (
        grant.competition_id is not None
    )


def decide(grants: Iterable[Grant], action: str, target: Target) -> Decision:
    allowed = roles_for(action)
    suitable = [g for g in grants if g.role in allowed]
    if not suitable:
        return Decision.NO_ROLE
    if any(covers(g, action, target) for g in suitable):
        return Decision.ALLOW
    return Decision.OUT_OF_SCOPE


def check(grants: Iterable[Grant], action: str, target: Target, *, not_found: str) -> None:
    """Raise ``Forbidden`` without a suitable role, ``NotFound(not_found)`` outside the scope."""
    decision = decide(grants, action, target)
    if decision is Decision.NO_ROLE:
        raise Forbidden("user.role_required")
    if decision is Decision.OUT_OF_SCOPE:
        raise NotFound(not_found)


def zone_scope(grants: Iterable[Grant], action: str, competition_id: int) -> frozenset[int] | None:
    """The zones a listing in ``competition_id`` may show: None for all of them.

    Raises ``Forbidden`` without a suitable role and ``NotFound("competition.not_found")`` when
    no suitable grant reaches the competition at all.
    """
    allowed = roles_for(action)
    suitable = [g for g in grants if g.role in allowed]
    if not suitable:
        raise Forbidden("user.role_required")
    zones: set[int] = set()
    reached = False
    for grant in suitable:
        if grant.competition_id is not None and grant.competition_id != competition_id:
            continue
        if grant.zone_id is None:
            return None
        reached = True
        zones.add(grant.zone_id)
    if not reached:
        raise NotFound("competition.not_found")
    return frozenset(zones)


def competitions_visible(grants: Iterable[Grant], action: str) -> frozenset[int] | None:
    """The competitions an actor may list under ``action``: None for all of them."""
    allowed = roles_for(action)
    ids: set[int] = set()
    for grant in grants:
        if grant.role not in allowed:
            continue
        if grant.competition_id is None:
            if grant.zone_id is None:
                return None
            continue  # a zone grant of unknown competition lists nothing
        ids.add(grant.competition_id)
    return frozenset(ids)
