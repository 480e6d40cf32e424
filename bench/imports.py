"""IMPORT: a provincial event's 4,500 competitors imported from one XLSX file in under 10 s.

Scenario (domain.md, a provincial competition): 31 institutions in one province, 88 events with
a higher-vocational division and one stage each, about 17 institutions entering one team per
event, teams of 2–4 students and 1–2 coaches, until 4,500 competitors are on the list (one row
per person, so the file has about 6,500 rows with the coaches). Each round imports the file
into a fresh competition of the same set-up through the real job (``registration.jobs.run_import``:
read, check every row and every team's eligibility, write, commit, with progress reporting).

Baseline, same run and same file: a bare openpyxl streaming read of every cell
(``load_workbook(read_only=True)`` + ``iter_rows(values_only=True)``), which the import itself
must do too. Rounds are interleaved A B B A; the result is the median candidate time, with the
median per-round ratio candidate / baseline and its spread.

Not a test: nothing here asserts.
"""

from __future__ import annotations

import io
import os
import random
import statistics
from typing import Any

from openpyxl import Workbook, load_workbook

from bench.harness import Context, Result, interleave, median_ratio
from compete import runtime as runtime_module
from compete.db import session_scope
from compete.migrate import upgrade
from compete.registration import imports, jobs, repository, services
from compete.registration.domain.rows import TEAMS
from compete.runtime import Runtime
from compete.security import SYSTEM
from compete.settings import Settings

GOAL_SECONDS = 10.0
INSTITUTIONS = 31
EVENTS = 88


def _institution_names() -> list[str]:
    return [f"湖南第{i + 1}职业技术学院" for i in range(INSTITUTIONS)]


def build_file(competitors: int, seed: int = 2023) -> tuple[bytes, dict[str, int]]:
    """The teams file (one row per person) and its counts."""
    rng = random.Random(seed)
    names = _institution_names()
    rows: list[list[str]] = []
    people = teams = 0
    event = 0
    while people < competitors:
        code = f"E{event % EVENTS:03d}"
        round_ = event // EVENTS
        for institution in rng.sample(names, 17):
            if people >= competitors:
                break
            team = f"{institution}{code}队{round_ + 1}"
            size = min(rng.choice((2, 3, 3, 4)), competitors - people)
            for m in range(size):
                rows.append([code, "高职组", "main", institution, team, f"选手{people + m:05d}", "学生"])
            for c in range(rng.choice((1, 1, 2))):
                rows.append([code, "高职组", "main", institution, team, f"教师{teams}-{c}", "指导教师"])
            people += size
            teams += 1
        event += 1
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("报名表")
    sheet.append([c.zh for c in TEAMS.columns])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), {"rows": len(rows), "competitors": people, "teams": teams}


def set_up(rt: Runtime, rounds_of_teams: int) -> int:
    """A fresh provincial competition with the file's institutions, events, divisions and stages."""
    with session_scope(rt.sessions) as session:
        competition = services.create_competition(session, SYSTEM, name="2023年湖南省职业院校技能大赛", year=2023,
                                                  level="province", zones=[{"code": "HN", "name": "湖南省"}])
        zone_id = services.structure(session, SYSTEM, competition.id)[1][0].id
        for name in _institution_names():
            services.create_institution(session, SYSTEM, competition.id, name=name, province="湖南省",
                                        zone_id=zone_id)
        for e in range(EVENTS):
            services.create_event(
                session, SYSTEM, competition.id, code=f"E{e:03d}", name=f"赛项{e:03d}",
                divisions=[{"group": "higher", "name": "高职组",
                            "rules": {"team_size_min": 1, "team_size_max": 4, "coaches_max": 2,
                                      "max_teams_per_institution": rounds_of_teams}}],
                stages=[{"code": "main", "name": "省赛", "kind": "single", "position": 1}])
        return competition.id


def bare_read(content: bytes) -> int:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    cells = sum(len(row) for row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return cells


def run(ctx: Context) -> list[Result]:
    competitors = 300 if ctx.smoke else 4500
    rounds = 1 if ctx.smoke else 4
    env = {"COMPETE_ENV": "testing", "COMPETE_INSTANCE": str(ctx.workdir / "imports"),
           "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789"}
    for key, value in (("DATABASE_URL", ctx.database_url), ("REDIS_URL", ctx.redis_url)):
        if value:
            env[key] = value
    settings = Settings.from_env(env)
    upgrade(settings)
    rt = runtime_module.install(Runtime.build(settings))
    content, counts = build_file(competitors)
    outcomes: list[dict[str, Any]] = []

    def candidate() -> None:
        with session_scope(rt.sessions) as session:
            run_ = imports.start_import(session, SYSTEM, pending.pop(), "teams", "报名表.xlsx", content)
            run_id = run_.id
        status = jobs.run_import(run_id)
        with session_scope(rt.sessions) as session:
            stored = repository.import_run(session, run_id)
            outcomes.append({"status": status, "counts": dict(stored.report.get("counts", {})),
                             "errors": len(stored.report.get("errors", []))})

    # every candidate round imports into its own fresh competition, set up before timing starts
    pending = [set_up(rt, rounds_of_teams=8) for _ in range(rounds)]
    baseline, measured = interleave(lambda: bare_read(content), candidate, rounds)
    ratio, spread = median_ratio(baseline, measured)
    value = statistics.median(measured)
    ok = all(o["status"] == "done" and o["counts"].get("members") == counts["competitors"] for o in outcomes)
    rt.close()
    return [Result(
        id="IMPORT", what=f"import {counts['competitors']} competitors ({counts['rows']} rows, XLSX) in one job",
        value=value, unit="s", baseline=statistics.median(baseline), ratio=ratio,
        goal=f"< {GOAL_SECONDS:.0f} s for 4,500 competitors", met=ok and value < GOAL_SECONDS and not ctx.smoke,
        detail={"samples": measured, "baseline_samples": baseline, "ratio_spread": spread, **counts,
                "imported_correctly": ok, "outcomes": outcomes,
                "database": "postgresql" if ctx.database_url else "sqlite", "pid": os.getpid()},
    )]
