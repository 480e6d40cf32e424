"""Registration progress: how many teams, members and institutions each zone has entered in each
division and stage, beside the division's zone quota, for the organisers' console and the API.

Must not: import flask; change anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from compete.accounts import permissions
from compete.registration import repository
from compete.registration.domain.eligibility import DivisionRules
from compete.security import Actor


def rows(session: Session, actor: Actor, competition_id: int) -> list[dict[str, Any]]:
    repository.competition(session, competition_id)
    zones = permissions.zones_visible(actor, "progress.read", competition_id)
    zone_names = {z.id: z.name for z in repository.zones_of(session, competition_id)}
    divisions = {}
    stages = {}
    event_names = {}
    for event in repository.events_of(session, competition_id):
        event_names[event.id] = event.name
        divisions.update({d.id: d for d in event.divisions})
        stages.update({st.id: st for st in event.stages})
    out = []
    for row in repository.progress(session, competition_id, zones):
        division = divisions[row.division_id]
        rules = DivisionRules.from_mapping(division.rules or {}, division.group)
        out.append({
            "zone": row.zone_id, "zone_name": zone_names.get(row.zone_id) if row.zone_id else None,
            "division": division.id, "division_name": division.name, "event": event_names[division.event_id],
            "stage": row.stage_id, "stage_name": stages[row.stage_id].name,
            "teams": row.teams, "members": row.members, "institutions": row.institutions,
            "quota": rules.zone_quotas.get(row.zone_id) if row.zone_id is not None else None,
        })
    out.sort(key=lambda r: (r["event"], r["division"], r["stage"], r["zone_name"] or ""))
    return out
