"""The demo seed (scoring.demo) and the simulated judges (scoring.simulate) on the real database and Redis."""

from __future__ import annotations

import dataclasses
import random
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete.accounts.models import Device, Judge
from compete.accounts.services import authenticate_device
from compete.db import session_scope
from compete.events import EventRecord
from compete.registration.models import (
    Coach, Competition, Draw, Institution, SkillEvent, Stage, Team, TeamMember, Zone,
)
from compete.runtime import Runtime
from scoring import repository
from scoring.demo import CENTRAL_WESTERN, DEMO_NAME, REAL_INSTITUTIONS, DemoSummary, seed
from scoring.domain.engine import EventRules
from scoring.domain.scheme import AspectKind, check_mark_value, validate_scheme
from scoring.models import Aspect, Board, Criterion, Mark, Panel, PanelAspect, PanelJudge, Sheet
from scoring.simulate import plan, simulate
from tests.conftest import clean

HOME_ZONES = {"湖南安全技术职业学院": "湖南赛区", "重庆工业职业技术学院": "重庆赛区", "培黎职业学院": "甘肃赛区",
              "广西安全工程职业技术学院": "广西赛区", "江苏安全技术职业学院": "华东赛区", "浙江安防职业技术学院": "华东赛区",
              "顺德职业技术学院": "广东赛区", "武汉职业技术学院": "湖北赛区", "辽源职业技术学院": "北京赛区"}


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def seeded(runtime: Runtime, seed_value: int = 2026) -> DemoSummary:
    with session_scope(runtime.sessions) as session:
        return seed(session, seed=seed_value)


def test_the_demo_has_the_scale_of_a_national_selection(session: Session) -> None:
    summary = seed(session)
    session.commit()
    assert (summary.zones, summary.institutions, summary.teams) == (13, 83, 287)
    assert (summary.judges, summary.scoring_judges, summary.aspects, summary.sheets) == (78, 65, 24, 5 * 287)
    assert count(session, Zone) == 13 and count(session, Institution) == 83 and count(session, Team) == 287

    zones = {z.code: z for z in session.scalars(select(Zone))}
    assert set(CENTRAL_WESTERN) <= set(zones) and len(CENTRAL_WESTERN) == 8
    assert {"广东赛区", "华东赛区", "河南赛区", "北京赛区", "山东赛区"} <= {z.name for z in zones.values()}
    institutions = {i.name: i for i in session.scalars(select(Institution))}
    for name, province, code in REAL_INSTITUTIONS:
        assert institutions[name].province == province and institutions[name].zone_id == zones[code].id
    zone_names = {z.id: z.name for z in zones.values()}
    assert {name: zone_names[institutions[name].zone_id or 0] for name in HOME_ZONES} == HOME_ZONES

    competition = session.scalars(select(Competition)).one()
    assert (competition.name, competition.year, competition.level) == (DEMO_NAME, 2026, "national")
    event = session.scalars(select(SkillEvent)).one()
    assert event.code == "YJJY" and EventRules.from_mapping(event.rules).aggregation == "trimmed_mean"
    assert [(s.code, s.kind, s.position) for s in event.stages] == [("zone", "zone", 1), ("final", "final", 2)]
    division = event.divisions[0]
    assert (division.group, division.name, division.rules["max_teams_per_institution"]) == ("higher", "高职组", 4)

    teams = list(session.scalars(select(Team)))
    assert all(t.status == "registered" and t.zone_id is not None for t in teams)
    assert Counter(t.institution_id for t in teams).most_common(1)[0][1] <= 4
    assert len({t.name for t in teams}) == 287
    members = Counter(m.team_id for m in session.scalars(select(TeamMember)))
    coaches = Counter(c.team_id for c in session.scalars(select(Coach)))
    assert all(members[t.id] == 3 and 1 <= coaches[t.id] <= 2 for t in teams)

    scheme = repository.load_scheme(session, event.id)
    validate_scheme(scheme)
    kinds = Counter(a.kind for a in scheme.aspects)
    assert kinds[AspectKind.DEDUCTION] == 2 and all(kinds[k] for k in AspectKind)
    assert [a.code for a in scheme.aspects if a.module_code == "theory"] == [f"T{i}" for i in range(1, 7)]
    assert {m.code: m.weight for m in scheme.modules} == {"theory": Decimal("0.3"), "practical": Decimal("0.7")}
    assert session.scalars(select(func.count()).select_from(Criterion).where(Criterion.parent_id.is_not(None))).one() >= 2

    boards = list(session.scalars(select(Board)))
    assert len(boards) == 14 and all(b.publication == "live" for b in boards)
    assert summary.final_board_id == next(b.id for b in boards if b.zone_id is None)
    board_of_zone = {b.zone_id: b.id for b in boards if b.zone_id is not None}
    panels = list(session.scalars(select(Panel)))
    assert len(panels) == 13
    for panel in panels:
        roles = Counter(pj.role for pj in panel.judges)
        assert roles == {"scoring": 5, "chief_judge": 1} and len(panel.aspects) == 24
    team_zone = {t.id: t.zone_id for t in teams}
    sheets = list(session.scalars(select(Sheet)))
    assert len(sheets) == 5 * 287 and all(s.state == "draft" for s in sheets)
    assert all(s.board_id == board_of_zone[team_zone[s.team_id] or 0] for s in sheets)
    assert Counter(s.team_id for s in sheets) == dict.fromkeys(team_zone, 5)

    assert len(summary.tokens) == 65 and count(session, Device) == 65
    actor = authenticate_device(session, summary.sample_device_token or "")
    assert actor.id == summary.sample_judge_id and (summary.sample_device_token or "-") in str(summary)
    assert not any(token in repr(summary) for token in summary.tokens.values())
    assert session.scalar(select(func.count()).select_from(EventRecord)
                          .where(EventRecord.type == "competition.seeded")) == 1


