"""What a scoring judge may read on the tablet: their panels, their sheets and their own marks.

Owns the judge-facing read model behind ``/api/judge/*`` (``scoring.tablet_web``):
- ``profile``: the judge's display name, role and panels (stage, division, zone) - no teams;
- ``sheet_list``: the judge's sheets, each with the entry's *code* (review, station or entry
  number - ``Team.code``), state and progress (aspects marked / aspects on the panel, and the
  same for *required* aspects: all but deductions, which a judge may leave empty);
- ``sheet_detail``: one sheet's aspects grouped by *module* (top-level criterion) and
  *sub-criterion* (a criterion below it), each aspect with its kind, maximum and the judge's
  *current value* (the latest revision of their own mark), plus the sheet's state and, when
  the chief judge sent it back, the reason.

Blindness is the rule of this module: an entry appears only by its code (never a team name,
member, coach, institution or team id), and only marks of the asking judge's own sheet are
read, so no other judge's value can leak. A sheet that is not the judge's is ``NotFound``
(the judge may not learn that it exists).

Must not: import flask, write anything, or compute panel scores (the engine does).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from compete.accounts.models import Judge
from compete.errors import Forbidden, NotFound
from compete.registration.models import Division, Stage, Team, Zone
from compete.security import Actor
from scoring.models import Aspect, Criterion, Mark, Panel, PanelAspect, PanelJudge, Sheet, SheetRevision

DEDUCTION = "deduction"


def _judge(session: Session, actor: Actor) -> Judge:
    if actor.kind != "judge":
        raise Forbidden("judge.only_judges")
    judge = session.get(Judge, actor.id)
    if judge is None:
        raise NotFound("judge.not_found", field="judge")
    return judge


def number(value: Decimal) -> str:
    """A stored score as people write it (``7.5``, ``10``), never a float."""
    return f"{Decimal(value).normalize():f}"


def profile(session: Session, actor: Actor) -> dict[str, Any]:
    """The judge behind the device and the panels they sit on."""
    judge = _judge(session, actor)
    rows = session.execute(
        select(Panel, PanelJudge.role, Stage.name, Division.name, Zone.name)
        .join(PanelJudge, PanelJudge.panel_id == Panel.id)
        .join(Stage, Stage.id == Panel.stage_id)
        .join(Division, Division.id == Panel.division_id)
        .outerjoin(Zone, Zone.id == Panel.zone_id)
        .where(PanelJudge.judge_id == judge.id)
        .order_by(Panel.id)
    ).all()
    return {
        "judge": {"id": judge.id, "name": judge.name, "role": judge.role},
        "device": actor.device_id,
        "panels": [
            {"id": panel.id, "name": panel.name, "role": role, "stage": stage, "division": division, "zone": zone}
            for panel, role, stage, division, zone in rows
        ],
    }


def _panel_aspect_counts(session: Session, panel_ids: set[int]) -> dict[int, tuple[int, int]]:
    """Per panel: (aspects, required aspects - all but deductions, which may stay empty)."""
    if not panel_ids:
        return {}
    rows = session.execute(
        select(PanelAspect.panel_id, func.count(), func.count(case((Aspect.kind != DEDUCTION, 1))))
        .join(Aspect, Aspect.id == PanelAspect.aspect_id)
        .where(PanelAspect.panel_id.in_(panel_ids))
        .group_by(PanelAspect.panel_id)
    )
    return {panel_id: (count, required) for panel_id, count, required in rows}


def _marked_counts(session: Session, judge_id: int) -> dict[int, tuple[int, int]]:
    """Per sheet of the judge: (panel aspects with a mark, required ones among them)."""
    rows = session.execute(
        select(
            Mark.sheet_id,
            func.count(func.distinct(Mark.aspect_id)),
            func.count(func.distinct(case((Aspect.kind != DEDUCTION, Mark.aspect_id)))),
        )
        .join(Sheet, Sheet.id == Mark.sheet_id)
        .join(PanelAspect, (PanelAspect.panel_id == Sheet.panel_id) & (PanelAspect.aspect_id == Mark.aspect_id))
        .join(Aspect, Aspect.id == Mark.aspect_id)
        .where(Mark.judge_id == judge_id, Sheet.judge_id == judge_id)
        .group_by(Mark.sheet_id)
    )
    return {sheet_id: (count, required) for sheet_id, count, required in rows}


def sheet_list(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The judge's sheets, by entry code: id, code, state, panel and progress - ``marked`` of
    ``aspects``, and ``required_marked`` of ``required`` (every kind but deductions, which a
    judge may leave empty: no penalty)."""
    judge = _judge(session, actor)
    rows = session.execute(
        select(Sheet, Team).join(Team, Team.id == Sheet.team_id).where(Sheet.judge_id == judge.id)
    ).all()
    totals = _panel_aspect_counts(session, {sheet.panel_id for sheet, _ in rows})
    marked = _marked_counts(session, judge.id)
    rows = sorted(rows, key=lambda row: (row[0].panel_id, _natural(row[1].code), row[0].id))
    listing: list[dict[str, Any]] = []
    for sheet, team in rows:
        done, done_required = marked.get(sheet.id, (0, 0))
        count, required = totals.get(sheet.panel_id, (0, 0))
        listing.append({
            "id": sheet.id, "code": team.code, "state": sheet.state, "panel": sheet.panel_id,
            "marked": done, "aspects": count, "required_marked": done_required, "required": required,
        })
    return listing


