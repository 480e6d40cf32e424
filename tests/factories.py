"""Factories: a small, complete scoring scenario built through the real models and services.

``scenario(session, judges=3, teams=4)`` makes one competition with one zone, an event with a
two-module scheme (theory 30 %, practical 70 %; points, judgement, measurement and deduction
aspects), one stage and division, one panel with ``judges`` scoring judges each holding a
device, ``teams`` teams from other institutions, one draft sheet per judge × team, and the
board. It commits and returns the ids and device tokens tests need.

``ready_to_decrypt(session, s)`` takes a scenario to the point where an organiser may decrypt
(``scoring.publication``): every sheet locked (a shortcut past the sheet workflow) and a new
supervisor's co-signature; ``lock_sheets`` does the first half alone.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete.accounts.models import Judge
from compete.accounts.services import issue_device
from compete.registration.models import Competition, Team
from compete.security import SYSTEM, Actor
from scoring import boards
from scoring.models import Aspect, Criterion, Panel, PanelAspect, PanelJudge, Sheet
from scoring.sample_event import event_frame


@dataclasses.dataclass
class Scenario:
    competition_id: int
    board_id: int
    panel_id: int
    judge_ids: list[int]
    tokens: dict[int, str]  # judge id → device token
    device_ids: dict[int, int]  # judge id → device id
    team_ids: list[int]
    aspects: dict[str, int]  # aspect code → id
    sheets: dict[tuple[int, int], int]  # (judge id, team id) → sheet id
    home_institution_id: int  # an institution with a team and a judge (for recusal tests)

    def sheet(self, judge_index: int, team_index: int) -> int:
        return self.sheets[(self.judge_ids[judge_index], self.team_ids[team_index])]

    def auth(self, judge_index: int) -> dict[str, str]:
        return {"Authorization": f"Device {self.tokens[self.judge_ids[judge_index]]}"}


ASPECTS: list[tuple[str, str, str, str, str]] = [
    # code, module, kind, max, name
    ("T1", "theory", "points", "10", "Safety knowledge"),
    ("T2", "theory", "points", "10", "Regulations"),
    ("P1", "practical", "judgement", "6", "Casualty triage"),
    ("P2", "practical", "measurement", "5", "Tourniquet time met"),
    ("P3", "practical", "points", "20", "Rope rescue"),
    ("P4", "practical", "deduction", "5", "Safety violations"),
]


def scenario(session: Session, *, judges: int = 3, teams: int = 4, rules: dict[str, Any] | None = None) -> Scenario:
    competition = Competition(name="测试大赛 Test Cup", year=2026, level="province")
    session.add(competition)
    session.flush()
    zone, institutions, _event, division, stage, scheme = event_frame(
        session, competition.id, zone=("HN", "湖南赛区"), institutions=[f"学院{i}" for i in range(teams + judges)],
        event=("YJ", "应急救援技术"), rules=rules or {"aggregation": "mean"})

    modules = {
        "theory": Criterion(scheme_id=scheme.id, code="theory", name="理论", weight=Decimal("0.3"), position=1),
        "practical": Criterion(scheme_id=scheme.id, code="practical", name="实操", weight=Decimal("0.7"), position=2),
    }
    session.add_all(modules.values())
    session.flush()
    aspect_rows = [
        Aspect(scheme_id=scheme.id, criterion_id=modules[module].id, code=code, name=name, kind=kind,
               max_mark=Decimal(maximum), position=i)
        for i, (code, module, kind, maximum, name) in enumerate(ASPECTS)
    ]
    session.add_all(aspect_rows)

    team_rows = [
        Team(division_id=division.id, stage_id=stage.id, institution_id=institutions[i].id, zone_id=zone.id,
             name=f"代表队{i}", entry_number=f"HN-{i + 1:02d}")
        for i in range(teams)
    ]
    session.add_all(team_rows)
    board = boards.get_or_create(session, stage, division, zone.id, "应急救援技术 · 高职组 · 湖南赛区")
    panel = Panel(stage_id=stage.id, division_id=division.id, zone_id=zone.id, name="湖南赛区裁判组")
    session.add(panel)
    session.flush()
    session.add_all(PanelAspect(panel_id=panel.id, aspect_id=a.id) for a in aspect_rows)

    judge_rows = [
        Judge(competition_id=competition.id, name=f"裁判{j}", institution_id=institutions[teams + j].id,
              province="湖南省")
        for j in range(judges)
    ]
    session.add_all(judge_rows)
    session.flush()
    session.add_all(PanelJudge(panel_id=panel.id, judge_id=j.id) for j in judge_rows)
    tokens: dict[int, str] = {}
    device_ids: dict[int, int] = {}
    for judge in judge_rows:
        device, token = issue_device(session, judge.id, "tablet", actor=SYSTEM)
        tokens[judge.id] = token
        device_ids[judge.id] = device.id
    sheets = {}
    for judge in judge_rows:
        for team in team_rows:
            sheet = Sheet(panel_id=panel.id, judge_id=judge.id, team_id=team.id, board_id=board.id)
            session.add(sheet)
            session.flush()
            sheets[(judge.id, team.id)] = sheet.id
    session.commit()
    return Scenario(
        competition_id=competition.id, board_id=board.id, panel_id=panel.id,
        judge_ids=[j.id for j in judge_rows], tokens=tokens, device_ids=device_ids,
        team_ids=[t.id for t in team_rows], aspects={a.code: a.id for a in aspect_rows}, sheets=sheets,
        home_institution_id=institutions[teams].id,
    )


def lock_sheets(session: Session, s: Scenario) -> None:
    """Every sheet of the scenario's board locked, as the chief judge leaves them (committed)."""
    for sheet in session.scalars(select(Sheet).where(Sheet.board_id == s.board_id)):
        sheet.state = "locked"
    session.commit()


