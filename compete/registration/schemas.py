"""Shapes of the registration API (marshmallow): shape only, never rules (those are in domain/).

Inputs load to plain dicts (keys as the services name them: ``zone`` → ``zone_id`` where the
service takes an id); outputs dump model rows. ``*Patch`` schemas are the same fields, all optional.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from compete.registration.models import (
    DRAW_KINDS, GROUPS, IMPORT_KINDS, LEVELS, MEMBER_ROLES, STAGE_KINDS, TEAM_STATUSES,
)
from compete.settings import LOCALES

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,16}$")
EVENT_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$")  # events' and stages' codes
NAME = validate.Length(min=1, max=200)
SHORT = validate.Length(min=1, max=100)
PROVINCE = validate.Length(min=1, max=50)
YEAR = validate.Range(min=2000, max=2100)


def _rename(data: dict[str, Any], **names: str) -> dict[str, Any]:
    for old, new in names.items():
        if old in data:
            data[new] = data.pop(old)
    return data


class ZoneIn(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=SHORT)


class ZonePatch(Schema):
    code = fields.String(validate=CODE)
    name = fields.String(validate=SHORT)


class ZoneOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    competition = fields.Integer(attribute="competition_id")


class CompetitionIn(Schema):
    name = fields.String(required=True, validate=NAME)
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    level = fields.String(load_default="province", validate=validate.OneOf(LEVELS))
    default_locale = fields.String(load_default="zh_CN", validate=validate.OneOf(LOCALES))
    zones = fields.List(fields.Nested(ZoneIn), load_default=list)


class CompetitionPatch(Schema):
    name = fields.String(validate=NAME)
    year = fields.Integer(strict=True, validate=YEAR)
    level = fields.String(validate=validate.OneOf(LEVELS))
    default_locale = fields.String(validate=validate.OneOf(LOCALES))


class CompetitionOut(Schema):
    id = fields.Integer()
    name = fields.String()
    year = fields.Integer()
    level = fields.String()
    default_locale = fields.String()


class InstitutionIn(Schema):
    name = fields.String(required=True, validate=NAME)
    province = fields.String(required=True, validate=PROVINCE)
    zone = fields.Integer(load_default=None, allow_none=True, strict=True)

    @post_load
    def ids(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return _rename(data, zone="zone_id")


class InstitutionPatch(InstitutionIn):
    name = fields.String(validate=NAME)
    province = fields.String(validate=PROVINCE)
    zone = fields.Integer(allow_none=True, strict=True)


class InstitutionOut(Schema):
    id = fields.Integer()
    name = fields.String()
    province = fields.String()
    zone = fields.Integer(attribute="zone_id", allow_none=True)


class DivisionRulesIn(Schema):
    team_size_min = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    team_size_max = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    member_roles = fields.List(fields.String(validate=validate.OneOf(MEMBER_ROLES)), validate=validate.Length(min=1))
    require_each_role = fields.Boolean()
    coaches_max = fields.Integer(strict=True, validate=validate.Range(min=0, max=20))
    max_teams_per_institution = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    zone_quotas = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^\d+$")),
                              values=fields.Integer(strict=True, validate=validate.Range(min=0)))


class DivisionIn(Schema):
    group = fields.String(required=True, validate=validate.OneOf(GROUPS))
    name = fields.String(required=True, validate=SHORT)
    rules = fields.Nested(DivisionRulesIn, load_default=None, allow_none=True)


class DivisionPatch(Schema):
    name = fields.String(validate=SHORT)
    rules = fields.Nested(DivisionRulesIn)


class EventPartOut(Schema):
    """What divisions and stages dump alike: their id and their event's."""

    id = fields.Integer()
    event = fields.Integer(attribute="event_id")


class DivisionOut(EventPartOut):
    group = fields.String()
    name = fields.String()
    rules = fields.Dict()


class StageIn(Schema):
    code = fields.String(required=True, validate=EVENT_CODE)
    name = fields.String(required=True, validate=SHORT)
    kind = fields.String(load_default="single", validate=validate.OneOf(STAGE_KINDS))
    position = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0))


class StagePatch(Schema):
    code = fields.String(validate=EVENT_CODE)
    name = fields.String(validate=SHORT)
    kind = fields.String(validate=validate.OneOf(STAGE_KINDS))
    position = fields.Integer(strict=True, validate=validate.Range(min=0))


class StageOut(EventPartOut):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    position = fields.Integer()


class EventIn(Schema):
    code = fields.String(required=True, validate=EVENT_CODE)
    name = fields.String(required=True, validate=NAME)
    divisions = fields.List(fields.Nested(DivisionIn), load_default=list)
    stages = fields.List(fields.Nested(StageIn), load_default=list)


