"""Judges and their sign-in: the roster, PINs, one-time invites, and trading an invite for a device.

Owns: ``create_judge`` (one judge on a competition's roster), ``set_pin`` / ``clear_pin``,
``issue_invite`` (a one-time sign-in link for one judge, shown as ``/j/<token>`` and as a QR
code), ``redeem_invite`` (invite + PIN → a device token bound to that judge, the invite spent),
and who may manage a judge (``check_manage``: ``judge.write`` in the judge's scope; at the
venue a chief judge with ``judge.read`` there may also re-issue invites and revoke devices).

Vocabulary: an *invite token* is signed by ``compete.security.Tokens`` under ``INVITE_KIND`` with
the claims ``{"i": invite id, "n": nonce}``; the row keeps only the nonce's fingerprint, so a
token works once (``used_at``), until it expires (``expires_at``), and not after a newer invite
for the same judge superseded it (``revoked_at``). The *PIN* (4-8 digits) is hashed with argon2
in ``Judge.pin_hash``; the organiser may set it, otherwise the judge's first sign-in sets it.
A wrong PIN changes nothing and leaves the invite usable.

Error codes: judge.not_found, judge.bad_role, judge.bad_institution, judge.pin_format,
judge.wrong_pin, invite.invalid, invite.used, invite.expired, invite.superseded (the wrong-PIN
rate limit is the web layer's, with ``compete.accounts.ratelimit``).

Must not: import flask or scoring; commit (callers own the unit of work).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from compete import events
from compete.accounts.domain.signin import INVITE_LIFETIME, check_pin, expired
from compete.accounts import permissions
from compete.accounts.models import JUDGE_ROLES, Device, Judge, JudgeInvite
from compete.accounts.services import aware, devices_of, issue_device, revoke_device
from compete.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from compete.registration.models import Institution
from compete.security import Actor, Tokens, fingerprint, hash_password, new_secret, verify_password

INVITE_KIND = "judge-invite"


@dataclasses.dataclass(frozen=True)
class NewJudge:
    name: str
    role: str = "scoring"
    institution_id: int | None = None
    province: str | None = None
    pin: str | None = None


def create_judge(session: Session, competition_id: int, data: NewJudge, *, actor: Actor) -> Judge:
    """Put one judge on the roster; the province defaults to their institution's."""
    zone_id = None
    if data.institution_id is not None:
        institution = session.get(Institution, data.institution_id)
        zone_id = institution.zone_id if institution is not None else None
    permissions.require(actor, "judge.write", competition_id, zone_id, not_found="competition.not_found")
    if data.role not in JUDGE_ROLES:
        raise ValidationFailed("judge.bad_role", field="role", allowed=", ".join(JUDGE_ROLES))
    province = (data.province or "").strip() or None
    if data.institution_id is not None:
        institution = session.get(Institution, data.institution_id)
        if institution is None or institution.competition_id != competition_id:
            raise ValidationFailed("judge.bad_institution", field="institution")
        province = province or institution.province
    judge = Judge(competition_id=competition_id, name=data.name.strip(), role=data.role,
                  institution_id=data.institution_id, province=province,
                  pin_hash=hash_password(check_pin(data.pin)) if data.pin else None)
    session.add(judge)
    session.flush()
    events.append(session, "judge.created",
                  {"judge": judge.id, "name": judge.name, "role": judge.role,
                   "institution": judge.institution_id, "province": judge.province, "pin": judge.pin_hash is not None},
                  actor=actor.label, competition_id=competition_id)
    return judge


def get_judge(session: Session, judge_id: int) -> Judge:
    judge = session.get(Judge, judge_id)
    if judge is None:
        raise NotFound("judge.not_found", field="judge")
    return judge


def list_judges(session: Session, actor: Actor, competition_id: int) -> list[Judge]:
    permissions.require(actor, "judge.read", competition_id, not_found="competition.not_found")
    return list(session.scalars(select(Judge).where(Judge.competition_id == competition_id).order_by(Judge.id)))


def zone_of(session: Session, judge: Judge) -> int | None:
    """The zone a judge belongs to for permissions: their institution's (None: competition-wide)."""
    if judge.institution_id is None:
        return None
    institution = session.get(Institution, judge.institution_id)
    return institution.zone_id if institution is not None else None


def check_manage(session: Session, actor: Actor, judge: Judge, *, venue: bool = False) -> None:
    """Raise unless ``actor`` may manage this judge; ``venue`` also admits chief judges in scope
    (re-issuing a sign-in code, revoking a lost tablet)."""
    zone = zone_of(session, judge)
    if permissions.allows(actor, "judge.write", judge.competition_id, zone):
        return
    if venue and actor.has_any("chief_judge") and permissions.allows(actor, "judge.read", judge.competition_id, zone):
        return
    if actor.has_any("admin", "zone_admin", "chief_judge"):
        raise NotFound("judge.not_found", field="judge")
    raise Forbidden("user.role_required")


def set_pin(session: Session, judge_id: int, pin: str, *, actor: Actor) -> Judge:
    judge = get_judge(session, judge_id)
    check_manage(session, actor, judge)
    judge.pin_hash = hash_password(check_pin(pin))
    events.append(session, "judge.pin_set", {"judge": judge.id}, actor=actor.label,
                  competition_id=judge.competition_id)
    return judge


