"""Organiser accounts: create users, grant roles, check passwords, build the acting ``Actor``.

Vocabulary: a *grant* is one role of ``compete.security.ROLES``, optionally scoped to a
competition and/or a zone (a zone admin's grant names its zone; its competition is filled in
from the zone). ``actor_for(user)`` folds the grants into a ``UserActor``: ``roles`` are the
role names, ``zones`` the zone ids the zone-scoped grants name, ``grants`` the exact scopes
that ``accounts.permissions`` checks.

The ``manage_*`` functions are what the API calls: they check that the acting user may manage
accounts in the grant's scope (``user.manage``) and log every change.

Must not: import flask; commit (callers own the unit of work).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.permissions import ZONE_ADMIN, Grant
from compete.accounts.models import RoleGrant, User
from compete.accounts.permissions import UserActor
from compete.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from compete.registration.models import Competition, Zone
from compete.security import ROLES, Actor, hash_password, verify_password

MIN_PASSWORD = 10
#: verified against when the username is unknown, so that both failures take as long
_DUMMY_HASH = hash_password("not-a-real-password-0123456789")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("user.password_too_short", field="password", min=MIN_PASSWORD)


def create_user(
    session: Session, username: str, password: str, *, display_name: str = "", actor: Actor,
    locale: str | None = None,
) -> User:
    _check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("user.username_taken", field="username")
    user = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
                locale=locale)
    session.add(user)
    session.flush()
    events.append(session, "user.created", {"user": user.id, "username": username}, actor=actor.label)
    return user


def grant(
    session: Session, user: User, role: str, *, actor: Actor, competition_id: int | None = None,
    zone_id: int | None = None,
) -> RoleGrant:
    if role not in ROLES:
        raise ValidationFailed("user.unknown_role", field="role", role=role)
    if zone_id is not None:
        zone = session.get(Zone, zone_id)
        if zone is None or (competition_id is not None and zone.competition_id != competition_id):
            raise ValidationFailed("zone.not_found", field="zone")
        competition_id = zone.competition_id
    elif role == ZONE_ADMIN:
        raise ValidationFailed("user.zone_required", field="zone")
    if competition_id is not None and session.get(Competition, competition_id) is None:
        raise ValidationFailed("competition.not_found", field="competition")
    row = RoleGrant(user_id=user.id, role=role, competition_id=competition_id, zone_id=zone_id)
    session.add(row)
    session.flush()
    events.append(session, "user.granted",
                  {"user": user.id, "role": role, "competition": competition_id, "zone": zone_id},
                  actor=actor.label, competition_id=competition_id)
    return row


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this username and password; the same error for any mismatch."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise Unauthenticated("user.bad_credentials", field="password")
    if not verify_password(user.password_hash, password) or not user.active:
        raise Unauthenticated("user.bad_credentials", field="password")
    return user


def actor_for(session: Session, user_id: int) -> UserActor | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    rows = session.execute(
        select(RoleGrant, Zone.competition_id)
        .outerjoin(Zone, Zone.id == RoleGrant.zone_id)
        .where(RoleGrant.user_id == user.id)
    ).all()
    grants = tuple(Grant(g.role, g.competition_id if g.competition_id is not None else zone_competition, g.zone_id)
                   for g, zone_competition in rows)
    return UserActor(
        "user", user.id,
        roles=frozenset(g.role for g in grants),
        zones=frozenset(g.zone_id for g in grants if g.zone_id is not None),
        grants=grants,
    )


# -- account management through the API -------------------------------------------------------


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user.not_found", field="user")
    return user


def _require_manager(actor: Actor) -> None:
    if not permissions.has_role_for(actor, "user.manage"):
        raise Forbidden("user.role_required")


def list_users(session: Session, actor: Actor) -> list[tuple[User, list[RoleGrant]]]:
    """Accounts the actor manages: all for a global admin, else those holding a grant in reach."""
    _require_manager(actor)
    users = list(session.scalars(select(User).order_by(User.username)))
    grants: dict[int, list[RoleGrant]] = {}
    for row in session.scalars(select(RoleGrant).order_by(RoleGrant.id)):
        grants.setdefault(row.user_id, []).append(row)
    reach = permissions.competitions_visible(actor, "user.manage")
    if reach is not None:
        users = [u for u in users if any(g.competition_id in reach for g in grants.get(u.id, []))]
    return [(u, grants.get(u.id, [])) for u in users]


def manage_create(session: Session, actor: Actor, *, username: str, password: str, display_name: str = "",
                  locale: str | None = None, grants: list[dict[str, int | str | None]] | None = None) -> User:
    _require_manager(actor)
    user = create_user(session, username, password, display_name=display_name, actor=actor, locale=locale)
    for item in grants or []:
        manage_grant(session, actor, user.id, role=str(item["role"]),
                     competition_id=_int_or_none(item.get("competition")), zone_id=_int_or_none(item.get("zone")))
    return user


def _int_or_none(value: int | str | None) -> int | None:
    return None if value is None else int(value)


def manage_grant(session: Session, actor: Actor, user_id: int, *, role: str, competition_id: int | None,
                 zone_id: int | None) -> RoleGrant:
    user = get_user(session, user_id)
    if zone_id is not None:
        zone = session.get(Zone, zone_id)
        if zone is None:
            raise ValidationFailed("zone.not_found", field="zone")
        competition_id = zone.competition_id
    permissions.require(actor, "user.manage", competition_id, None, not_found="competition.not_found")
    return grant(session, user, role, actor=actor, competition_id=competition_id, zone_id=zone_id)


def manage_revoke(session: Session, actor: Actor, grant_id: int) -> None:
    row = session.get(RoleGrant, grant_id)
    if row is None:
        raise NotFound("grant.not_found", field="grant")
    permissions.require(actor, "user.manage", row.competition_id, None, not_found="grant.not_found")
    if row.user_id == actor.id and row.role == "admin" and row.competition_id is None:
        raise Conflict("user.cannot_revoke_own_admin", field="grant")
    session.delete(row)
    events.append(session, "user.revoked", {"user": row.user_id, "role": row.role, "grant": row.id,
                                            "competition": row.competition_id, "zone": row.zone_id},
                  actor=actor.label, competition_id=row.competition_id)


def manage_update(session: Session, actor: Actor, user_id: int, *, active: bool | None = None,
                  password: str | None = None, display_name: str | None = None) -> User:
    permissions.require(actor, "user.manage", None, not_found="user.not_found")  # global admins only
    user = get_user(session, user_id)
    changed: list[str] = []
    if active is not None and active != user.active:
        if user.id == actor.id and not active:
            raise Conflict("user.cannot_deactivate_self", field="active")
        user.active = active
        changed.append("active")
    if password is not None:
        _check_password(password)
        user.password_hash = hash_password(password)
        changed.append("password")
    if display_name is not None and display_name != user.display_name:
        user.display_name = display_name
        changed.append("display_name")
    if changed:
        events.append(session, "user.updated", {"user": user.id, "changed": changed}, actor=actor.label)
    return user


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> None:
    user = get_user(session, actor.id)
    if not verify_password(user.password_hash, current):
        raise ValidationFailed("user.wrong_password", field="current_password")
    _check_password(new)
    user.password_hash = hash_password(new)
    events.append(session, "user.password_changed", {"user": user.id}, actor=actor.label)