def test_every_team_is_in_its_institutions_zone_and_no_judge_meets_a_home_team(session: Session) -> None:
    seed(session)
    session.commit()
    institutions = {i.id: i for i in session.scalars(select(Institution))}
    teams = list(session.scalars(select(Team)))
    assert all(t.zone_id == institutions[t.institution_id].zone_id for t in teams)
    judges = {j.id: j for j in session.scalars(select(Judge))}
    for panel in session.scalars(select(Panel)):
        panel_teams = [t for t in teams if t.zone_id == panel.zone_id]
        judge_rows = [judges[pj.judge_id] for pj in panel.judges]
        assert len({j.institution_id for j in judge_rows}) == 6
        for judge in judge_rows:
            home = institutions[judge.institution_id or 0]
            assert home.zone_id != panel.zone_id and judge.province == home.province
            assert all(t.institution_id != judge.institution_id for t in panel_teams)
            assert all(institutions[t.institution_id].province != judge.province for t in panel_teams)


def test_entry_numbers_come_from_recorded_reproducible_draws(session: Session) -> None:
    seed(session)
    session.commit()
    zones = {z.id: z.code for z in session.scalars(select(Zone))}
    teams = {t.id: t for t in session.scalars(select(Team))}
    draws = list(session.scalars(select(Draw)))
    assert len(draws) == 13 and all(d.kind == "entry" for d in draws)
    for draw in draws:
        zone_teams = sorted(int(team_id) for team_id in draw.result)
        numbers = list(range(1, len(zone_teams) + 1))
        random.Random(draw.seed).shuffle(numbers)
        code = zones[teams[zone_teams[0]].zone_id or 0]
        assert {str(t): f"{code}-{n:02d}" for t, n in zip(zone_teams, numbers, strict=True)} == draw.result
        assert all(teams[t].entry_number == draw.result[str(t)] for t in zone_teams)
    assert all(re.fullmatch(r"[A-Z]{2,3}-\d{2}", t.entry_number or "") for t in teams.values())
    assert len({t.entry_number for t in teams.values()}) == 287


def test_seeding_twice_adds_nothing(session: Session) -> None:
    first = seed(session)
    session.commit()
    tables = (Competition, Zone, Institution, Team, TeamMember, Judge, Device, Aspect, Sheet, Board, Draw,
              PanelJudge, PanelAspect, EventRecord)
    before = {model: count(session, model) for model in tables}
    again = seed(session)
    session.commit()
    assert {model: count(session, model) for model in tables} == before
    assert again.competition_id == first.competition_id and not again.created and again.tokens == {}
    # the same counts and ids; only what exists at issue time (the tokens) is gone
    assert again == dataclasses.replace(first, created=False, sample_judge_id=None, sample_device_token=None)


