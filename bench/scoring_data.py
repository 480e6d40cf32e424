"""Benchmark data for the scoring targets (T3, T4): boards of a chosen size, written fast.

Owns: ``build_event(session, ...)``, which writes one event (on ``scoring.sample_event``'s
frame, shared with the tests' factories; a scheme of ``aspects`` aspects in
three modules), one stage, division and zone, ``teams`` teams, ``judges`` scoring judges on one
panel, one sheet per judge × team and the board, and optionally every judge's mark for every
aspect of every sheet (``marks=True``) with a small share of second revisions. Rows are
inserted with Core ``insert`` in bulk: building 90,000 marks takes seconds, not minutes.
``add_sheet`` writes one more complete sheet (one judge's marks for one team), as a judge's
submit would. Values are drawn from ``random.Random(seed)``.

Vocabulary: see ``scoring.models``. Must not: be imported by the application or the tests.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from compete.accounts.models import Judge
from compete.events import utcnow
from compete.registration.models import Competition, Team
from scoring.models import Aspect, Board, Criterion, Mark, Panel, PanelAspect, PanelJudge, Sheet
from scoring.sample_event import event_frame

KINDS = ("points", "judgement", "points", "measurement", "points", "deduction")


@dataclasses.dataclass
class BuiltEvent:
    event_id: int
    board_id: int
    panel_id: int
    team_ids: list[int]
    judge_ids: list[int]
    aspects: list[tuple[int, str, Decimal]]  # id, kind, max
    sheets: dict[tuple[int, int], int]  # (judge id, team id) → sheet id
    marks: int


def _value(rng: random.Random, kind: str, maximum: Decimal) -> Decimal:
    if kind == "judgement":
        return Decimal(rng.choice((1, 2, 2, 3)))
    if kind == "measurement":
        return maximum if rng.random() < 0.7 else Decimal(0)
    if kind == "deduction":
        return Decimal(rng.choice((0, 0, 0, 1)))
    return Decimal(rng.randint(int(maximum) // 3, int(maximum) * 4)) / 4


def build_event(session: Session, *, competition_id: int | None = None, code: str = "E1", teams: int = 300,
                judges: int = 10, aspects: int = 30, marks: bool = True, seed: int = 2026,
                rules: dict[str, object] | None = None) -> BuiltEvent:
    rng = random.Random(seed)
    if competition_id is None:
        competition = Competition(name="基准测试大赛", year=2026, level="province")
        session.add(competition)
        session.flush()
        competition_id = competition.id
    zone, institutions, event, division, stage, scheme = event_frame(
        session, competition_id, zone=(f"Z{code}", f"赛区{code}"),
        institutions=[f"{code}学院{i}" for i in range(max(teams, 1) + judges)], event=(code, f"赛项{code}"),
        rules=rules if rules is not None else {"aggregation": "trimmed_mean", "trim": 1})
    modules = [Criterion(scheme_id=scheme.id, code=f"M{m}", name=f"模块{m}", weight=w, position=m)
               for m, w in enumerate((Decimal("0.2"), Decimal("0.3"), Decimal("0.5")))]
    session.add_all(modules)
    session.flush()
    aspect_rows = []
    for i in range(aspects):
        kind = KINDS[i % len(KINDS)]
        maximum = Decimal(rng.choice((5, 10, 20)))
        aspect_rows.append(Aspect(scheme_id=scheme.id, criterion_id=modules[i % 3].id, code=f"A{i:02d}",
                                  name=f"评分项{i}", kind=kind, max_mark=maximum, position=i))
    session.add_all(aspect_rows)
    judge_rows = [Judge(competition_id=competition_id, name=f"裁判{j}", institution_id=institutions[teams + j].id,
                        province="湖南省") for j in range(judges)]
    session.add_all(judge_rows)
    session.flush()
    team_ids = []
    if teams:
        team_ids = [row.id for row in session.execute(insert(Team).returning(Team.id), [
            {"division_id": division.id, "stage_id": stage.id, "institution_id": institutions[i].id,
             "zone_id": zone.id, "name": f"代表队{i}", "entry_number": f"{code}-{i + 1:03d}",
             "status": "started", "created_at": utcnow()} for i in range(teams)])]
    board = Board(key=Board.key_for(stage.id, division.id, zone.id), stage_id=stage.id, division_id=division.id,
                  zone_id=zone.id, title=f"赛项{code} · 高职组")
    panel = Panel(stage_id=stage.id, division_id=division.id, zone_id=zone.id, name="裁判组")
    session.add_all([board, panel])
    session.flush()
    session.execute(insert(PanelAspect), [{"panel_id": panel.id, "aspect_id": a.id} for a in aspect_rows])
    session.execute(insert(PanelJudge), [{"panel_id": panel.id, "judge_id": j.id, "role": "scoring"}
                                         for j in judge_rows])
    sheets: dict[tuple[int, int], int] = {}
    if team_ids:
        pairs = [(j.id, t) for t in team_ids for j in judge_rows]
        ids = session.execute(insert(Sheet).returning(Sheet.id), [
            {"panel_id": panel.id, "judge_id": j, "team_id": t, "board_id": board.id, "state": "draft",
             "updated_at": utcnow()} for j, t in pairs]).scalars().all()
        sheets = dict(zip(pairs, ids, strict=True))
    built = BuiltEvent(event.id, board.id, panel.id, team_ids, [j.id for j in judge_rows],
                       [(a.id, a.kind, a.max_mark) for a in aspect_rows], sheets, 0)
    if marks:
        rows = []
        for (judge_id, team_id), sheet_id in sheets.items():
            rows.extend(_sheet_rows(rng, built, judge_id, team_id, sheet_id, revision=1))
        # a few corrections: revision 2 of 1 % of the marks
        for row in rng.sample(rows, len(rows) // 100):
            rows.append({**row, "submission_id": str(uuid.uuid4()), "revision": 2,
                         "value": _value(rng, *_kind_max(built, row["aspect_id"]))})
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Mark), rows[start:start + 10_000])
        built.marks = len(rows)
    session.flush()
    return built


def _kind_max(built: BuiltEvent, aspect_id: int) -> tuple[str, Decimal]:
    for a, kind, maximum in built.aspects:
        if a == aspect_id:
            return kind, maximum
    raise KeyError(aspect_id)


def _sheet_rows(rng: random.Random, built: BuiltEvent, judge_id: int, team_id: int, sheet_id: int, *,
                revision: int) -> list[dict[str, object]]:
    now = utcnow()
    return [{"submission_id": str(uuid.uuid4()), "sheet_id": sheet_id, "aspect_id": aspect_id,
             "judge_id": judge_id, "team_id": team_id, "board_id": built.board_id,
             "value": _value(rng, kind, maximum), "revision": revision, "actor": f"judge:{judge_id}",
             "created_at": now}
            for aspect_id, kind, maximum in built.aspects]


def add_sheet(session: Session, built: BuiltEvent, rng: random.Random, revision: int) -> int:
    """One judge re-submits one whole sheet (every aspect at ``revision``); returns the team id."""
    judge_id = rng.choice(built.judge_ids)
    team_id = rng.choice(built.team_ids)
    rows = _sheet_rows(rng, built, judge_id, team_id, built.sheets[(judge_id, team_id)], revision=revision)
    session.execute(insert(Mark), rows)
    built.marks += len(rows)
    return team_id
