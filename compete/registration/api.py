"""The registration REST API: parse (marshmallow) → service (roles, scope, rules) → dump.

Competitions, zones, institutions, events, divisions, stages, teams, registration progress,
imports (upload → 202 and a job; poll ``GET /api/imports/<id>`` for progress and the row-level
report), exports (XLSX or CSV in the import shapes) and draws. Every route needs a signed-in
organiser or official (401 otherwise); what each may do is decided by the services (403 without
the role, 404 outside the actor's competition or zone).

Must not: hold rules or queries (services and repository do).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from compete.accounts.web import signed_in
from compete.db import session_scope
from compete.errors import ValidationFailed
from compete.http import load
from compete.i18n import ui_locale
from compete.messages import message_for
from compete.openapi import doc
from compete.registration import draws, exports, imports, jobs, progress, services, teams
from compete.registration import schemas as s
from compete.registration.models import ImportRun
from compete.registration.repository import TeamFilter, readers
from compete.registration.spreadsheets import MEDIA_TYPES
from compete.runtime import Runtime
from compete.security import Actor

blueprint = Blueprint("registration_api", __name__)
SETUP, TEAMS, IMPORTS, DRAWS = ("set-up",), ("teams",), ("imports and exports",), ("draws",)


def _rt() -> Runtime:
    return current_app.extensions["compete.runtime"]  # type: ignore[no-any-return]


def _detail(session: Any, actor: Actor, competition_id: int) -> dict[str, Any]:
    competition, zones, event_rows = services.structure(session, actor, competition_id)
    out = s.CompetitionOut().dump(competition)
    out["zones"] = s.ZoneOut(many=True).dump(zones)
    out["events"] = s.EventOut(many=True).dump(event_rows)
    return out  # type: ignore[no-any-return]


# -- competitions and zones -------------------------------------------------------------------


@blueprint.get("/api/competitions")
@doc("Competitions the signed-in user may see", tags=SETUP, response=s.CompetitionOut, many=True)
def competition_list() -> Any:
    with session_scope(_rt().sessions) as session:
        return s.CompetitionOut(many=True).dump(services.list_competitions(session, signed_in()))


@blueprint.post("/api/competitions")
@doc("Create a competition (optionally with its zones)", tags=SETUP, body=s.CompetitionIn,
     response=s.CompetitionDetailOut, status=201)
def competition_create() -> Any:
    data = load(s.CompetitionIn())
    with session_scope(_rt().sessions) as session:
        actor = signed_in()
        competition = services.create_competition(session, actor, **data)
        return _detail(session, actor, competition.id), 201


@blueprint.get("/api/competitions/<int:competition_id>")
@doc("A competition with its zones, events, divisions and stages", tags=SETUP, response=s.CompetitionDetailOut)
def competition_detail(competition_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        return _detail(session, signed_in(), competition_id)


@blueprint.patch("/api/competitions/<int:competition_id>")
@doc("Change a competition", tags=SETUP, body=s.CompetitionPatch, response=s.CompetitionOut)
def competition_update(competition_id: int) -> Any:
    data = load(s.CompetitionPatch())
    with session_scope(_rt().sessions) as session:
        return s.CompetitionOut().dump(services.update_competition(session, signed_in(), competition_id, **data))


@blueprint.post("/api/competitions/<int:competition_id>/zones")
@doc("Add a zone (赛区)", tags=SETUP, body=s.ZoneIn, response=s.ZoneOut, status=201)
def zone_create(competition_id: int) -> Any:
    data = load(s.ZoneIn())
    with session_scope(_rt().sessions) as session:
        return s.ZoneOut().dump(services.create_zone(session, signed_in(), competition_id, **data)), 201


@blueprint.patch("/api/zones/<int:zone_id>")
@doc("Rename a zone", tags=SETUP, body=s.ZonePatch, response=s.ZoneOut)
def zone_update(zone_id: int) -> Any:
    data = load(s.ZonePatch())
    with session_scope(_rt().sessions) as session:
        return s.ZoneOut().dump(services.update_zone(session, signed_in(), zone_id, **data))


@blueprint.delete("/api/zones/<int:zone_id>")
@doc("Delete a zone no institution or team uses", tags=SETUP, status=204)
def zone_delete(zone_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        services.delete_zone(session, signed_in(), zone_id)
    return "", 204


# -- institutions -----------------------------------------------------------------------------


@blueprint.get("/api/competitions/<int:competition_id>/institutions")
@doc("Institutions (院校), filtered by ?q= and ?zone=", tags=SETUP, response=s.InstitutionOut, many=True)
def institution_list(competition_id: int) -> Any:
    q = request.args.get("q", "")[:100]
    zone = request.args.get("zone", type=int)
    with session_scope(_rt().sessions) as session:
        rows = services.list_institutions(session, signed_in(), competition_id, q=q, zone_id=zone)
        return s.InstitutionOut(many=True).dump(rows)


@blueprint.post("/api/competitions/<int:competition_id>/institutions")
@doc("Add an institution", tags=SETUP, body=s.InstitutionIn, response=s.InstitutionOut, status=201)
def institution_create(competition_id: int) -> Any:
    data = load(s.InstitutionIn())
    with session_scope(_rt().sessions) as session:
        row = services.create_institution(session, signed_in(), competition_id, **data)
        return s.InstitutionOut().dump(row), 201


@blueprint.get("/api/institutions/<int:institution_id>")
@doc("One institution", tags=SETUP, response=s.InstitutionOut)
def institution_detail(institution_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        return s.InstitutionOut().dump(services.get_institution(session, signed_in(), institution_id))


@blueprint.patch("/api/institutions/<int:institution_id>")
@doc("Change an institution (its teams follow it to a new zone)", tags=SETUP, body=s.InstitutionPatch,
     response=s.InstitutionOut)
def institution_update(institution_id: int) -> Any:
    data = load(s.InstitutionPatch())
    with session_scope(_rt().sessions) as session:
        return s.InstitutionOut().dump(services.update_institution(session, signed_in(), institution_id, **data))


# -- events, divisions, stages ----------------------------------------------------------------


@blueprint.post("/api/competitions/<int:competition_id>/events")
@doc("Add an event (赛项) with its divisions and stages", tags=SETUP, body=s.EventIn, response=s.EventOut,
     status=201)
def event_create(competition_id: int) -> Any:
    data = load(s.EventIn())
    with session_scope(_rt().sessions) as session:
        return s.EventOut().dump(services.create_event(session, signed_in(), competition_id, **data)), 201


@blueprint.patch("/api/events/<int:event_id>")
@doc("Rename an event", tags=SETUP, body=s.EventPatch, response=s.EventOut)
def event_update(event_id: int) -> Any:
    data = load(s.EventPatch())
    with session_scope(_rt().sessions) as session:
        return s.EventOut().dump(services.update_event(session, signed_in(), event_id, **data))


@blueprint.post("/api/events/<int:event_id>/divisions")
@doc("Add a division (组别) with its rules", tags=SETUP, body=s.DivisionIn, response=s.DivisionOut, status=201)
def division_create(event_id: int) -> Any:
    data = load(s.DivisionIn())
    with session_scope(_rt().sessions) as session:
        return s.DivisionOut().dump(services.create_division(session, signed_in(), event_id, **data)), 201


@blueprint.patch("/api/divisions/<int:division_id>")
@doc("Change a division's name or rules (sizes, roles, teams per institution, zone quotas)", tags=SETUP,
     body=s.DivisionPatch, response=s.DivisionOut)
def division_update(division_id: int) -> Any:
    data = load(s.DivisionPatch())
    with session_scope(_rt().sessions) as session:
        return s.DivisionOut().dump(services.update_division(session, signed_in(), division_id, **data))


@blueprint.post("/api/events/<int:event_id>/stages")
@doc("Add a stage (zone round, final, or a single round)", tags=SETUP, body=s.StageIn, response=s.StageOut,
     status=201)
def stage_create(event_id: int) -> Any:
    data = load(s.StageIn())
    with session_scope(_rt().sessions) as session:
        return s.StageOut().dump(services.create_stage(session, signed_in(), event_id, **data)), 201


@blueprint.patch("/api/stages/<int:stage_id>")
@doc("Change a stage", tags=SETUP, body=s.StagePatch, response=s.StageOut)
def stage_update(stage_id: int) -> Any:
    data = load(s.StagePatch())
    with session_scope(_rt().sessions) as session:
        return s.StageOut().dump(services.update_stage(session, signed_in(), stage_id, **data))


# -- teams and progress -----------------------------------------------------------------------


@blueprint.get("/api/competitions/<int:competition_id>/teams")
@doc("Teams, searched (?q= name, institution, member, code) and filtered, a page at a time", tags=TEAMS,
     query=s.TeamQuery, response=s.TeamPageOut)
def team_list(competition_id: int) -> Any:
    args = s.TeamQuery().load(request.args.to_dict())
    f = TeamFilter(q=args["q"], zone_id=args["zone"], division_id=args["division"], stage_id=args["stage"],
                   institution_id=args["institution"], status=args["status"])
    with session_scope(_rt().sessions) as session:
        rows, total = teams.list_teams(session, signed_in(), competition_id, f,
                                       offset=(args["page"] - 1) * args["per_page"], limit=args["per_page"])
        return {"total": total, "page": args["page"], "per_page": args["per_page"],
                "teams": s.TeamOut(many=True).dump(rows)}


def _team_in(data: dict[str, Any]) -> teams.TeamIn:
    return teams.TeamIn(stage_id=data["stage"], division_id=data["division"], institution_id=data["institution"],
                        name=data["name"], members=[(m["name"], m["role"]) for m in data["members"]],
                        coaches=list(data["coaches"]))


@blueprint.post("/api/teams")
@doc("Register a team with its members and coaches (eligibility checked)", tags=TEAMS, body=s.TeamIn,
     response=s.TeamOut, status=201)
def team_create() -> Any:
    data = load(s.TeamIn())
    with session_scope(_rt().sessions) as session:
        return s.TeamOut().dump(teams.register_team(session, signed_in(), _team_in(data))), 201


@blueprint.get("/api/teams/<int:team_id>")
@doc("One team", tags=TEAMS, response=s.TeamOut)
def team_detail(team_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        team, _competition = teams.get_team(session, signed_in(), team_id)
        return s.TeamOut().dump(team)


@blueprint.patch("/api/teams/<int:team_id>")
@doc("Change a team, its members or coaches, or withdraw it (status)", tags=TEAMS, body=s.TeamPatch,
     response=s.TeamOut)
def team_update(team_id: int) -> Any:
    data = load(s.TeamPatch())
    if "members" in data:
        data["members"] = [(m["name"], m["role"]) for m in data["members"]]
    with session_scope(_rt().sessions) as session:
        return s.TeamOut().dump(teams.update_team(session, signed_in(), team_id, **data))


@blueprint.get("/api/competitions/<int:competition_id>/progress")
@doc("Registration progress per zone × division × stage", tags=TEAMS, response=s.ProgressRowOut, many=True)
def registration_progress(competition_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        return s.ProgressRowOut(many=True).dump(progress.rows(session, signed_in(), competition_id))


# -- imports and exports ----------------------------------------------------------------------


def import_view(rt: Runtime, run: ImportRun) -> dict[str, Any]:
    """An import run as the API shows it: live progress from the job, errors in the reader's language."""
    fraction, phase = jobs.progress_of(rt, run)
    report = run.report or {}
    errors = [{"row": e["row"], "column": e["column"], "code": e["code"],
               "message": message_for(e["code"], **(e.get("params") or {}))} for e in report.get("errors", [])]
    return s.ImportOut().dump({
        "id": run.id, "competition": run.competition_id, "kind": run.kind, "format": run.format,
        "filename": run.filename, "status": run.status, "rows": run.rows, "progress": fraction, "phase": phase,
        "counts": report.get("counts", {}), "errors": errors, "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    })


@blueprint.post("/api/competitions/<int:competition_id>/imports")
@doc("Upload an XLSX or CSV file of institutions, teams or judges; it is imported by a background job",
     tags=IMPORTS, upload=s.ImportIn, response=s.ImportOut, status=202,
     description="All or nothing: any wrong row and nothing is stored; poll GET /api/imports/{id}.")
def import_create(competition_id: int) -> Any:
    fields = s.ImportIn().load({"kind": request.form.get("kind", "")})
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("import.file_required", field="file")
    rt = _rt()
    with session_scope(rt.sessions) as session:
        run = imports.start_import(session, signed_in(), competition_id, fields["kind"], upload.filename, upload.read())
    jobs.enqueue(rt, run)
    return import_view(rt, run), 202, {"Location": f"/api/imports/{run.id}"}


@blueprint.get("/api/imports/<int:import_id>")
@doc("An import's state, progress (0..1) and row-level report", tags=IMPORTS, response=s.ImportOut)
def import_detail(import_id: int) -> Any:
    rt = _rt()
    with session_scope(readers(rt)) as session:  # answers even while an import holds the write lock
        run = imports.get_import(session, signed_in(), import_id)
        return import_view(rt, run)


@blueprint.get("/api/competitions/<int:competition_id>/exports/<kind>.<fmt>")
@doc("Export institutions, teams or judges in the import shape (re-importing it changes nothing)",
     tags=IMPORTS, download=tuple(MEDIA_TYPES.values()))
def export_file(competition_id: int, kind: str, fmt: str) -> Any:
    with session_scope(_rt().sessions) as session:
        filename, content = exports.export(session, signed_in(), competition_id, kind, fmt, ui_locale())
    return Response(content, mimetype=MEDIA_TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


# -- draws ------------------------------------------------------------------------------------


@blueprint.get("/api/competitions/<int:competition_id>/draws")
@doc("Recorded draws with their seeds and results", tags=DRAWS, response=s.DrawOut, many=True)
def draw_list(competition_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        return s.DrawOut(many=True).dump(draws.list_draws(session, signed_in(), competition_id))


@blueprint.post("/api/competitions/<int:competition_id>/draws")
@doc("Draw entry, station or review numbers for a stage × division (× zone)", tags=DRAWS, body=s.DrawIn,
     response=s.DrawOut, status=201)
def draw_create(competition_id: int) -> Any:
    data = load(s.DrawIn())
    with session_scope(_rt().sessions) as session:
        draw = draws.run_draw(session, signed_in(), stage_id=data["stage"], division_id=data["division"],
                              kind=data["kind"], zone_id=data["zone"], seed=data["seed"], prefix=data["prefix"],
                              competition_id=competition_id)
        return s.DrawOut().dump(draw), 201


@blueprint.get("/api/draws/<int:draw_id>/verify")
@doc("Recompute a draw from its recorded seed", tags=DRAWS, response=s.DrawCheckOut)
def draw_verify(draw_id: int) -> Any:
    with session_scope(_rt().sessions) as session:
        return s.DrawCheckOut().dump(draws.verify(session, signed_in(), draw_id))
