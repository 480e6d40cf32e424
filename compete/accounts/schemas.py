"""Shapes of the accounts API (marshmallow): sign-in, session, users and role grants. Shape only."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from compete.security import ROLES


class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class GrantIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    competition = fields.Integer(load_default=None, allow_none=True, strict=True)
    zone = fields.Integer(load_default=None, allow_none=True, strict=True)


class GrantOut(Schema):
    id = fields.Integer()
    role = fields.String()
    competition = fields.Integer(attribute="competition_id", allow_none=True)
    zone = fields.Integer(attribute="zone_id", allow_none=True)


class SessionOut(Schema):
    user = fields.Integer(allow_none=True)
    username = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    zones = fields.List(fields.Integer())
    csrf_token = fields.String()


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$"))
    password = fields.String(required=True, validate=validate.Length(max=200))
    display_name = fields.String(load_default="", validate=validate.Length(max=100))
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("zh_CN", "en")))
    grants = fields.List(fields.Nested(GrantIn), load_default=list)


class UserPatch(Schema):
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(max=200))
    display_name = fields.String(validate=validate.Length(min=1, max=100))


class PasswordChange(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=200))
    new_password = fields.String(required=True, validate=validate.Length(max=200))


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    locale = fields.String(allow_none=True)
    grants = fields.List(fields.Nested(GrantOut))
