"""Judge consistency per panel (评分一致性), for the chief judge and the organiser.

Owns: ``panel_consistency(session, actor, panel_id)``, which takes the current marks of the
panel's judges on the panel's aspects and runs ``scoring.domain.consistency``: per judge the
number of judged marks, bias (mean normalised deviation from the panel median: + generous,
− severe), spread, mean absolute deviation, outliers and flags; per judge × aspect the mean
normalised deviation (the heat map); the judgement panels breaking the spread rule (re-score);
and, once the board is decrypted, each judge's home bias (own institution's entries − others).

Entries appear by code only (the blind number), never by name: the chief judge works blind
until decryption. Numbers are Decimal in the result; the page turns them into a chart.

Must not: import flask, change marks, or decide re-scores (``scoring.sheets`` does).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete.accounts import permissions
from compete.accounts.models import Judge
from compete.errors import NotFound
from compete.registration.models import Division, SkillEvent, Stage, Team, Zone
from compete.security import Actor
from scoring import event_rules, repository
from scoring.domain.consistency import (
    ConsistencyRules,
    deviations,
    home_bias,
    judge_consistency,
    judgement_disagreements,
)
from scoring.domain.engine import MarkInput
from scoring.models import Board, Panel, PanelAspect, PanelJudge

_PLACES = Decimal("0.001")


def _q(value: Decimal) -> str:
    return str(value.quantize(_PLACES))


def _n(value: Decimal) -> str:
    """A mark as people write it: 3, not 3.0000."""
    return f"{value.normalize():f}"


@dataclasses.dataclass(frozen=True)
class PanelPlace:
    panel: Panel
    event: SkillEvent
    title: str
    board: Board | None


def place(session: Session, actor: Actor, panel_id: int) -> PanelPlace:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound("panel.not_found", field="panel")
    stage = session.get(Stage, panel.stage_id)
    assert stage is not None
    event = session.get(SkillEvent, stage.event_id)
    division = session.get(Division, panel.division_id)
    assert event is not None and division is not None
    permissions.require(actor, "judge.read", event.competition_id, panel.zone_id, not_found="panel.not_found")
    zone = session.get(Zone, panel.zone_id) if panel.zone_id is not None else None
    title = " · ".join(x for x in (event.name, division.name, stage.name, zone.name if zone else "", panel.name) if x)
    board = session.scalar(select(Board).where(Board.key == Board.key_for(panel.stage_id, panel.division_id,
                                                                          panel.zone_id)))
    return PanelPlace(panel, event, title, board)


def panel_consistency(session: Session, actor: Actor, panel_id: int,
                      rules: ConsistencyRules = ConsistencyRules()) -> dict[str, Any]:
    where = place(session, actor, panel_id)
    panel = where.panel
    judges = {j.id: j for j in session.scalars(
        select(Judge).join(PanelJudge, PanelJudge.judge_id == Judge.id)
        .where(PanelJudge.panel_id == panel.id, PanelJudge.role.in_(("scoring", "onsite"))).order_by(Judge.id))}
    on_panel = set(session.scalars(select(PanelAspect.aspect_id).where(PanelAspect.panel_id == panel.id)))
    scheme = repository.load_scheme(session, where.event.id)
    aspects = [a for a in scheme.aspects if a.id in on_panel]
    marks: list[MarkInput] = []
    if where.board is not None:
        panels = repository.current_panels(session, where.board.id)
        marks = [MarkInput(entry_id, aspect_id, judge_id, value)
                 for (entry_id, aspect_id), judged in panels.items() if aspect_id in on_panel
                 for judge_id, value in judged.items() if judge_id in judges]
    stats = {s.judge_id: s for s in judge_consistency(marks, aspects, rules)}
    devs = deviations(marks, aspects, rules)
    cells: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for d in devs:
        cells[(d.judge_id, d.aspect_id)].append(d.normalised)
    limit = event_rules.parse(where.event.rules).spread_limit
    disagreements = judgement_disagreements(marks, aspects, limit)
    entry_ids = {m.entry_id for m in marks} | {d.entry_id for d in disagreements}
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(entry_ids)))} if entry_ids else {}
    decrypted = where.board is not None and where.board.decrypted
    homes: dict[int, Decimal | None] = {}
    if decrypted:
        homes = home_bias(devs, {j.id: str(j.institution_id) for j in judges.values() if j.institution_id},
                          {t.id: str(t.institution_id) for t in teams.values()})
    codes = {a.id: a.code for a in aspects}
    return {
        "panel": panel.id, "title": where.title, "board": where.board.id if where.board else None,
        "decrypted": decrypted,
        "rules": {"outlier": str(rules.outlier), "bias": str(rules.bias), "spread": str(rules.spread),
                  "min_marks": rules.min_marks},
        "aspects": [{"id": a.id, "code": a.code, "name": a.name, "kind": a.kind.value} for a in aspects],
        "judges": [
            {"id": j.id, "name": j.name,
             "marks": stats[j.id].marks if j.id in stats else 0,
             "bias": _q(stats[j.id].bias) if j.id in stats else None,
             "spread": _q(stats[j.id].spread) if j.id in stats else None,
             "mean_abs": _q(stats[j.id].mean_abs) if j.id in stats else None,
             "outliers": stats[j.id].outliers if j.id in stats else 0,
             "flags": list(stats[j.id].flags) if j.id in stats else [],
             "home_bias": (None if homes.get(j.id) is None else _q(homes[j.id]))  # type: ignore[arg-type]
             if decrypted else None,
             "aspects": {codes[a]: _q(sum(v, Decimal(0)) / len(v))
                         for (judge_id, a), v in cells.items() if judge_id == j.id}}
            for j in judges.values()],
        "disagreements": [
            {"entry": teams[d.entry_id].code if d.entry_id in teams else f"#{d.entry_id}",
             "aspect": codes.get(d.aspect_id, str(d.aspect_id)),
             "values": {judges[j].name if j in judges else str(j): _n(v) for j, v in d.values.items()}}
            for d in disagreements],
        "outlier_marks": [
            {"entry": teams[d.entry_id].code if d.entry_id in teams else f"#{d.entry_id}",
             "aspect": codes.get(d.aspect_id, str(d.aspect_id)), "judge": d.judge_id, "value": _n(d.value),
             "median": _n(d.median), "normalised": _q(d.normalised)}
            for d in devs if d.outlier][:200],
    }
