"""Domain errors: the one exception hierarchy every layer raises and the web edge translates.

Vocabulary: a *code* is a stable dotted identifier (``mark.out_of_range``) that clients may
switch on; *field* names the input that is wrong, when there is one; *params* fill the
translated message (``min``, ``max``, ...). Messages themselves live in ``compete.messages``
so that this module stays free of Flask and Babel: pure domain code may import it.

Must not: import anything but the standard library, or know about HTTP status codes.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. Carries a code, the field at fault (if any) and message parameters."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, **{self.params!r})"


class ValidationFailed(DomainError):
    """The input is well-formed but breaks a rule (a value out of range, a bad scheme)."""


class NotFound(DomainError):
    """The thing asked for does not exist, or the actor may not know that it exists."""


class Conflict(DomainError):
    """The request contradicts what is stored (a duplicate, a competing change)."""


class Forbidden(DomainError):
    """The actor is known but may not do this (recused, revoked, wrong role or scope)."""


class InvalidState(DomainError):
    """The thing exists but its state does not allow this now (a locked sheet, a closed draw)."""


class Unauthenticated(DomainError):
    """No valid credential was presented."""
