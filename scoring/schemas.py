"""Shapes of scoring requests and responses (marshmallow): shape only, never rules."""

from __future__ import annotations

from typing import Any

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate

from scoring.marking import SubmitMark


#: marks are stored with 4 decimal places; more would be silently rounded, so refuse them
PLACES = 4
TOO_MANY_PLACES = "At most 4 decimal places."


def at_most_four_places(value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PLACES:
        raise ValidationError(TOO_MANY_PLACES)


class MarkIn(Schema):
    submission_id = fields.UUID(required=True)
    sheet = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    aspect = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    value = fields.Decimal(required=True, allow_nan=False, validate=at_most_four_places)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SubmitMark:
        return SubmitMark(
            submission_id=str(data["submission_id"]), sheet_id=data["sheet"], aspect_id=data["aspect"],
            value=data["value"], reason=data["reason"],
        )
