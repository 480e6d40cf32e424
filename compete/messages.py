"""User-visible messages for error codes, translated at the edge.

Domain code raises ``DomainError(code, field, **params)``; ``message_for`` turns the code into
a sentence in the request's language. The kernel's codes are listed here; each context adds its
own with ``register`` from its web module. Marshmallow's own English messages are listed here too,
so the catalogues translate field errors. An unknown code falls back to a generic sentence
that still names the code, so a missing entry is visible but never breaks a response.

Must not: decide status codes (``compete.http`` does) or hold rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext, lazy_gettext as _l

MESSAGES: dict[str, Any] = {
    "request.not_json": _l("The request body must be a JSON object."),
    "request.invalid": _l("Some fields are not valid."),
    "request.not_found": _l("Nothing is here."),
    "request.method_not_allowed": _l("This method is not allowed here."),
    "request.internal": _l("Something went wrong on the server; nothing was changed."),
    "device.missing": _l("This device is not signed in. Sign in again with your QR code."),
    "device.unknown": _l("This device is not recognised. Sign in again with your QR code."),
    "device.revoked": _l("This device has been revoked by the organiser."),
    "device.not_found": _l("No such device."),
    "judge.not_found": _l("No such judge."),
    "sheet.not_found": _l("This scoresheet does not exist or is not yours."),
    "sheet.not_open": _l("This scoresheet is no longer open for marks."),
    "aspect.not_found": _l("This aspect is not on your panel."),
    "mark.recused": _l("You may not score a team of your own institution."),
    "mark.submission_reused": _l("This submission id was already used by another judge."),
    "mark.concurrent_change": _l("Another mark for this aspect arrived at the same moment; please retry."),
    "mark.not_a_number": _l("The mark must be a number."),
    "mark.out_of_range": _l("The mark must be between %(min)s and %(max)s."),
    "mark.not_a_judgement_step": _l("A judgement mark is a whole number from 0 to 3."),
    "mark.not_a_measurement_value": _l("This measurement is either met (full marks) or not met (0)."),
    "mark.not_a_step": _l("The mark must be a multiple of %(step)s."),
    "board.not_found": _l("No such board."),
    "board.audience_forbidden": _l("Only officials may see this board."),
    "user.bad_credentials": _l("Wrong username or password."),
    "user.signed_out": _l("Please sign in first."),
    "user.role_required": _l("Your role does not allow this."),
    "user.password_too_short": _l("The password must have at least %(min)s characters."),
    "user.username_taken": _l("This username is already taken."),
    "user.unknown_role": _l("Unknown role: %(role)s."),
    "room.token_invalid": _l("This live view has expired; reload the page."),
}

#: marshmallow's English messages, so that pybabel extracts them for translation
FIELD_MESSAGES = (
    _l("Missing data for required field."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid UUID."),
    _l("Not a valid string."),
    _l("Field may not be null."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("At most 4 decimal places."),
    _l("Special numeric values (nan or infinity) are not permitted."),
)


def register(messages: dict[str, Any]) -> None:
    """Add a context's codes (``{"import.bad_row": _l("…")}``); called when its web module loads."""
    clash = {code for code in messages if code in MESSAGES and MESSAGES[code] is not messages[code]}
    if clash:
        raise ValueError(f"message codes registered twice: {sorted(clash)}")
    MESSAGES.update(messages)


def _display(value: Any) -> Any:
    """Numbers as people write them: 10 not 10.0000, 0.5 not 5E-1 (also for numeric strings)."""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    return f"{value.normalize():f}" if isinstance(value, Decimal) and value.is_finite() else value


def message_for(code: str, **params: Any) -> str:
    params = {key: _display(value) for key, value in params.items()}
    template = MESSAGES.get(code)
    if template is None:
        return gettext("The request was refused (%(code)s).", code=code)
    text = str(template)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def field_message(text: str) -> str:
    """A marshmallow message in the request's language (unchanged if the catalogue lacks it)."""
    return gettext(text)
