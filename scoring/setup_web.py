"""Set-up and results pages over HTTP: marking schemes, scoring rules, advancement, judge consistency.

Parse → service → dump. Pages (organisers; the console's set-up wizard links to the first two):
- ``GET /events/<id>/scheme``: the marking scheme editor (criteria → sub-criteria → aspects,
  XLSX import and export);
- ``GET /events/<id>/rules``: the scoring rules form (aggregation, ties, prizes, medals,
  standardisation, per-aspect overrides, advancement);
- ``GET /stages/<id>/advancement?division=<id>``: who qualifies from a zone round, and the one
  enrolment into the final;
- ``GET /panels/<id>/consistency``: judge consistency as a chart (chief judge and organisers).

JSON API (same guards; changes need the page's CSRF token):
- ``GET|PUT /api/events/<id>/scheme``, ``GET|POST /api/events/<id>/scheme.xlsx``;
- ``GET|PUT /api/events/<id>/rules``;
- ``GET|POST /api/stages/<id>/advancement`` (preview | enrol; ``division`` required,
  ``ineligible`` optional), ``GET /api/stages/<id>/qualifications?division=<id>``;
- ``GET /api/panels/<id>/consistency``.

After a change commits, the event's boards are recomputed (coalesced requests; the relay
follows the ``board.changed`` events if Redis was away).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from sqlalchemy import select

from compete import messages
from compete.accounts.web import current_actor, require_roles
from compete.db import session_scope
from compete.errors import ValidationFailed
from compete.http import load
from compete.registration.models import Division, SkillEvent, Stage
from compete.registration.spreadsheets import MEDIA_TYPES
from compete.runtime import Runtime
from compete.security import Actor
from scoring import advancement, consistency_service, event_rules, schemes
from scoring.domain.aggregation import METHODS, MISSING_POLICIES
from scoring.domain.awards import PRIZE_BASES, TIE_AT_CUT
from scoring.domain.rules import LEVELS
from scoring.domain.standardisation import CENTRES, SPREADS
from scoring.jobs import coalescer
from scoring.setup_schemas import EnrolIn, SchemeIn

log = logging.getLogger(__name__)
blueprint = Blueprint("setup", __name__)
ORGANISERS = ("admin",)
QUALITY_READERS = ("admin", "zone_admin", "chief_judge")

messages.register({
    # marking schemes (scoring.domain.scheme and scoring.schemes)
    "scheme.no_modules": _l("A marking scheme needs at least one criterion."),
    "scheme.duplicate_module": _l("The criterion code %(module)s is used twice."),
    "scheme.duplicate_criterion": _l("The code %(criterion)s is used by two criteria or sub-criteria."),
    "scheme.bad_weight": _l("A criterion's weight must be more than 0 and at most 1 (100 %%)."),
    "scheme.total_mismatch": _l("The criteria's weights add up to %(total)s; they must add up to exactly 1 (100 %%)."),
    "scheme.bad_scale": _l("“Scale to” must be a positive number of points."),
    "scheme.duplicate_aspect_id": _l("An aspect appears twice."),
    "scheme.duplicate_aspect_code": _l("The aspect code %(aspect)s is used twice."),
    "scheme.unknown_module": _l("This aspect belongs to no criterion."),
    "scheme.bad_max_mark": _l("An aspect's maximum must be a positive number."),
    "scheme.bad_step": _l("A step must be positive, and only points and deduction aspects have one."),
    "scheme.bad_tolerance": _l("A tolerance table belongs to a measurement aspect; each band needs a deviation of "
                               "at least 0 and a mark between 0 and the maximum."),
    "scheme.empty_module": _l("The criterion %(module)s has no aspect that earns points."),
    "scheme.empty_sub_criterion": _l("The sub-criterion %(criterion)s has no aspects."),
    "scheme.unknown_kind": _l("The kind must be one of: %(allowed)s."),
    "scheme.aspect_has_marks": _l("The aspect %(aspect)s already has marks and cannot be removed."),
    "scheme.kind_locked": _l("The aspect %(aspect)s already has marks: its kind cannot change."),
    "scheme.max_below_marks": _l("The aspect %(aspect)s already has a mark of %(min)s: its maximum cannot be lower."),
    "scheme.breaks_rules": _l("The scoring rules use %(rule)s, which this scheme no longer has: change the rules "
                              "first."),
    "scheme.bad_cell": _l("Row %(row)s: “%(value)s” is not a number."),
    "scheme.conflicting_rows": _l("Row %(row)s gives criterion %(criterion)s another weight than row %(first)s."),
    # event rules (scoring.domain.rules and its parts)
    "rules.not_a_mapping": _l("This setting must be a group of settings."),
    "rules.unknown_field": _l("Unknown setting. Allowed: %(allowed)s."),
    "rules.not_a_decimal": _l("This setting must be a number."),
    "rules.not_an_integer": _l("This setting must be a whole number."),
    "rules.not_a_boolean": _l("This setting must be yes or no."),
    "rules.not_a_list": _l("This setting must be a list."),
    "rules.bad_choice": _l("This choice is not available."),
    "rules.out_of_range": _l("This setting is out of range."),
    "rules.unknown_aspect": _l("The scheme has no aspect %(aspect)s."),
    "rules.unknown_module": _l("The scheme has no criterion of this code."),
    "rules.aspect_rules_need_aspect_level": _l("Per-aspect settings need aggregation per aspect, not per sheet."),
    "ranking.unknown_comparator": _l("Unknown tie-breaker %(comparator)s."),
    "ranking.unknown_final_rule": _l("A tie at the end is either shared or decided by drawing lots."),
    "awards.bad_ratio": _l("Prize ratios are three fractions between 0 and 1 that add up to at most 1."),
    "awards.bad_base": _l("The prize base is registered, started or finished entries."),
    "awards.bad_tie_policy": _l("A tie across a prize cut is settled by the higher prize or by the tie-breakers."),
    "standardisation.bad_centre": _l("The centre is the mean or the median."),
    "standardisation.bad_spread": _l("The spread is the standard deviation or the median absolute deviation."),
    "standardisation.bad_scale": _l("C must be a number and k a positive number."),
    "aggregation.unknown_method": _l("Unknown aggregation method."),
    "aggregation.no_values": _l("There are no marks to aggregate."),
    "aggregation.bad_trim": _l("Too few judges to drop that many highest and lowest marks."),
    # advancement
    "advancement.bad_rule": _l("This advancement setting must be a whole number of at least 0."),
    "advancement.not_a_zone_stage": _l("Advancement starts from a zone selection round."),
    "advancement.no_final": _l("The event has no final stage to enrol into."),
    "advancement.no_boards": _l("This division has no boards in this stage yet."),
    "advancement.results_not_final": _l("The results of boards %(boards)s are not final yet."),
    "advancement.already_enrolled": _l("The qualifiers of this division have already been enrolled."),
    "advancement.nobody_qualifies": _l("Nobody qualifies under these rules."),
    "advancement.unknown_team": _l("This team is not on the division's boards."),
})

REASON_LABELS = {"zone_place": _l("Zone place"), "replacement": _l("Replacement"), "wildcard": _l("Wildcard"),
                 "reserve": _l("Reserve"), "unranked": _l("Unranked"), "not_first_prize": _l("Not a first prize"),
                 "institution_cap": _l("Institution limit"), "province_quota": _l("Province quota"),
                 "ineligible:previous_national_first": _l("Ineligible: previous national first prize")}
FLAG_LABELS = {"bias_high": _l("Generous"), "bias_low": _l("Severe"), "erratic": _l("Erratic"),
               "outliers": _l("Outlier marks")}
KIND_LABELS = {"measurement": _l("Measurement"), "judgement": _l("Judgement (0–3)"), "points": _l("Points"),
               "deduction": _l("Deduction")}
METHOD_LABELS = {"mean": _l("Mean"), "trimmed_mean": _l("Trimmed mean (drop highest and lowest)"),
                 "median": _l("Median"), "judgement": _l("Judgement mean (WorldSkills)"),
                 "diving": _l("Trimmed sum × multiplier (diving)")}


def _runtime() -> Runtime:
    return current_app.extensions["compete.runtime"]


def _actor() -> Actor:
    actor = current_actor()
    assert actor is not None  # require_roles ran first
    return actor


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def _dispatch(pairs: Iterable[tuple[int, int]]) -> None:
    """After the commit: ask for the boards' recomputes. Never fails the request."""
    try:
        c = coalescer(_runtime())
        for board_id, event_id in pairs:
            c.request(board_id, event_id)
    except Exception:  # noqa: BLE001 - committed; the relay follows the board.changed events
        log.warning("recompute requests deferred to the relay", exc_info=True)


