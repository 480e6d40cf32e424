"""Progress read model: what the chief judge's console and the organiser's progress console show.

Owns: ``panel_console`` (one panel: sheets in per judge and per entry, each sheet's state and
marks, the judges' devices online or offline with their last heartbeat and marks waiting in
their queues, spread violations and other disagreements, judge-quality stats, the latest sheet
changes) and ``competition_progress`` (every panel of a competition, or of some zones: sheets
by state, marks, devices online, marks waiting, violations; the latest changes from the event
log). Both are plain JSON-ready dicts; entries appear by code only (judges and chief judges are
blind to names until decryption).

Vocabulary: a sheet is *in* once it left draft; a device is *online* while its last heartbeat is
younger than ``compete.accounts.domain.signin.ONLINE_WINDOW``; *marks waiting* are the marks a
tablet reported as still queued; *disagreements* are spread violations (judgement aspects,
``scoring.sheets.violations``), measurement aspects whose judges recorded different values (one
agreed value is expected per entry), and outlier marks (``scoring.domain.consistency``).

Must not: import flask, write anything, or show team names or institutions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete.accounts.domain.signin import ONLINE_WINDOW, online
from compete.accounts.models import Device, Judge, User
from compete.accounts.services import aware, devices_of
from compete.events import EventRecord, utcnow
from compete.registration.models import Division, SkillEvent, Stage, Team, Zone
from scoring import panels, repository, sheets
from scoring.domain.consistency import judge_consistency
from scoring.domain.workflow import allowed_actions
from scoring.models import SHEET_STATES, Aspect, Mark, Panel, PanelAspect, PanelJudge, Sheet, SheetRevision

RECENT = 30
#: event types left out of "latest changes" (they are counted instead)
QUIET_EVENTS = ("mark.submitted",)


def _iso(moment: datetime | None) -> str | None:
    moment = aware(moment)
    return moment.isoformat() if moment else None


def _dec(value: Decimal) -> str:
    return f"{value.normalize():f}"


def panel_labels(session: Session, panel: Panel) -> dict[str, Any]:
    stage = session.get(Stage, panel.stage_id)
    division = session.get(Division, panel.division_id)
    zone = session.get(Zone, panel.zone_id) if panel.zone_id is not None else None
    event = session.get(SkillEvent, stage.event_id) if stage else None
    return {"id": panel.id, "name": panel.name, "stage": stage.name if stage else "",
            "division": division.name if division else "", "zone": zone.name if zone else None,
            "zone_id": panel.zone_id, "event": event.name if event else "",
            "competition": event.competition_id if event else None}


def _device_dict(device: Device, now: datetime) -> dict[str, Any]:
    return {"id": device.id, "judge": device.judge_id, "label": device.label,
            "last_seen_at": _iso(device.last_seen_at), "pending_marks": device.pending_marks,
            "online": online(aware(device.last_seen_at), now)}


def panel_console(session: Session, panel_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    panel = panels.get_panel(session, panel_id)
    board = panels.board_of(session, panel)
    seats = session.execute(select(PanelJudge.role, Judge).join(Judge, Judge.id == PanelJudge.judge_id)
                            .where(PanelJudge.panel_id == panel.id).order_by(Judge.id)).all()
    aspect_rows = list(session.scalars(select(Aspect).join(PanelAspect, PanelAspect.aspect_id == Aspect.id)
                                       .where(PanelAspect.panel_id == panel.id).order_by(Aspect.position, Aspect.id)))
    sheet_rows = list(session.scalars(select(Sheet).where(Sheet.panel_id == panel.id)))
    marked = dict(session.execute(
        select(Mark.sheet_id, func.count(func.distinct(Mark.aspect_id))).join(Sheet, Sheet.id == Mark.sheet_id)
        .where(Sheet.panel_id == panel.id).group_by(Mark.sheet_id)).all())
    returned = _return_reasons(session, [s.id for s in sheet_rows if s.state == "draft"])
    teams = {t.id: t for t in panels.entries(session, panel)}
    judge_ids = [j.id for _, j in seats]
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for device in devices_of(session, judge_ids):
        devices[device.judge_id].append(_device_dict(device, now))

    by_judge: dict[int, Counter[str]] = defaultdict(Counter)
    by_team: dict[int, dict[str, Any]] = {}
    for sheet in sheet_rows:
        by_judge[sheet.judge_id][sheet.state] += 1
        entry = by_team.setdefault(sheet.team_id, {"sheets": {}, "states": Counter()})
        entry["states"][sheet.state] += 1
        entry["sheets"][str(sheet.judge_id)] = {"sheet": sheet.id, "state": sheet.state,
                                                "marks": marked.get(sheet.id, 0), "returned": returned.get(sheet.id)}
    found = sheets.violations(session, panel)
    flagged: dict[int, list[str]] = defaultdict(list)
    for v in found:
        flagged[v.team_id].append(v.aspect_code)
    entries = []
    for team_id, team in sorted(teams.items(), key=lambda kv: (kv[1].code, kv[0])):
        entry = by_team.get(team_id, {"sheets": {}, "states": Counter()})
        states: Counter[str] = entry["states"]
        entries.append({"team": team_id, "code": team.code, "status": team.status, "sheets": entry["sheets"],
                        "total": sum(states.values()), "in": sum(n for s, n in states.items() if s != "draft"),
                        "states": dict(states), "violations": flagged.get(team_id, []),
                        "can": {a: _count(states, a) for a in ("check", "sign", "lock")}})

    quality = _quality(session, panel, board.id, set(judge_ids), aspect_rows)
    judges = []
    for role, judge in seats:
        counts = by_judge.get(judge.id, Counter())
        total = sum(counts.values())
        judges.append({"id": judge.id, "name": judge.name, "role": role, "sheets": total,
                       "in": total - counts.get("draft", 0), "states": dict(counts),
                       "devices": devices.get(judge.id, []), "quality": quality.get(judge.id)})
    states = Counter(s.state for s in sheet_rows)
    all_devices = [d for ds in devices.values() for d in ds]
    return {
        "panel": panel_labels(session, panel), "board": board.id, "server_time": now.isoformat(),
        "online_window": int(ONLINE_WINDOW.total_seconds()),
        "aspects": [{"id": a.id, "code": a.code, "name": a.name, "kind": a.kind, "max": _dec(Decimal(a.max_mark))}
                    for a in aspect_rows],
        "judges": judges, "entries": entries,
        "totals": {"sheets": len(sheet_rows), "in": len(sheet_rows) - states.get("draft", 0),
                   "states": {s: states.get(s, 0) for s in SHEET_STATES},
                   "devices": len(all_devices), "online": sum(1 for d in all_devices if d["online"]),
                   "pending": sum(d["pending_marks"] for d in all_devices), "violations": len(found)},
        "violations": [v.as_dict() for v in found],
        "disagreements": _measurement_disagreements(session, panel, aspect_rows, teams),
        "recent": _recent_revisions(session, panel, {j.id: j.name for _, j in seats}, teams),
    }


def _count(states: Counter[str], action: str) -> int:
    """How many of these sheets ``action`` applies to now."""
    return sum(n for state, n in states.items() if action in allowed_actions(state))


def _return_reasons(session: Session, sheet_ids: list[int]) -> dict[int, str | None]:
    """For draft sheets that were sent back: the reason of their latest revision."""
    if not sheet_ids:
        return {}
    latest = (select(SheetRevision.sheet_id, func.max(SheetRevision.id).label("last"))
              .where(SheetRevision.sheet_id.in_(sheet_ids)).group_by(SheetRevision.sheet_id).subquery())
    rows = session.execute(select(SheetRevision.sheet_id, SheetRevision.reason, SheetRevision.to_state)
                           .join(latest, latest.c.last == SheetRevision.id))
    return {sheet_id: reason for sheet_id, reason, to_state in rows if to_state == "draft"}


def _quality(session: Session, panel: Panel, board_id: int, judge_ids: set[int],
             aspect_rows: list[Aspect]) -> dict[int, dict[str, Any]]:
    on_panel = {a.id for a in aspect_rows}
    scheme = repository.load_scheme(session, panels.event_of(session, panel).id)
    aspects = [a for a in scheme.aspects if a.id in on_panel]
    marks = [m for m in repository.current_marks(session, board_id)
             if m.judge_id in judge_ids and m.aspect_id in on_panel]
    return {s.judge_id: {"marks": s.marks, "bias": _dec(s.bias.quantize(Decimal("0.001"))),
                         "spread": _dec(s.spread.quantize(Decimal("0.001"))), "outliers": s.outliers,
                         "flags": list(s.flags)}
            for s in judge_consistency(marks, aspects)}


def _measurement_disagreements(session: Session, panel: Panel, aspect_rows: list[Aspect],
                               teams: dict[int, Team]) -> list[dict[str, Any]]:
    measured = {a.id: a.code for a in aspect_rows if a.kind == "measurement"}
    if not measured:
        return []
    latest: dict[tuple[int, int], tuple[int, int, Decimal]] = {}
    for sheet_id, aspect_id, team_id, judge_id, value in session.execute(
            select(Mark.sheet_id, Mark.aspect_id, Mark.team_id, Mark.judge_id, Mark.value)
            .join(Sheet, Sheet.id == Mark.sheet_id)
            .where(Sheet.panel_id == panel.id, Mark.aspect_id.in_(list(measured))).order_by(Mark.id)):
        latest[(sheet_id, aspect_id)] = (team_id, judge_id, Decimal(value))
    values: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for (_sheet, aspect_id), (team_id, judge_id, value) in latest.items():
        values[(team_id, aspect_id)][judge_id] = value
    out = []
    for (team_id, aspect_id), judged in sorted(values.items()):
        if len(set(judged.values())) > 1:
            team = teams.get(team_id)
            out.append({"kind": "measurement", "team": team_id, "code": team.code if team else f"#{team_id}",
                        "aspect": aspect_id, "aspect_code": measured[aspect_id],
                        "values": {str(j): _dec(v) for j, v in sorted(judged.items())}})
    return out


def actor_names(session: Session, labels: set[str]) -> dict[str, str]:
    """Display names for actor labels (``judge:3`` → the judge's name, ``user:1`` → the user's)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for label in labels:
        kind, _, ident = label.partition(":")
        if kind in ("judge", "user") and ident.isdigit():
            ids[kind].add(int(ident))
    out: dict[str, str] = {}
    if ids["judge"]:
        out.update({f"judge:{i}": n for i, n in session.execute(select(Judge.id, Judge.name)
                                                                 .where(Judge.id.in_(ids["judge"])))})
    if ids["user"]:
        out.update({f"user:{i}": n for i, n in session.execute(select(User.id, User.display_name)
                                                                .where(User.id.in_(ids["user"])))})
    return out


