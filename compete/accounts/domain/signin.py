"""Judges' sign-in rules: the PIN's form, an invite's lifetime, and whether a device is online.

Owns: ``check_pin`` (a PIN is 4 to 8 digits), ``INVITE_LIFETIME`` (how long a one-time sign-in
link stays valid unless the organiser chooses otherwise), ``expired``, and ``online`` (a device
is online while its last heartbeat is younger than ``ONLINE_WINDOW``).

Vocabulary: an *invite* is a one-time sign-in link (and its QR code) for one judge; a
*heartbeat* is the periodic call a tablet makes with the number of marks still waiting in its
queue.

Error codes: judge.pin_format (``ValidationFailed``, field ``pin``, params ``min``, ``max``).

Must not: hash, store or compare secrets (``compete.security`` and the services do).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from compete.errors import ValidationFailed

PIN_MIN = 4
PIN_MAX = 8
INVITE_LIFETIME = timedelta(days=14)
ONLINE_WINDOW = timedelta(seconds=45)


def check_pin(pin: str) -> str:
    """The PIN if it is 4 to 8 ASCII digits; raises otherwise."""
    if not (PIN_MIN <= len(pin) <= PIN_MAX) or not all("0" <= c <= "9" for c in pin):
        raise ValidationFailed("judge.pin_format", field="pin", min=PIN_MIN, max=PIN_MAX)
    return pin


def expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def online(last_seen_at: datetime | None, now: datetime, window: timedelta = ONLINE_WINDOW) -> bool:
    """True while the last heartbeat is younger than ``window`` (never seen: offline)."""
    return last_seen_at is not None and now - last_seen_at < window