# -- pages ------------------------------------------------------------------------------------

def _event_page(event_id: int, template: str, **context: Any) -> Any:
    with session_scope(_runtime().sessions) as session:
        event = session.get(SkillEvent, event_id)
        if event is None:
            abort(404)
        page = {"id": event.id, "name": event.name, "code": event.code, "competition": event.competition_id}
    return render_template(template, event=page, **context)


@blueprint.get("/events/<int:event_id>/scheme")
@require_roles(*ORGANISERS)
def scheme_page(event_id: int) -> Any:
    return _event_page(event_id, "setup/scheme.html", kinds=schemes.KINDS, kind_labels=KIND_LABELS)


@blueprint.get("/events/<int:event_id>/rules")
@require_roles(*ORGANISERS)
def rules_page(event_id: int) -> Any:
    return _event_page(event_id, "setup/rules.html", methods=METHODS,
                       method_labels={k: str(v) for k, v in METHOD_LABELS.items()},
                       levels=LEVELS, missing=MISSING_POLICIES, centres=CENTRES, spreads=SPREADS,
                       bases=PRIZE_BASES, tie_at_cut=TIE_AT_CUT)


@blueprint.get("/stages/<int:stage_id>/advancement")
@require_roles(*ORGANISERS)
def advancement_page(stage_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        stage = session.get(Stage, stage_id)
        if stage is None:
            abort(404)
        event = session.get(SkillEvent, stage.event_id)
        assert event is not None
        divisions = [{"id": d.id, "name": d.name} for d in session.scalars(
            select(Division).where(Division.event_id == event.id).order_by(Division.id))]
        page = {"id": stage.id, "name": stage.name, "event": event.name, "event_id": event.id}
    division = request.args.get("division", type=int) or (divisions[0]["id"] if divisions else None)
    return render_template("setup/advancement.html", stage=page, divisions=divisions, division=division,
                           reasons={k: str(v) for k, v in REASON_LABELS.items()})


@blueprint.get("/panels/<int:panel_id>/consistency")
@require_roles(*QUALITY_READERS)
def consistency_page(panel_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        data = consistency_service.panel_consistency(session, _actor(), panel_id)
    return render_template("results/consistency.html", data=data, chart=consistency_chart(data),
                           flag_labels=FLAG_LABELS)


# -- schemes ----------------------------------------------------------------------------------

@blueprint.get("/api/events/<int:event_id>/scheme")
@require_roles(*ORGANISERS)
def get_scheme(event_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        return schemes.scheme_tree(session, _actor(), event_id)


@blueprint.put("/api/events/<int:event_id>/scheme")
@require_roles(*ORGANISERS)
def put_scheme(event_id: int) -> Any:
    draft = load(SchemeIn())
    with session_scope(_runtime().sessions) as session:
        change = schemes.replace_scheme(session, _actor(), event_id, draft)
    _dispatch(change.boards)
    return change.tree


@blueprint.get("/api/events/<int:event_id>/scheme.xlsx")
@require_roles(*ORGANISERS)
def export_scheme(event_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        filename, content = schemes.export_xlsx(session, _actor(), event_id, _locale())
    return Response(content, mimetype=MEDIA_TYPES["xlsx"],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blueprint.post("/api/events/<int:event_id>/scheme.xlsx")
@require_roles(*ORGANISERS)
def import_scheme(event_id: int) -> Any:
    upload = request.files.get("file")
    content = upload.read() if upload is not None else request.get_data()
    if not content:
        raise ValidationFailed("import.file_required", field="file")
    with session_scope(_runtime().sessions) as session:
        change = schemes.import_xlsx(session, _actor(), event_id, content)
    _dispatch(change.boards)
    return change.tree


# -- rules ------------------------------------------------------------------------------------

@blueprint.get("/api/events/<int:event_id>/rules")
@require_roles(*ORGANISERS)
def get_rules(event_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        return event_rules.read_rules(session, _actor(), event_id)


@blueprint.put("/api/events/<int:event_id>/rules")
@require_roles(*ORGANISERS)
def put_rules(event_id: int) -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("request.not_json", field="_body")
    with session_scope(_runtime().sessions) as session:
        change = event_rules.replace_rules(session, _actor(), event_id, body)
    _dispatch(change.boards)
    return change.rules


# -- advancement --------------------------------------------------------------------------------

class PreviewIn(Schema):
    division = fields.Integer(required=True)
    target_stage = fields.Integer(load_default=None)


def _ineligible(raw: dict[str, str]) -> dict[int, str]:
    return {int(team): reason for team, reason in raw.items()}


@blueprint.get("/api/stages/<int:stage_id>/advancement")
@require_roles(*ORGANISERS)
def preview_advancement(stage_id: int) -> Any:
    query = PreviewIn().load({k: v for k, v in request.args.items() if k in ("division", "target_stage")})
    ineligible = {int(k[len("ineligible."):]): v for k, v in request.args.items()
                  if k.startswith("ineligible.") and k[len("ineligible."):].isdigit()}
    with session_scope(_runtime().sessions) as session:
        return advancement.preview(session, _actor(), stage_id, query["division"], ineligible,
                                   query["target_stage"])


@blueprint.post("/api/stages/<int:stage_id>/advancement")
@require_roles(*ORGANISERS)
def enrol_qualifiers(stage_id: int) -> Any:
    data = load(EnrolIn())
    with session_scope(_runtime().sessions) as session:
        done = advancement.enrol(session, _actor(), stage_id, data["division"], _ineligible(data["ineligible"]),
                                 data["target_stage"])
    _dispatch([(done.board_id, done.event_record_id)])
    return done.summary, 201


@blueprint.get("/api/stages/<int:stage_id>/qualifications")
@require_roles(*ORGANISERS)
def list_qualifications(stage_id: int) -> Any:
    division = request.args.get("division", type=int)
    if division is None:
        raise ValidationFailed("request.invalid", field="division")
    with session_scope(_runtime().sessions) as session:
        return {"qualifications": advancement.enrolled(session, _actor(), stage_id, division)}


# -- judge consistency ------------------------------------------------------------------------

@blueprint.get("/api/panels/<int:panel_id>/consistency")
@require_roles(*QUALITY_READERS)
def get_consistency(panel_id: int) -> Any:
    with session_scope(_runtime().sessions) as session:
        return consistency_service.panel_consistency(session, _actor(), panel_id)


#: the chart's geometry (SVG user units)
CHART_WIDTH, ROW_HEIGHT, LABEL_WIDTH, CHART_PAD = 720, 34, 150, 24


def consistency_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Bias ± spread per judge as SVG geometry: a bar from 0 to the bias, a whisker of ± spread,
    the outlier and flag state for colour. The scale is symmetric and fits the largest value."""
    judges = [j for j in data["judges"] if j["bias"] is not None]
    limit = Decimal(data["rules"]["bias"])
    top = max([abs(Decimal(j["bias"])) + Decimal(j["spread"]) for j in judges] + [limit * 3, Decimal("0.1")])
    inner = CHART_WIDTH - LABEL_WIDTH - 2 * CHART_PAD
    zero = LABEL_WIDTH + CHART_PAD + inner / 2

    def x(value: Decimal) -> float:
        return round(zero + float(value / top) * inner / 2, 1)

    rows = []
    for i, j in enumerate(judges):
        bias, spread = Decimal(j["bias"]), Decimal(j["spread"])
        y = CHART_PAD + i * ROW_HEIGHT
        rows.append({"name": j["name"], "y": y, "mid": y + ROW_HEIGHT / 2, "bar_x": min(x(bias), zero),
                     "bar_w": abs(x(bias) - zero), "lo": x(bias - spread), "hi": x(bias + spread),
                     "dot": x(bias), "bias": j["bias"], "spread": j["spread"], "flags": j["flags"],
                     "tone": "high" if "bias_high" in j["flags"] else "low" if "bias_low" in j["flags"]
                     else "warn" if j["flags"] else "ok"})
    height = CHART_PAD * 2 + max(len(rows), 1) * ROW_HEIGHT
    return {"width": CHART_WIDTH, "height": height, "zero": zero, "rows": rows,
            "band_lo": x(-limit), "band_hi": x(limit), "top": str(top.quantize(Decimal("0.01"))),
            "axis_lo": LABEL_WIDTH + CHART_PAD, "axis_hi": CHART_WIDTH - CHART_PAD}


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
