"""The organisers' console pages (zh_CN and en): set-up wizard, overview with registration
progress, lists with search and filters, imports with a progress bar, draws.

Pages are rendered on the server from the same services the API uses (so they obey the same
roles and scopes); the wizard, uploads and draws call the JSON API from ``static/js/console``
with the page's CSRF token. Links lead to the marking-scheme and scoring-rules pages of each
event (``/events/<id>/scheme``, ``/events/<id>/rules``), which the scoring context serves.

Must not: hold rules or queries.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from compete.accounts import permissions
from compete.accounts.web import current_actor, require_action
from compete.db import session_scope
from compete.errors import DomainError, Forbidden, NotFound, Unauthenticated
from compete.messages import message_for
from compete.registration import draws, imports, progress, repository, services, teams
from compete.registration.models import GROUPS, LEVELS, STAGE_KINDS, TEAM_STATUSES
from compete.registration.repository import TeamFilter
from compete.runtime import Runtime
from compete.security import Actor

blueprint = Blueprint("console", __name__, url_prefix="/console")
PER_PAGE = 50

GROUP_LABELS = {"secondary": _l("Secondary vocational"), "higher": _l("Higher vocational"),
                "teacher": _l("Teachers"), "mixed": _l("Teachers and students"), "student": _l("Students")}
LEVEL_LABELS = {"school": _l("School"), "province": _l("Provincial"), "zone": _l("Zone selection"),
                "national": _l("National")}
STAGE_LABELS = {"zone": _l("Zone selection round"), "final": _l("Final"), "single": _l("Single round")}
STATUS_LABELS = {"registered": _l("Registered"), "started": _l("Started"), "finished": _l("Finished"),
                 "withdrawn": _l("Withdrawn"), "absent": _l("Absent")}
IMPORT_KIND_LABELS = {"institutions": _l("Institutions"), "teams": _l("Teams"), "judges": _l("Judges")}
ROLE_LABELS = {"student": _l("Student"), "teacher": _l("Teacher"), "chief_judge": _l("Chief judge"),
               "scoring": _l("Scoring judge"), "onsite": _l("On-site judge"), "supervisor": _l("Supervisor"),
               "arbitrator": _l("Arbitrator")}


def _rt() -> Runtime:
    return current_app.extensions["compete.runtime"]  # type: ignore[no-any-return]


def _actor() -> Actor:
    actor = current_actor()
    assert actor is not None  # the guard ran
    return actor


@blueprint.errorhandler(DomainError)
def _page_error(error: DomainError) -> Any:
    status = 403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else (
        401 if isinstance(error, Unauthenticated) else 422)
    return render_template("console/error.html", message=message_for(error.code, **error.params)), status


@blueprint.context_processor
def _labels() -> dict[str, Any]:
    return {"GROUP_LABELS": GROUP_LABELS, "LEVEL_LABELS": LEVEL_LABELS, "STAGE_LABELS": STAGE_LABELS,
            "STATUS_LABELS": STATUS_LABELS, "IMPORT_KIND_LABELS": IMPORT_KIND_LABELS, "ROLE_LABELS": ROLE_LABELS}


def _frame(session: Any, actor: Actor, competition_id: int) -> dict[str, Any]:
    """What every competition page shows: the competition, its zones and events (with their
    divisions and stages by id, for lists that name them), and the menu."""
    competition, zones, events = services.structure(session, actor, competition_id)
    return {
        "competition": competition, "zones": zones, "events": events,
        "zone_names": {z.id: z.name for z in zones},
        "divisions": {d.id: d for e in events for d in e.divisions},
        "stages": {st.id: st for e in events for st in e.stages},
        "can": {
            "setup": permissions.allows(actor, "setup.write", competition_id),
            "draws": permissions.allows(actor, "draw.read", competition_id),
            "draw_run": permissions.allows(actor, "draw.run", competition_id),
            "judges": permissions.has_role_for(actor, "judge.read"),
            "import": permissions.has_role_for(actor, "team.write"),
        },
    }


@blueprint.get("/")
@require_action("console.view")
def index() -> Any:
    actor = _actor()
    with session_scope(_rt().sessions) as session:
        competitions = services.list_competitions(session, actor)
        counts = repository.count_by_competition(session, [c.id for c in competitions])
        return render_template("console/index.html", competitions=competitions, counts=counts,
                               can_create=permissions.allows(actor, "setup.write", None))


@blueprint.get("/new")
@require_action("setup.write")
def wizard() -> Any:
    permissions.require(_actor(), "setup.write", None)
    return render_template("console/wizard.html", levels=LEVELS, groups=GROUPS, stage_kinds=STAGE_KINDS)


@blueprint.get("/competitions/<int:competition_id>")
@require_action("console.view")
def overview(competition_id: int) -> Any:
    actor = _actor()
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        rows = progress.rows(session, actor, competition_id)
        totals = {"teams": sum(r["teams"] for r in rows), "members": sum(r["members"] for r in rows)}
        return render_template("console/overview.html", **frame, progress=rows, totals=totals,
                               groups=GROUPS, stage_kinds=STAGE_KINDS)


@blueprint.get("/competitions/<int:competition_id>/teams")
@require_action("console.view")
def team_list(competition_id: int) -> Any:
    actor = _actor()
    args = request.args
    page = max(args.get("page", 1, type=int) or 1, 1)
    status = args.get("status") if args.get("status") in TEAM_STATUSES else None
    f = TeamFilter(q=args.get("q", "")[:100], zone_id=args.get("zone", type=int),
                   division_id=args.get("division", type=int), stage_id=args.get("stage", type=int), status=status)
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        rows, total = teams.list_teams(session, actor, competition_id, f, offset=(page - 1) * PER_PAGE,
                                       limit=PER_PAGE)
        return render_template("console/teams.html", **frame, teams=rows, total=total, page=page,
                               pages=max(1, -(-total // PER_PAGE)), filters=f, statuses=TEAM_STATUSES)


@blueprint.get("/competitions/<int:competition_id>/institutions")
@require_action("console.view")
def institution_list(competition_id: int) -> Any:
    actor = _actor()
    q = request.args.get("q", "")[:100]
    zone = request.args.get("zone", type=int)
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        rows = services.list_institutions(session, actor, competition_id, q=q, zone_id=zone)
        return render_template("console/institutions.html", **frame, institutions=rows, q=q, zone=zone)


@blueprint.get("/competitions/<int:competition_id>/judges")
@require_action("judge.read")
def judge_list(competition_id: int) -> Any:
    actor = _actor()
    q = request.args.get("q", "")[:100]
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        zones = permissions.zones_visible(actor, "judge.read", competition_id)
        rows = repository.judges_of(session, competition_id, zones, q=q)
        return render_template("console/judges.html", **frame, judges=rows, q=q)


@blueprint.get("/competitions/<int:competition_id>/import")
@require_action("console.view")
def import_page(competition_id: int) -> Any:
    actor = _actor()
    kind = request.args.get("kind", "teams")
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        recent = imports.recent_imports(session, actor, competition_id)
        return render_template("console/import.html", **frame, recent=recent,
                               kind=kind if kind in IMPORT_KIND_LABELS else "teams")


@blueprint.get("/competitions/<int:competition_id>/draws")
@require_action("draw.read")
def draw_page(competition_id: int) -> Any:
    actor = _actor()
    with session_scope(_rt().sessions) as session:
        frame = _frame(session, actor, competition_id)
        rows = draws.list_draws(session, actor, competition_id)
        return render_template("console/draws.html", **frame, draws=rows)
