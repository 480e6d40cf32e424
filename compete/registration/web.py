"""Registration on the web: the home page, and the wiring of the API and the console.

``init_app`` registers the home page, the REST API (``registration.api``) and the organisers'
console (``registration.console``), and the translated messages of every registration error code.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete import messages
from compete.db import session_scope
from compete.registration import api, console, repository
from compete.registration.models import Competition

blueprint = Blueprint("registration", __name__)

MESSAGES = {
    "competition.not_found": _l("No such competition."),
    "zone.not_found": _l("No such zone in this competition."),
    "zone.taken": _l("A zone with code %(value)s or name %(name)s already exists."),
    "zone.in_use": _l("This zone still has institutions or teams."),
    "institution.not_found": _l("No such institution in this competition."),
    "institution.taken": _l("An institution named %(name)s already exists."),
    "event.not_found": _l("No such event."),
    "event.code_taken": _l("An event with code %(value)s already exists."),
    "division.not_found": _l("No such division."),
    "division.group_taken": _l("This event already has a division for this group."),
    "division.rules_invalid": _l("This rule has an impossible value."),
    "division.size_range": _l("The smallest team size (%(min)s) is larger than the largest (%(max)s)."),
    "division.member_roles": _l("Member roles must be student and/or teacher."),
    "division.each_role_impossible": _l("A team can only need both roles if both are allowed and it may have two members."),
    "division.quota_zone_unknown": _l("A zone quota names a zone that is not in this competition."),
    "stage.not_found": _l("No such stage."),
    "stage.code_taken": _l("This event already has a stage with this code."),
    "stage.unknown_kind": _l("A stage is a zone round, a final or a single round."),
    "stage.one_final": _l("An event has at most one final."),
    "stage.single_alone": _l("A single-round event has no other stage."),
    "stage.zone_after_final": _l("Zone rounds must come before the final."),
    "team.not_found": _l("No such team."),
    "team.stage_not_of_event": _l("This stage belongs to another event than the division."),
    "team.name_required": _l("The team needs a name."),
    "team.too_few_members": _l("A team in this division needs at least %(min)s members."),
    "team.too_many_members": _l("A team in this division has at most %(max)s members."),
    "team.member_name_required": _l("Every member needs a name."),
    "team.duplicate_member": _l("%(name)s is listed twice in this team."),
    "team.member_role_not_allowed": _l("Members of this division cannot have the role %(role)s."),
    "team.needs_each_role": _l("A team in this division needs at least one student and one teacher."),
    "team.too_many_coaches": _l("A team in this division has at most %(max)s coaches."),
    "team.coach_name_required": _l("Every coach needs a name."),
    "team.institution_limit": _l("An institution may enter at most %(max)s teams in this division."),
    "team.zone_quota_full": _l("This zone's quota of %(quota)s teams in this division is full."),
    "import.not_found": _l("No such import."),
    "import.unknown_kind": _l("Imports are of %(kinds)s."),
    "import.unknown_format": _l("Use an XLSX or CSV file (%(formats)s)."),
    "import.too_large": _l("The file is larger than %(mb)s MB."),
    "import.unreadable": _l("The file cannot be read as a spreadsheet."),
    "import.empty": _l("The file is empty."),
    "import.no_rows": _l("The file has a header but no rows."),
    "import.file_required": _l("Choose a file to import."),
    "import.missing_column": _l("The column %(column)s is missing from the header row."),
    "import.required": _l("This cell must not be empty."),
    "import.unknown_role": _l("Unknown role: %(value)s."),
    "import.unknown_event": _l("No event has the code %(value)s."),
    "import.unknown_division": _l("The event has no division %(value)s."),
    "import.unknown_stage": _l("The event has no stage %(value)s."),
    "import.unknown_institution": _l("No institution is named %(value)s; import institutions first."),
    "import.unknown_zone": _l("No zone is called %(value)s."),
    "import.zone_forbidden": _l("This row belongs to a zone you do not administer."),
    "import.duplicate": _l("The same entry is already on row %(first)s."),
    "import.internal": _l("The import failed on the server; nothing was stored."),
    "import.actor_gone": _l("The account that started this import can no longer import."),
    "draw.not_found": _l("No such draw."),
    "draw.unknown_kind": _l("A draw is of entry, station or review numbers."),
    "draw.seed_required": _l("A draw needs a seed."),
    "draw.no_teams": _l("There are no teams to draw for."),
    "draw.needs_entry": _l("Draw the entry numbers first."),
    "draw.needs_station": _l("Draw the station numbers first."),
    "draw.already_entry": _l("These teams already have entry numbers."),
    "draw.already_station": _l("These teams already have station numbers."),
    "draw.already_review": _l("These teams already have review numbers."),
    "draw.number_clash": _l("Numbers with prefix %(prefix)s are already used in this stage; choose another prefix."),
}


@blueprint.get("/")
def home() -> Any:
    with session_scope(current_app.extensions["compete.runtime"].sessions) as session:
        competitions = list(session.scalars(select(Competition).order_by(Competition.year.desc(), Competition.id)))
        counts = repository.count_by_competition(session, [c.id for c in competitions])
    return render_template("home.html", competitions=competitions, counts=counts)


def init_app(app: Flask) -> None:
    messages.register(MESSAGES)
    app.register_blueprint(blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(console.blueprint)
