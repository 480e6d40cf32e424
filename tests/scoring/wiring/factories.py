"""Factories for the set-up tests: a bare event, scheme trees, a zone round with a final.

``bare_event(session)`` is one competition, zone, event (no scheme), division and zone stage.
``tree(...)`` is a valid scheme body for ``PUT /api/events/<id>/scheme`` (theory 30 % with
two points aspects; practical 70 % with a sub-criterion holding a judgement and a measurement
aspect, plus a deduction). ``zone_round(session, zones=...)`` builds a zone stage with one board
per zone of a division, a final stage, teams (with members and coaches) and marks written
straight to the table (one judge per team, one aspect), and returns the ids.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from compete.accounts.models import Judge
from compete.registration.models import (
    Coach, Competition, Division, Institution, SkillEvent, Stage, Team, TeamMember, Zone,
)
from scoring import boards
from scoring.models import Aspect, Criterion, Mark, Panel, Scheme, Sheet


@dataclasses.dataclass
class Bare:
    competition_id: int
    event_id: int
    division_id: int
    stage_id: int
    zone_id: int


def bare_event(session: Session, rules: dict[str, Any] | None = None) -> Bare:
    competition = Competition(name="设置测试大赛", year=2026, level="province")
    session.add(competition)
    session.flush()
    zone = Zone(competition_id=competition.id, code="HN", name="湖南赛区")
    event = SkillEvent(competition_id=competition.id, code="YJ", name="应急救援技术", rules=rules or {})
    session.add_all([zone, event])
    session.flush()
    division = Division(event_id=event.id, group="higher", name="高职组")
    stage = Stage(event_id=event.id, code="zone", name="赛区选拔赛", kind="zone", position=1)
    session.add_all([division, stage])
    session.commit()
    return Bare(competition.id, event.id, division.id, stage.id, zone.id)


TREE: dict[str, Any] = {
    "name": "应急救援技术评分标准",
    "criteria": [
        {"code": "theory", "name": "理论", "weight": "0.3", "aspects": [
            {"code": "T1", "name": "安全知识", "kind": "points", "max": "10"},
            {"code": "T2", "name": "法规", "kind": "points", "max": "10", "step": "0.5"},
        ]},
        {"code": "practical", "name": "实操", "weight": "0.7", "aspects": [
            {"code": "P4", "name": "安全违规", "kind": "deduction", "max": "5"},
        ], "sub_criteria": [
            {"code": "rescue", "name": "救援", "aspects": [
                {"code": "P1", "name": "伤员分类", "kind": "judgement", "max": "6"},
                {"code": "P2", "name": "止血带", "kind": "measurement", "max": "5",
                 "tolerance": [{"within": "10", "mark": "3"}]},
            ]},
        ]},
    ],
}


def tree(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(TREE)
    body.update(changes)
    return body


@dataclasses.dataclass
class ZoneRound:
    competition_id: int
    event_id: int
    division_id: int
    zone_stage_id: int
    final_stage_id: int
    boards: dict[str, int]  # zone code → board id
    teams: dict[str, list[int]]  # zone code → team ids in the order given
    aspect_id: int


def zone_round(session: Session, zones: dict[str, list[tuple[str, str, str]]],
               rules: dict[str, Any] | None = None) -> ZoneRound:
    """``zones``: zone code → [(institution name, province, total)] - one team each, scored
    by one judge on one 100-point aspect, so each team's total is the value given."""
    competition = Competition(name="晋级测试大赛", year=2026, level="national")
    session.add(competition)
    session.flush()
    event = SkillEvent(competition_id=competition.id, code="YJ", name="应急救援技术", rules=rules or {})
    session.add(event)
    session.flush()
    division = Division(event_id=event.id, group="higher", name="高职组")
    zone_stage = Stage(event_id=event.id, code="zone", name="赛区选拔赛", kind="zone", position=1)
    final = Stage(event_id=event.id, code="final", name="全国总决赛", kind="final", position=2)
    session.add_all([division, zone_stage, final])
    session.flush()
    scheme = Scheme(event_id=event.id, name="评分标准")
    session.add(scheme)
    session.flush()
    module = Criterion(scheme_id=scheme.id, code="M", name="总分", weight=Decimal(1), position=0)
    session.add(module)
    session.flush()
    aspect = Aspect(scheme_id=scheme.id, criterion_id=module.id, code="A", name="得分", kind="points",
                    max_mark=Decimal(100), position=0)
    session.add(aspect)
    session.flush()
    judge_institution = Institution(competition_id=competition.id, name="裁判学院", province="北京市")
    session.add(judge_institution)
    session.flush()
    judge = Judge(competition_id=competition.id, name="裁判", institution_id=judge_institution.id)
    session.add(judge)
    session.flush()
    institutions: dict[str, Institution] = {}
    board_ids: dict[str, int] = {}
    team_ids: dict[str, list[int]] = {}
    for code, rows in zones.items():
        zone = Zone(competition_id=competition.id, code=code, name=f"{code}赛区")
        session.add(zone)
        session.flush()
        board = boards.get_or_create(session, zone_stage, division, zone.id, f"{code}")
        panel = Panel(stage_id=zone_stage.id, division_id=division.id, zone_id=zone.id, name=code)
        session.add(panel)
        session.flush()
        board_ids[code] = board.id
        team_ids[code] = []
        for i, (name, province, total) in enumerate(rows):
            if name not in institutions:
                institutions[name] = Institution(competition_id=competition.id, name=name, province=province,
                                                 zone_id=zone.id)
                session.add(institutions[name])
                session.flush()
            team = Team(division_id=division.id, stage_id=zone_stage.id, institution_id=institutions[name].id,
                        zone_id=zone.id, name=f"{name}{i + 1}队", entry_number=f"{code}-{i + 1:02d}",
                        status="finished")
            team.members = [TeamMember(name=f"选手{code}{i}{k}", role="student", position=k) for k in range(2)]
            team.coaches = [Coach(name=f"教练{code}{i}")]
            session.add(team)
            session.flush()
            sheet = Sheet(panel_id=panel.id, judge_id=judge.id, team_id=team.id, board_id=board.id)
            session.add(sheet)
            session.flush()
            session.add(Mark(submission_id=str(uuid.uuid4()), sheet_id=sheet.id, aspect_id=aspect.id,
                             judge_id=judge.id, team_id=team.id, board_id=board.id, value=Decimal(total),
                             revision=1, actor=f"judge:{judge.id}"))
            team_ids[code].append(team.id)
    session.commit()
    return ZoneRound(competition.id, event.id, division.id, zone_stage.id, final.id, board_ids, team_ids,
                     aspect.id)