def _recent_revisions(session: Session, panel: Panel, names: dict[int, str],
                      teams: dict[int, Team]) -> list[dict[str, Any]]:
    rows = session.execute(
        select(SheetRevision, Sheet.team_id, Sheet.judge_id).join(Sheet, Sheet.id == SheetRevision.sheet_id)
        .where(Sheet.panel_id == panel.id).order_by(SheetRevision.id.desc()).limit(RECENT)).all()
    who = actor_names(session, {r.actor for r, _, _ in rows})
    return [{"id": r.id, "at": _iso(r.at), "sheet": r.sheet_id, "team": team_id,
             "code": teams[team_id].code if team_id in teams else f"#{team_id}",
             "judge": judge_id, "judge_name": names.get(judge_id, ""), "from": r.from_state, "to": r.to_state,
             "actor": r.actor, "who": who.get(r.actor), "device": r.device_id, "reason": r.reason}
            for r, team_id, judge_id in rows]


def competition_progress(session: Session, competition_id: int, *, zones: set[int] | None = None,
                         now: datetime | None = None) -> dict[str, Any]:
    """Every panel of the competition (or of ``zones``) at a glance, and the latest changes."""
    now = now or utcnow()
    rows = panels.panels_of(session, competition_id, zones)
    ids = [p.id for p in rows]
    states: dict[int, Counter[str]] = defaultdict(Counter)
    marks: dict[int, int] = {}
    seats: dict[int, list[int]] = defaultdict(list)
    if ids:
        for panel_id, state, n in session.execute(select(Sheet.panel_id, Sheet.state, func.count(Sheet.id))
                                                  .where(Sheet.panel_id.in_(ids)).group_by(Sheet.panel_id, Sheet.state)):
            states[panel_id][state] = n
        marks = dict(session.execute(select(Sheet.panel_id, func.count(Mark.id)).join(Mark, Mark.sheet_id == Sheet.id)
                                     .where(Sheet.panel_id.in_(ids)).group_by(Sheet.panel_id)).all())
        for panel_id, judge_id in session.execute(select(PanelJudge.panel_id, PanelJudge.judge_id)
                                                  .where(PanelJudge.panel_id.in_(ids))):
            seats[panel_id].append(judge_id)
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for device in devices_of(session, {j for js in seats.values() for j in js}):
        devices[device.judge_id].append(_device_dict(device, now))
    out = []
    for panel in rows:
        counts = states.get(panel.id, Counter())
        total = sum(counts.values())
        mine = [d for j in seats.get(panel.id, []) for d in devices.get(j, [])]
        out.append({**panel_labels(session, panel), "sheets": total, "in": total - counts.get("draft", 0),
                    "states": {s: counts.get(s, 0) for s in SHEET_STATES}, "marks": marks.get(panel.id, 0),
                    "judges": len(seats.get(panel.id, [])), "devices": len(mine),
                    "online": sum(1 for d in mine if d["online"]),
                    "pending": sum(d["pending_marks"] for d in mine),
                    "violations": len(sheets.violations(session, panel)) if marks.get(panel.id) else 0})
    return {"competition": competition_id, "server_time": now.isoformat(), "panels": out,
            "totals": {"panels": len(out), "sheets": sum(p["sheets"] for p in out),
                       "in": sum(p["in"] for p in out), "marks": sum(p["marks"] for p in out),
                       "devices": sum(p["devices"] for p in out), "online": sum(p["online"] for p in out),
                       "pending": sum(p["pending"] for p in out),
                       "violations": sum(p["violations"] for p in out)},
            "recent": recent_events(session, competition_id, zones=zones)}


def recent_events(session: Session, competition_id: int, *, zones: set[int] | None = None,
                  limit: int = RECENT) -> list[dict[str, Any]]:
    """The latest changes of the competition from the event log (marks left out: they are counted)."""
    query = (select(EventRecord).where(EventRecord.competition_id == competition_id,
                                       EventRecord.type.not_in(QUIET_EVENTS))
             .order_by(EventRecord.id.desc()).limit(limit * 3 if zones is not None else limit))
    records = list(session.scalars(query))
    if zones is not None:
        allowed = {p.id for p in panels.panels_of(session, competition_id, zones)}
        records = [r for r in records if r.payload.get("panel") in allowed][:limit]
    who = actor_names(session, {r.actor for r in records})
    teams = {r.id: r.payload["team"] for r in records if isinstance(r.payload.get("team"), int)}
    codes = {t.id: t.code for t in session.scalars(select(Team).where(Team.id.in_(set(teams.values()))))} \
        if teams else {}
    return [{**r.as_dict(), "who": who.get(r.actor),
             "code": r.payload.get("code") or (codes.get(teams[r.id]) if r.id in teams else None)}
            for r in records]
