"""Permission checks for services: an actor's grants applied to the pure rules.

Owns: ``UserActor`` (an ``Actor`` that carries its grants, built by ``users.actor_for``),
``grants_of(actor)`` for any actor (the system is a global admin; a device judge has no grant;
a plain user ``Actor`` built elsewhere is read from its ``roles`` and ``zones``), and the three
calls services make: ``require`` (one thing in one zone), ``zones_visible`` (what a listing
may show) and ``competitions_visible``.

Must not: import flask, read the request, or decide rules (``accounts.domain.permissions`` does).
"""

from __future__ import annotations

import dataclasses

from compete.accounts.domain import permissions as rules
from compete.accounts.domain.permissions import Grant, Target
from compete.security import Actor


@dataclasses.dataclass(frozen=True)
class UserActor(Actor):
    """A signed-in user with the exact scope of each of their role grants."""

    grants: tuple[Grant, ...] = ()


def grants_of(actor: Actor) -> tuple[Grant, ...]:
    if actor.kind == "system":
        return rules.SYSTEM_GRANTS
    if isinstance(actor, UserActor):
        return actor.grants
    if actor.kind != "user":
        return ()
    # a user Actor built without its grants: zone-scoped roles reach only their zones
    out = []
    for role in actor.roles:
        if role == rules.ZONE_ADMIN:
            out.extend(Grant(role, None, zone) for zone in actor.zones)
        else:
            out.append(Grant(role))
    return tuple(out)


def require(actor: Actor, action: str, competition_id: int | None, zone_id: int | None = None, *,
            not_found: str = "request.not_found") -> None:
    """Raise unless ``actor`` may do ``action`` to a thing of this competition (and zone)."""
    rules.check(grants_of(actor), action, Target(competition_id, zone_id), not_found=not_found)


def allows(actor: Actor, action: str, competition_id: int | None, zone_id: int | None = None) -> bool:
    return rules.decide(grants_of(actor), action, Target(competition_id, zone_id)) is rules.Decision.ALLOW


def has_role_for(actor: Actor, action: str) -> bool:
    """Whether any of the actor's roles could do ``action`` somewhere (for page guards and menus)."""
    allowed = rules.roles_for(action)
    return any(g.role in allowed for g in grants_of(actor))


def zones_visible(actor: Actor, action: str, competition_id: int) -> frozenset[int] | None:
    """The zone ids a listing may show (None: all); raises when the competition is out of reach."""
    return rules.zone_scope(grants_of(actor), action, competition_id)


def competitions_visible(actor: Actor, action: str) -> frozenset[int] | None:
    return rules.competitions_visible(grants_of(actor), action)