def test_the_same_seed_gives_the_same_demo_and_another_seed_another(runtime: Runtime) -> None:
    def picture() -> dict[str, tuple[str | None, tuple[str, ...]]]:
        with runtime.sessions() as session:
            return {t.name: (t.entry_number, tuple(m.name for m in t.members)) for t in session.scalars(select(Team))}

    seeded(runtime, 11)
    first = picture()
    clean(runtime)
    seeded(runtime, 11)
    assert picture() == first
    clean(runtime)
    seeded(runtime, 12)
    assert picture() != first


def test_the_plan_has_every_mark_with_valid_and_plausible_values(session: Session) -> None:
    seed(session)
    session.commit()
    tasks = plan(session, seed=3)
    assert len(tasks) == 5 * 287 * 24
    assert len({(t.sheet_id, t.aspect_id) for t in tasks}) == len(tasks)
    assert len({t.zone_id for t in tasks[:13]}) == 13  # zones interleaved: every board moves at once
    event_id = session.scalars(select(SkillEvent.id)).one()
    aspects = {a.id: a for a in repository.load_scheme(session, event_id).aspects}
    for task in tasks:
        check_mark_value(aspects[task.aspect_id], task.value)
    groups: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for task in tasks:
        groups[(task.team_id, task.aspect_id)].append(task.value)

    def share(kind: AspectKind, ok: Callable[[list[Decimal]], bool]) -> float:
        selected = [v for (_, a), v in groups.items() if aspects[a].kind is kind]
        return sum(1 for v in selected if ok(v)) / len(selected)

    assert share(AspectKind.JUDGEMENT, lambda v: max(v) - min(v) <= 1) >= 0.9
    assert share(AspectKind.JUDGEMENT, lambda v: max(v) - min(v) <= 1) < 1  # some re-scores to show
    assert share(AspectKind.MEASUREMENT, lambda v: len(set(v)) == 1) >= 0.9
    assert 0.5 <= share(AspectKind.DEDUCTION, lambda v: max(v) == 0) <= 0.95
    assert plan(session, seed=3) == tasks  # reproducible


def test_simulate_stores_each_mark_once_through_the_marking_service(runtime: Runtime) -> None:
    seeded(runtime)
    seen: list[tuple[int, int]] = []
    assert simulate(runtime, minutes=0, limit=52, progress=lambda done, total: seen.append((done, total))) == 52
    assert seen[0] == (1, 52) and seen[-1] == (52, 52)
    assert simulate(runtime, minutes=0, limit=26) == 26  # continues: new marks only
    with runtime.sessions() as session:
        marks = list(session.scalars(select(Mark)))
        assert len(marks) == 78 and len({(m.sheet_id, m.aspect_id) for m in marks}) == 78
        assert all(m.revision == 1 for m in marks)
        events = list(session.scalars(select(EventRecord).where(EventRecord.type == "mark.submitted")))
        assert sorted(e.payload["mark"] for e in events) == sorted(m.id for m in marks)
        zone_boards = set(session.scalars(select(Board.id).where(Board.zone_id.is_not(None))))
        assert {m.board_id for m in marks} == zone_boards
        devices = {d.judge_id: d.id for d in session.scalars(select(Device))}
        assert all(m.device_id == devices[m.judge_id] and m.actor == f"judge:{m.judge_id}" for m in marks)
        aspects = {a.id: a for a in repository.load_scheme(session, session.scalars(select(SkillEvent.id)).one()).aspects}
        for mark in marks:
            check_mark_value(aspects[mark.aspect_id], Decimal(mark.value))
        sheet_teams = {s.id: s.team_id for s in session.scalars(select(Sheet))}
        assert all(sheet_teams[m.sheet_id] == m.team_id for m in marks)
    assert runtime.redis.exists(*[f"board:{b}:gen" for b in zone_boards]) == 13  # recomputes requested


def test_simulate_paces_its_marks_and_stops_when_asked(runtime: Runtime) -> None:
    seeded(runtime)
    started = time.monotonic()
    assert simulate(runtime, minutes=0.005, limit=6) == 6  # 0.3 s for 6 marks: 5 gaps of 0.05 s
    assert time.monotonic() - started >= 0.25
    stop = threading.Event()
    stop.set()
    assert simulate(runtime, minutes=1, limit=10, stop=stop) == 0
    with runtime.sessions() as session:
        assert count(session, Mark) == 6
        assert session.scalar(select(func.count()).select_from(Stage)) == 2
