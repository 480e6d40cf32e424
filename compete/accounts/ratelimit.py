"""Sign-in rate limiting in Redis: failed attempts counted per username + address and per address.

Owns: ``LoginLimiter`` with ``check`` (before the password is verified, so a blocked guesser
costs no argon2 work), ``failed`` and ``succeeded``; ``TooManyAttempts`` (answered 429 with a
``Retry-After`` header by ``accounts.web``). Counters live ``window`` seconds from the first
failure. If Redis cannot be reached, sign-in still works (logged): an outage of the limiter
must not lock every organiser out at the venue.

Vocabulary: *attempts* are failed sign-ins; the username is compared case-insensitively.

Must not: import flask or touch the database.
"""

from __future__ import annotations

import logging
import math

import redis

from compete.errors import Forbidden

log = logging.getLogger(__name__)


class TooManyAttempts(Forbidden):
    """Too many failed sign-ins; ``retry_after`` seconds until the next try is accepted."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("user.too_many_attempts", field="username", minutes=max(1, math.ceil(retry_after / 60)))
        self.retry_after = retry_after


class LoginLimiter:
    def __init__(self, client: redis.Redis, *, per_user: int = 5, per_address: int = 30, window: int = 900,
                 prefix: str = "compete:login") -> None:
        self.client = client
        self.per_user = per_user
        self.per_address = per_address
        self.window = window
        self.prefix = prefix

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return (f"{self.prefix}:u:{username.strip().lower()}:{address}", f"{self.prefix}:a:{address}")

    def check(self, username: str, address: str) -> None:
        user_key, address_key = self._keys(username, address)
        try:
            pipe = self.client.pipeline()
            pipe.get(user_key).ttl(user_key).get(address_key).ttl(address_key)
            user_count, user_ttl, address_count, address_ttl = pipe.execute()
        except redis.RedisError:
            log.warning("login limiter unavailable; allowing the attempt", exc_info=True)
            return
        if int(user_count or 0) >= self.per_user:
            raise TooManyAttempts(max(int(user_ttl), 1))
        if int(address_count or 0) >= self.per_address:
            raise TooManyAttempts(max(int(address_ttl), 1))

    def failed(self, username: str, address: str) -> None:
        try:
            pipe = self.client.pipeline()
            for key in self._keys(username, address):
                pipe.set(key, 0, ex=self.window, nx=True).incr(key)
            pipe.execute()
        except redis.RedisError:
            log.warning("login limiter unavailable; failure not counted", exc_info=True)

    def succeeded(self, username: str, address: str) -> None:
        try:
            self.client.delete(self._keys(username, address)[0])
        except redis.RedisError:
            log.warning("login limiter unavailable", exc_info=True)