class EventPatch(Schema):
    code = fields.String(validate=EVENT_CODE)
    name = fields.String(validate=NAME)


class EventOut(Schema):
    id = fields.Integer()
    competition = fields.Integer(attribute="competition_id")
    code = fields.String()
    name = fields.String()
    divisions = fields.List(fields.Nested(DivisionOut))
    stages = fields.List(fields.Nested(StageOut))
    scheme_url = fields.Function(lambda e: f"/events/{e.id}/scheme")
    rules_url = fields.Function(lambda e: f"/events/{e.id}/rules")


class CompetitionDetailOut(CompetitionOut):
    zones = fields.List(fields.Nested(ZoneOut))
    events = fields.List(fields.Nested(EventOut))


class MemberIn(Schema):
    name = fields.String(required=True, validate=SHORT)
    role = fields.String(load_default="student", validate=validate.OneOf(MEMBER_ROLES))


class TeamIn(Schema):
    stage = fields.Integer(required=True, strict=True)
    division = fields.Integer(required=True, strict=True)
    institution = fields.Integer(required=True, strict=True)
    name = fields.String(required=True, validate=NAME)
    members = fields.List(fields.Nested(MemberIn), required=True)
    coaches = fields.List(fields.String(validate=SHORT), load_default=list)


class TeamPatch(Schema):
    name = fields.String(validate=NAME)
    members = fields.List(fields.Nested(MemberIn))
    coaches = fields.List(fields.String(validate=SHORT))
    status = fields.String(validate=validate.OneOf(TEAM_STATUSES))


class MemberOut(Schema):
    name = fields.String()
    role = fields.String()


class TeamOut(Schema):
    id = fields.Integer()
    name = fields.String()
    code = fields.String()
    status = fields.String()
    division = fields.Integer(attribute="division_id")
    stage = fields.Integer(attribute="stage_id")
    zone = fields.Integer(attribute="zone_id", allow_none=True)
    institution = fields.Integer(attribute="institution_id")
    institution_name = fields.Function(lambda t: t.institution.name)
    entry_number = fields.String(allow_none=True)
    station_number = fields.String(allow_none=True)
    review_number = fields.String(allow_none=True)
    members = fields.List(fields.Nested(MemberOut))
    coaches = fields.Function(lambda t: [c.name for c in t.coaches])


class TeamQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    zone = fields.Integer(load_default=None)
    division = fields.Integer(load_default=None)
    stage = fields.Integer(load_default=None)
    institution = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(TEAM_STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class TeamPageOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    teams = fields.List(fields.Nested(TeamOut))


class ImportIn(Schema):
    """The form fields of an upload (the file itself is the multipart part ``file``)."""

    kind = fields.String(required=True, validate=validate.OneOf(IMPORT_KINDS))


class RowErrorOut(Schema):
    row = fields.Integer()
    column = fields.String()
    code = fields.String()
    message = fields.String()


class ImportOut(Schema):
    id = fields.Integer()
    competition = fields.Integer()
    kind = fields.String()
    format = fields.String()
    filename = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    rows = fields.Integer()
    progress = fields.Float()
    phase = fields.String(allow_none=True)
    counts = fields.Dict()
    errors = fields.List(fields.Nested(RowErrorOut))
    created_at = fields.String()
    finished_at = fields.String(allow_none=True)


class DrawIn(Schema):
    stage = fields.Integer(required=True, strict=True)
    division = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(DRAW_KINDS))
    zone = fields.Integer(load_default=None, allow_none=True, strict=True)
    seed = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=8, max=64))
    prefix = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{0,12}$"))


class DrawOut(Schema):
    id = fields.Integer()
    stage = fields.Integer(attribute="stage_id")
    division = fields.Integer(attribute="division_id")
    kind = fields.String()
    seed = fields.String()
    actor = fields.String()
    zone = fields.Function(lambda d: (d.result or {}).get("zone"))
    prefix = fields.Function(lambda d: (d.result or {}).get("prefix"))
    numbers = fields.Function(lambda d: (d.result or {}).get("numbers", d.result))
    created_at = fields.DateTime()


class DrawCheckOut(Schema):
    draw = fields.Integer()
    seed = fields.String()
    reproducible = fields.Boolean()
    teams = fields.Integer()


class ProgressRowOut(Schema):
    zone = fields.Integer(allow_none=True)
    zone_name = fields.String(allow_none=True)
    division = fields.Integer()
    division_name = fields.String()
    event = fields.String()
    stage = fields.Integer()
    stage_name = fields.String()
    teams = fields.Integer()
    members = fields.Integer()
    institutions = fields.Integer()
    quota = fields.Integer(allow_none=True)
