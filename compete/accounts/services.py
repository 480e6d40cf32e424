"""Accounts services: devices bound to judges, authenticating them, and their heartbeats.

A device token is a random secret shown once; only its SHA-256 fingerprint is stored, so a
lookup is one indexed query and revoking the device (``revoked_at``) refuses the token at once.
A *heartbeat* (``heartbeat``) records when a device was last seen and how many marks wait in
its offline queue; ``devices_of`` lists judges' devices for the consoles (online or not is
``compete.accounts.domain.signin.online``). Heartbeats are not written to the event log (they
are frequent and carry no decision).

Must not: import flask; commit (callers own the unit of work).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts.models import Device, Judge
from compete.errors import NotFound, Unauthenticated, ValidationFailed
from compete.security import Actor, fingerprint, new_secret


def issue_device(session: Session, judge_id: int, label: str, *, actor: Actor) -> tuple[Device, str]:
    """Bind a new device to a judge. Returns the device and its token (shown only now)."""
    judge = session.get(Judge, judge_id)
    if judge is None:
        raise NotFound("judge.not_found", field="judge")
    secret = new_secret()
    device = Device(judge_id=judge.id, label=label, secret_fingerprint=fingerprint(secret))
    session.add(device)
    session.flush()
    events.append(
        session, "device.issued", {"device": device.id, "judge": judge.id, "label": label},
        actor=actor.label, competition_id=judge.competition_id,
    )
    return device, secret


def revoke_device(session: Session, device_id: int, *, actor: Actor) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("device.not_found", field="device")
    if device.revoked_at is None:
        device.revoked_at = events.utcnow()
        events.append(session, "device.revoked", {"device": device.id}, actor=actor.label, device_id=device.id)
    return device


def authenticate_device(session: Session, token: str) -> Actor:
    """The judge acting through the device whose token this is; refuses unknown or revoked ones."""
    device = session.execute(select(Device.id, Device.judge_id, Device.revoked_at)
                             .where(Device.secret_fingerprint == fingerprint(token))).first()
    if device is None:
        raise Unauthenticated("device.unknown")
    if device.revoked_at is not None:
        raise Unauthenticated("device.revoked")
    return Actor("judge", device.judge_id, device_id=device.id)


#: a queue longer than this is reported as this (a client cannot make the console lie hugely)
PENDING_CAP = 100_000


def heartbeat(session: Session, actor: Actor, pending: int, *, now: datetime | None = None) -> Device:
    """Record that the actor's device is alive with ``pending`` marks waiting in its queue."""
    if actor.kind != "judge" or actor.device_id is None:
        raise Unauthenticated("device.missing", field="Authorization")
    if pending < 0:
        raise ValidationFailed("device.bad_pending", field="pending", min=0)
    device = session.get(Device, actor.device_id)
    if device is None or device.revoked_at is not None:
        raise Unauthenticated("device.revoked")
    device.last_seen_at = now or events.utcnow()
    device.pending_marks = min(pending, PENDING_CAP)
    return device


def devices_of(session: Session, judge_ids: Iterable[int], *, include_revoked: bool = False) -> list[Device]:
    """The devices bound to these judges, oldest first."""
    ids = list(judge_ids)
    if not ids:
        return []
    query = select(Device).where(Device.judge_id.in_(ids)).order_by(Device.id)
    if not include_revoked:
        query = query.where(Device.revoked_at.is_(None))
    return list(session.scalars(query))


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands them back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