def _natural(code: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting HN-2 before HN-10."""
    parts: list[tuple[int, int | str]] = []
    digits = ""
    text = ""
    for char in code:
        if char.isdigit():
            if text:
                parts.append((1, text))
                text = ""
            digits += char
        else:
            if digits:
                parts.append((0, int(digits)))
                digits = ""
            text += char
    if digits:
        parts.append((0, int(digits)))
    if text:
        parts.append((1, text))
    return tuple(parts)


def _own_sheet(session: Session, judge: Judge, sheet_id: int) -> Sheet:
    sheet = session.get(Sheet, sheet_id)
    if sheet is None or sheet.judge_id != judge.id:
        raise NotFound("sheet.not_found", field="sheet")
    return sheet


def _current_values(session: Session, sheet: Sheet) -> dict[int, tuple[Decimal, int]]:
    """The latest revision of each aspect's mark on this (the judge's own) sheet."""
    rows = session.execute(
        select(Mark.aspect_id, Mark.value, Mark.revision)
        .where(Mark.sheet_id == sheet.id, Mark.judge_id == sheet.judge_id)
        .order_by(Mark.revision, Mark.id)
    )
    return {aspect_id: (Decimal(value), revision) for aspect_id, value, revision in rows}


def _return_reason(session: Session, sheet: Sheet) -> str | None:
    """Why the sheet is a draft again, when the chief judge sent it back with a reason."""
    if sheet.state != "draft":
        return None
    last = session.scalar(
        select(SheetRevision).where(SheetRevision.sheet_id == sheet.id).order_by(SheetRevision.id.desc()).limit(1)
    )
    return last.reason if last is not None and last.to_state == "draft" else None


def sheet_detail(session: Session, actor: Actor, sheet_id: int) -> dict[str, Any]:
    """One of the judge's sheets: modules → sub-criteria → aspects with the judge's values."""
    judge = _judge(session, actor)
    sheet = _own_sheet(session, judge, sheet_id)
    team = session.get(Team, sheet.team_id)
    assert team is not None
    aspects = list(
        session.scalars(
            select(Aspect)
            .join(PanelAspect, PanelAspect.aspect_id == Aspect.id)
            .where(PanelAspect.panel_id == sheet.panel_id)
            .order_by(Aspect.position, Aspect.id)
        )
    )
    scheme_ids = {a.scheme_id for a in aspects}
    criteria = {
        c.id: c for c in session.scalars(select(Criterion).where(Criterion.scheme_id.in_(scheme_ids)))
    } if scheme_ids else {}
    values = _current_values(session, sheet)
    return {
        "id": sheet.id, "code": team.code, "state": sheet.state, "panel": sheet.panel_id,
        "returned_reason": _return_reason(session, sheet),
        "modules": _modules(aspects, criteria, values),
    }


def _path(criterion: Criterion, criteria: dict[int, Criterion]) -> list[Criterion]:
    """From the module (top-level criterion) down to ``criterion``."""
    path = [criterion]
    while path[0].parent_id is not None and path[0].parent_id in criteria:
        path.insert(0, criteria[path[0].parent_id])
    return path


def _modules(aspects: list[Aspect], criteria: dict[int, Criterion],
             values: dict[int, tuple[Decimal, int]]) -> list[dict[str, Any]]:
    modules: dict[int, Criterion] = {}
    groups: dict[int, dict[int | None, list[dict[str, Any]]]] = defaultdict(dict)
    sub_names: dict[int, str] = {}
    for aspect in aspects:
        path = _path(criteria[aspect.criterion_id], criteria)
        module, below = path[0], path[1:]
        modules[module.id] = module
        sub_id = below[-1].id if below else None
        if sub_id is not None:
            sub_names[sub_id] = " › ".join(c.name for c in below)
        value = values.get(aspect.id)
        groups[module.id].setdefault(sub_id, []).append({
            "id": aspect.id, "code": aspect.code, "name": aspect.name, "kind": aspect.kind,
            "max": number(aspect.max_mark), "required": aspect.kind != DEDUCTION,
            "value": number(value[0]) if value else None,
            "revision": value[1] if value else 0,
        })
    ordered = sorted(modules.values(), key=lambda c: (c.position, c.id))
    return [
        {
            "code": module.code, "name": module.name, "weight": number(module.weight),
            "max": number(sum(
                (Decimal(a["max"]) for items in groups[module.id].values() for a in items
                 if a["kind"] != DEDUCTION),
                Decimal(0),
            )),
            "sub_criteria": [
                {
                    "id": sub_id,
                    "name": sub_names.get(sub_id) if sub_id is not None else None,
                    "aspects": items,
                }
                for sub_id, items in groups[module.id].items()
            ],
        }
        for module in ordered
    ]
