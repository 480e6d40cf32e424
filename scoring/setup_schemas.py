"""Shapes of the set-up requests (marshmallow): a scheme tree, event rules, advancement.

Shape only: codes and names are strings of sane length, numbers are decimals (never floats),
kinds are known words, lists are lists. Whether the weights add up or a rule is allowed is for
the services and the domain (``scoring.schemes``, ``scoring.event_rules``, ``scoring.domain``).

Must not: query the database or hold rules.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from scoring.schemas import at_most_four_places
from scoring.schemes import KINDS, AspectDraft, CriterionDraft, GroupDraft, SchemeDraft

CODE = validate.Regexp(r"^[A-Za-z0-9_.\-]{1,32}$")
NAME = validate.Length(min=1, max=200)


def _decimal(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=at_most_four_places, **kwargs)


class BandIn(Schema):
    within = _decimal(required=True)
    mark = _decimal(required=True)


class AspectIn(Schema):
    id = fields.Integer(load_default=None, allow_none=True)  # ignored: aspects are matched by code
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    max = _decimal(required=True)
    step = _decimal(load_default=None, allow_none=True)
    tolerance = fields.List(fields.Nested(BandIn), load_default=list)
    marked = fields.Boolean(load_default=False)  # read-only in responses; ignored here

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> AspectDraft:
        return AspectDraft(data["code"], data["name"], data["kind"], data["max"], data["step"],
                           tuple((b["within"], b["mark"]) for b in data["tolerance"]))


class SubCriterionIn(Schema):
    id = fields.Integer(load_default=None, allow_none=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    aspects = fields.List(fields.Nested(AspectIn), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> GroupDraft:
        return GroupDraft(data["code"], data["name"], tuple(data["aspects"]))


class CriterionIn(Schema):
    id = fields.Integer(load_default=None, allow_none=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    weight = _decimal(required=True)
    scale_to = _decimal(load_default=None, allow_none=True)
    aspects = fields.List(fields.Nested(AspectIn), load_default=list)
    sub_criteria = fields.List(fields.Nested(SubCriterionIn), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CriterionDraft:
        return CriterionDraft(data["code"], data["name"], data["weight"], data["scale_to"],
                              tuple(data["aspects"]), tuple(data["sub_criteria"]))


class SchemeIn(Schema):
    name = fields.String(required=True, validate=NAME)
    criteria = fields.List(fields.Nested(CriterionIn), required=True)
    # echoed by GET; ignored on PUT
    event = fields.Integer(load_default=None)
    event_name = fields.String(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SchemeDraft:
        return SchemeDraft(data["name"], tuple(data["criteria"]))


class EnrolIn(Schema):
    """Advancement from a zone stage: which division, into which stage, and who is ineligible."""

    division = fields.Integer(required=True, strict=True)
    target_stage = fields.Integer(load_default=None, allow_none=True, strict=True)
    #: team id → reason code (e.g. ``previous_national_first``)
    ineligible = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^\d+$")),
                             values=fields.String(validate=validate.Regexp(r"^[a-z_]{1,40}$")),
                             load_default=dict)