def clear_pin(session: Session, judge_id: int, *, actor: Actor) -> Judge:
    """Forget the PIN (a judge who forgot it): their next sign-in sets a new one."""
    judge = get_judge(session, judge_id)
    check_manage(session, actor, judge, venue=True)
    judge.pin_hash = None
    events.append(session, "judge.pin_cleared", {"judge": judge.id}, actor=actor.label,
                  competition_id=judge.competition_id)
    return judge


def issue_invite(
    session: Session, tokens: Tokens, judge_id: int, *, actor: Actor, lifetime: timedelta = INVITE_LIFETIME,
    now: datetime | None = None,
) -> tuple[JudgeInvite, str]:
    """A new one-time invite for the judge (older unused ones are superseded). Returns it and its token."""
    judge = get_judge(session, judge_id)
    check_manage(session, actor, judge, venue=True)
    now = now or events.utcnow()
    session.execute(
        update(JudgeInvite)
        .where(JudgeInvite.judge_id == judge.id, JudgeInvite.used_at.is_(None), JudgeInvite.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    nonce = new_secret()
    invite = JudgeInvite(judge_id=judge.id, nonce_fingerprint=fingerprint(nonce), created_by=actor.label,
                         created_at=now, expires_at=now + lifetime)
    session.add(invite)
    session.flush()
    events.append(session, "invite.issued",
                  {"invite": invite.id, "judge": judge.id, "expires_at": invite.expires_at.isoformat()},
                  actor=actor.label, competition_id=judge.competition_id)
    return invite, tokens.sign(INVITE_KIND, {"i": invite.id, "n": nonce})


def invite_of(session: Session, tokens: Tokens, token: str) -> JudgeInvite:
    """The invite a token names, whatever its state; raises ``invite.invalid`` for a forged one."""
    claims = tokens.verify(INVITE_KIND, token)
    invite = None
    if claims and isinstance(claims.get("i"), int) and isinstance(claims.get("n"), str):
        invite = session.get(JudgeInvite, claims["i"])
        if invite is not None and invite.nonce_fingerprint != fingerprint(claims["n"]):
            invite = None
    if invite is None:
        raise Unauthenticated("invite.invalid", field="invite")
    return invite


def redeem_invite(
    session: Session, tokens: Tokens, token: str, pin: str, label: str, *, now: datetime | None = None,
) -> tuple[Device, str, Judge]:
    """Trade an unused invite and the judge's PIN for a device token (shown once).

    The first sign-in of a judge without a PIN sets it. A wrong PIN raises ``judge.wrong_pin``
    and spends nothing. Two redemptions racing for one invite: exactly one wins.
    """
    now = now or events.utcnow()
    invite = invite_of(session, tokens, token)
    if invite.used_at is not None:
        raise Unauthenticated("invite.used", field="invite")
    if invite.revoked_at is not None:
        raise Unauthenticated("invite.superseded", field="invite")
    expires_at = aware(invite.expires_at)
    assert expires_at is not None
    if expired(expires_at, now):
        raise Unauthenticated("invite.expired", field="invite")
    judge = get_judge(session, invite.judge_id)
    as_judge = Actor("judge", judge.id)
    if judge.pin_hash is None:
        judge.pin_hash = hash_password(check_pin(pin))
        events.append(session, "judge.pin_set", {"judge": judge.id, "first_sign_in": True},
                      actor=as_judge.label, competition_id=judge.competition_id)
    elif not verify_password(judge.pin_hash, pin):
        raise Unauthenticated("judge.wrong_pin", field="pin")
    spent = session.execute(
        update(JudgeInvite).where(JudgeInvite.id == invite.id, JudgeInvite.used_at.is_(None)).values(used_at=now)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Unauthenticated("invite.used", field="invite")
    device, secret = issue_device(session, judge.id, label, actor=as_judge)
    session.execute(update(JudgeInvite).where(JudgeInvite.id == invite.id).values(device_id=device.id))
    events.append(session, "invite.redeemed", {"invite": invite.id, "judge": judge.id, "device": device.id},
                  actor=as_judge.label, device_id=device.id, competition_id=judge.competition_id)
    return device, secret, judge


def judge_dict(judge: Judge, institution_name: str | None = None) -> dict[str, Any]:
    """A judge as organisers see them (never the PIN hash)."""
    return {"id": judge.id, "name": judge.name, "role": judge.role, "institution": judge.institution_id,
            "institution_name": institution_name, "province": judge.province,
            "pin_set": judge.pin_hash is not None, "user": judge.user_id}


def device_dict(device: Device) -> dict[str, Any]:
    seen = aware(device.last_seen_at)
    revoked = aware(device.revoked_at)
    created = aware(device.created_at)
    return {"id": device.id, "judge": device.judge_id, "label": device.label,
            "created_at": created.isoformat() if created else None,
            "last_seen_at": seen.isoformat() if seen else None, "pending_marks": device.pending_marks,
            "revoked_at": revoked.isoformat() if revoked else None}


def revoke(session: Session, device_id: int, *, actor: Actor) -> Device:
    """Revoke a judge's device (its token is refused at once), if ``actor`` may manage that judge."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("device.not_found", field="device")
    check_manage(session, actor, get_judge(session, device.judge_id), venue=True)
    return revoke_device(session, device.id, actor=actor)


def judge_devices(session: Session, actor: Actor, judge_id: int) -> tuple[Judge, list[Device]]:
    judge = get_judge(session, judge_id)
    check_manage(session, actor, judge, venue=True)
    return judge, devices_of(session, [judge.id], include_revoked=True)
