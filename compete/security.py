"""Security kernel: password hashing, signed tokens and roles.

Vocabulary: a *device token* binds one tablet to one judge (``{"d": device_id}``) and is
checked against the devices table, so revoking the device revokes the token; a *room token*
lets a socket join one board room for one audience (``{"b": board_id, "a": audience}``);
passwords and PINs are hashed with argon2. Roles are plain strings listed in ``ROLES``.

Must not: import registration, accounts, scoring or realtime; touch the database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

ROLES = ("admin", "zone_admin", "chief_judge", "judge", "supervisor", "arbitrator")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except VerificationError:
        return False


def new_secret() -> str:
    """A random value to hand out once (device secret, one-time link)."""
    return secrets.token_urlsafe(24)


def fingerprint(secret: str) -> str:
    """A stable hash of a high-entropy secret, safe to store and look up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Tokens:
    """Signs and verifies small payloads, each kind under its own salt."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret_key, salt=salt)

    def sign(self, kind: str, payload: dict[str, Any]) -> str:
        return self._serializer(kind).dumps(payload)

    def verify(self, kind: str, token: str, max_age: int | None = None) -> dict[str, Any] | None:
        """The payload, or None if the token is forged, of another kind, or too old."""
        try:
            value = self._serializer(kind).loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None
        return value if isinstance(value, dict) else None


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is acting: a judge on a device, an organiser user, or the system itself."""

    kind: str  # "judge" | "user" | "system"
    id: int
    device_id: int | None = None
    roles: frozenset[str] = frozenset()
    #: zone ids a zone-scoped role is limited to (empty: not zone-scoped)
    zones: frozenset[int] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


SYSTEM = Actor("system", 0)
