"""Registration factories: a competition set up through the real services, and import files.

``setup(session)`` makes a competition with two zones (GD, HN), three institutions per zone, one
event (YJJY) with a higher-vocational division (2–3 students, 1 coach at most, 2 teams per
institution) and a zone stage and a final. ``team_rows(...)`` builds the rows of a teams file.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from compete.registration import services
from compete.security import SYSTEM

TEAM_HEADER = ["赛项代码", "组别", "赛段代码", "院校名称", "队名", "姓名", "身份"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclasses.dataclass
class Setup:
    competition_id: int
    zones: dict[str, int]  # code → id
    institutions: dict[str, int]  # name → id
    event_id: int
    division_id: int
    zone_stage_id: int
    final_stage_id: int


def setup(session: Session, *, per_zone: int = 3, rules: dict[str, Any] | None = None) -> Setup:
    competition = services.create_competition(
        session, SYSTEM, name="2026 测试大赛", year=2026, level="national",
        zones=[{"code": "GD", "name": "广东赛区"}, {"code": "HN", "name": "湖南赛区"}])
    zones = {z.code: z.id for z in services.structure(session, SYSTEM, competition.id)[1]}
    institutions = {}
    for code, province in (("GD", "广东省"), ("HN", "湖南省")):
        for i in range(per_zone):
            row = services.create_institution(session, SYSTEM, competition.id, name=f"{province}学院{i}",
                                              province=province, zone_id=zones[code])
            institutions[row.name] = row.id
    event = services.create_event(
        session, SYSTEM, competition.id, code="YJJY", name="应急救援技术",
        divisions=[{"group": "higher", "name": "高职组", "rules": rules or {
            "team_size_min": 2, "team_size_max": 3, "coaches_max": 1, "max_teams_per_institution": 2}}],
        stages=[{"code": "zone", "name": "赛区选拔赛", "kind": "zone", "position": 1},
                {"code": "final", "name": "总决赛", "kind": "final", "position": 2}])
    session.commit()
    stages = {s.kind: s.id for s in event.stages}
    return Setup(competition.id, zones, institutions, event.id, event.divisions[0].id, stages["zone"],
                 stages["final"])


def person(i: int) -> str:
    return f"{SURNAMES[i % len(SURNAMES)]}{i:05d}"


def team_rows(institutions: list[str], teams_per_institution: int, members: int = 3,
              coaches: int = 1) -> list[list[str]]:
    rows = []
    n = 0
    for institution in institutions:
        for t in range(teams_per_institution):
            for _ in range(members):
                rows.append(["YJJY", "高职组", "zone", institution, f"{institution}代表队{t + 1}", person(n), "学生"])
                n += 1
            for _ in range(coaches):
                rows.append(["YJJY", "高职组", "zone", institution, f"{institution}代表队{t + 1}", person(n), "指导教师"])
                n += 1
    return rows


def xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("teams")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)