def official(session: Session, role: str, competition_id: int | None = None, zone_id: int | None = None) -> Actor:
    """A new user holding ``role`` (for the competition and/or zone, or everywhere), committed."""
    import uuid

    from compete.accounts import users

    account = users.create_user(session, f"{role[:3]}{uuid.uuid4().hex[:8]}", "correct horse battery", actor=SYSTEM)
    users.grant(session, account, role, actor=SYSTEM, competition_id=competition_id, zone_id=zone_id)
    session.commit()
    found = users.actor_for(session, account.id)
    assert found is not None
    return found


def supervisor(session: Session, competition_id: int | None = None) -> Actor:
    return official(session, "supervisor", competition_id)


def ready_to_decrypt(session: Session, s: Scenario) -> Actor:
    """Lock every sheet and have a supervisor of the competition co-sign; returns the supervisor."""
    from scoring import publication

    lock_sheets(session, s)
    who = supervisor(session, s.competition_id)
    publication.cosign(session, who, s.board_id)
    session.commit()
    return who


def chief_judge(session: Session, competition_id: int | None = None) -> Actor:
    return official(session, "chief_judge", competition_id)


def results_final(session: Session, s: Scenario) -> str:
    """Take a decrypted board through its result lifecycle to ``final`` (``scoring.lifecycle``):
    review with every required entry confirmed, the public notice opened two notice periods
    ago, the chief judge's and a supervisor's signatures; returns the final hash (committed)."""
    from datetime import timedelta

    from compete.events import utcnow
    from scoring import lifecycle

    opened = utcnow() - timedelta(days=8)  # longer than any allowed notice (one week at most)
    lifecycle.start_review(session, SYSTEM, s.board_id, now=opened)
    session.commit()
    checker = supervisor(session, s.competition_id)
    for entry in lifecycle.view(session, SYSTEM, s.board_id)["entries"]:
        if entry["required"] and entry["check"] is None:
            lifecycle.record_check(session, checker, s.board_id, entry["entry"], "confirmed", now=opened)
    lifecycle.open_notice(session, SYSTEM, s.board_id, now=opened)
    lifecycle.sign(session, chief_judge(session, s.competition_id), s.board_id, "chief_judge")
    lifecycle.sign(session, checker, s.board_id, "supervisor")
    step = lifecycle.finalise(session, SYSTEM, s.board_id)
    session.commit()
    row = lifecycle._row(session, s.board_id)
    assert row is not None and row.final_hash is not None and step.state == "final"
    return row.final_hash


def arbitrator(session: Session, competition_id: int | None = None, zone_id: int | None = None) -> Actor:
    return official(session, "arbitrator", competition_id, zone_id)
