"""Bulk imports through the API and the RQ worker: row-level reports, all or nothing, scope,
both file formats and both header languages; exports that import back to the same data."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import func, select

from compete.accounts.models import Judge
from compete.events import EventRecord
from compete.queues import queue
from compete.registration.models import Coach, ImportRun, Institution, Team, TeamMember
from tests.accounts.helpers import sign_in
from tests.registration.factories import TEAM_HEADER, csv_bytes, setup, team_rows, xlsx

OPEN_RULES = {"team_size_min": 2, "team_size_max": 3, "coaches_max": 1, "max_teams_per_institution": None}


def upload(api, competition_id, kind, filename, content):  # type: ignore[no-untyped-def]
    return api.post(f"/api/competitions/{competition_id}/imports", content_type="multipart/form-data",
                    data={"kind": kind, "file": (io.BytesIO(content), filename)})


def work(runtime) -> None:  # type: ignore[no-untyped-def]
    SimpleWorker([queue(runtime.redis, "default")], connection=runtime.redis).work(burst=True)


def run_import(api, runtime, competition_id, kind, filename, content, lang="en"):  # type: ignore[no-untyped-def]
    started = upload(api, competition_id, kind, filename, content)
    assert started.status_code == 202, started.json
    assert started.json["status"] == "queued" and started.headers["Location"] == f"/api/imports/{started.json['id']}"
    work(runtime)
    return api.get(f"/api/imports/{started.json['id']}", headers={"Accept-Language": lang}).json


def counts(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return tuple(session.scalar(select(func.count(m.id))) for m in (Institution, Team, TeamMember, Coach, Judge))


def test_a_4500_row_file_with_3_bad_rows_reports_exactly_them_and_stores_nothing(client, session, runtime):
    s = setup(session, per_zone=25, rules=OPEN_RULES)
    api = sign_in(client, session)
    institutions = list(s.institutions)
    rows = team_rows(institutions, teams_per_institution=30, members=3, coaches=0)
    assert len(rows) == 4500
    good = [list(r) for r in rows]
    rows[99][6] = "队长"  # file row 101: an unknown role
    rows[2000][5] = ""  # file row 2002: a member without a name
    rows[4321][3] = "不存在的学院"  # file row 4323: an institution nobody registered
    before = counts(session)

    report = run_import(api, runtime, s.competition_id, "teams", "报名表.xlsx", xlsx(TEAM_HEADER, rows))
    assert report["status"] == "failed" and report["rows"] == 4500 and report["progress"] == 1.0
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (101, "身份", "import.unknown_role"), (2002, "姓名", "import.required"),
        (4323, "院校名称", "import.unknown_institution")]
    assert report["errors"][0]["message"] == "Unknown role: 队长."
    assert report["errors"][2]["message"] == "No institution is named 不存在的学院; import institutions first."
    assert counts(session) == before

    fixed = run_import(api, runtime, s.competition_id, "teams", "报名表.xlsx", xlsx(TEAM_HEADER, good))
    assert fixed["status"] == "done", fixed["errors"][:3]
    assert fixed["counts"] == {"created": 1500, "updated": 0, "unchanged": 0, "members": 4500, "coaches": 0}
    assert counts(session)[1:3] == (before[1] + 1500, before[2] + 4500)
    session.expire_all()
    types = [e.type for e in session.scalars(select(EventRecord).where(EventRecord.type.like("import.%")))]
    assert types == ["import.queued", "import.rejected", "import.queued", "import.completed"]


def test_team_rules_are_checked_per_team_and_reported_on_its_rows(client, session, runtime):
    s = setup(session)  # 2–3 students, 1 coach, 2 teams per institution
    api = sign_in(client, session)
    rows = [
        ["YJJY", "高职组", "zone", "广东省学院0", "甲队", "张一", "学生"],  # row 2: a team of one
        ["YJJY", "高职组", "zone", "广东省学院1", "乙队", "张二", "学生"],
        ["YJJY", "高职组", "zone", "广东省学院1", "乙队", "张三", "教师"],  # row 4: a teacher in a student division
        ["YJJY", "高职组", "zone", "广东省学院1", "乙队", "张四", "指导教师"],
        ["YJJY", "高职组", "zone", "广东省学院1", "乙队", "张五", "指导教师"],  # row 6: a second coach
        ["YJJY", "本科组", "zone", "广东省学院2", "丙队", "张六", "学生"],  # row 7: no such division
    ]
    report = run_import(api, runtime, s.competition_id, "teams", "teams.csv", csv_bytes(TEAM_HEADER, rows))
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (2, "队名", "team.too_few_members"),
        (4, "身份", "team.member_role_not_allowed"),
        (6, "身份", "team.too_many_coaches"),
        (7, "组别", "import.unknown_division"),
    ]
    assert counts(session)[1] == 0


def test_institutions_then_teams_then_judges_with_english_headers_and_gb18030_csv(client, session, runtime):
    s = setup(session, per_zone=0)
    api = sign_in(client, session)
    institutions = [["Institution", "Province", "Zone"], ["顺德职业技术学院", "广东省", "GD"],
                    ["湖南安全技术职业学院", "湖南省", "湖南赛区"], ["培黎职业学院", "甘肃省", ""]]
    report = run_import(api, runtime, s.competition_id, "institutions", "inst.csv",
                        csv_bytes(institutions[0], institutions[1:], encoding="gb18030"))
    assert report["status"] == "done" and report["counts"]["created"] == 3
    teams = [["Event code", "Division", "Stage code", "Institution", "Team", "Name", "Role"],
             ["YJJY", "higher", "zone", "顺德职业技术学院", "顺德一队", "陈一", "student"],
             ["YJJY", "higher", "zone", "顺德职业技术学院", "顺德一队", "陈二", "student"],
             ["YJJY", "higher", "zone", "顺德职业技术学院", "顺德一队", "林老师", "coach"]]
    assert run_import(api, runtime, s.competition_id, "teams", "t.xlsx", xlsx(teams[0], teams[1:]))["status"] == "done"
    team = api.get(f"/api/competitions/{s.competition_id}/teams").json["teams"][0]
    assert team["zone"] == s.zones["GD"] and team["coaches"] == ["林老师"]
    assert [m["name"] for m in team["members"]] == ["陈一", "陈二"]
    judges = [["姓名", "角色", "院校名称", "省份"], ["赵裁判", "裁判长", "湖南安全技术职业学院", ""],
              ["钱裁判", "scoring judge", "", "北京市"], ["孙仲裁", "仲裁", "", ""]]
    report = run_import(api, runtime, s.competition_id, "judges", "j.csv", csv_bytes(judges[0], judges[1:]))
    assert report["status"] == "done" and report["counts"]["created"] == 3
    session.expire_all()
    rows = {j.name: (j.role, j.province) for j in session.scalars(select(Judge))}
    assert rows == {"赵裁判": ("chief_judge", "湖南省"), "钱裁判": ("scoring", "北京市"), "孙仲裁": ("arbitrator", None)}


def test_file_level_problems(client, session, runtime):
    s = setup(session)
    api = sign_in(client, session)
    missing = run_import(api, runtime, s.competition_id, "teams", "t.csv",
                         csv_bytes(TEAM_HEADER[:-1], [["YJJY", "高职组", "zone", "广东省学院0", "队", "人"]]))
    assert [(e["row"], e["code"]) for e in missing["errors"]] == [(1, "import.missing_column")]
    assert "Role" in missing["errors"][0]["message"]
    garbage = run_import(api, runtime, s.competition_id, "teams", "t.xlsx", b"not a spreadsheet")
    assert [e["code"] for e in garbage["errors"]] == ["import.unreadable"]
    wrong_type = upload(api, s.competition_id, "teams", "t.pdf", b"%PDF")
    assert wrong_type.status_code == 422 and wrong_type.json["fields"].keys() == {"file"}
    assert upload(api, s.competition_id, "players", "t.csv", b"x").status_code == 422


def test_a_zone_admin_imports_only_rows_of_their_zone(client, session, runtime):
    s = setup(session)
    api = sign_in(client, session, ["zone_admin"], zone_id=s.zones["GD"])
    rows = team_rows(["广东省学院0", "湖南省学院0"], teams_per_institution=1, members=2, coaches=0)
    report = run_import(api, runtime, s.competition_id, "teams", "t.csv", csv_bytes(TEAM_HEADER, rows))
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(4, "import.zone_forbidden"),
                                                                  (5, "import.zone_forbidden")]
    assert run_import(api, runtime, s.competition_id, "teams", "t.csv",
                      csv_bytes(TEAM_HEADER, rows[:2]))["status"] == "done"
    admin = sign_in(client.application.test_client(), session)
    other = sign_in(client.application.test_client(), session, ["zone_admin"], zone_id=s.zones["HN"])
    run_id = session.scalars(select(ImportRun.id).order_by(ImportRun.id)).first()
    assert admin.get(f"/api/imports/{run_id}").status_code == 200
    assert other.get(f"/api/imports/{run_id}").status_code == 404  # another zone admin's import
    judge = sign_in(client.application.test_client(), session, ["judge"])
    assert upload(judge, s.competition_id, "teams", "t.csv", csv_bytes(TEAM_HEADER, rows[:2])).status_code == 403


def read_xlsx(content):  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_export_then_import_is_an_identity(client, session, runtime):
    s = setup(session, per_zone=3)
    api = sign_in(client, session)
    rows = team_rows(list(s.institutions), teams_per_institution=2, members=3, coaches=1)
    rows[1][6] = "学生"
    assert run_import(api, runtime, s.competition_id, "teams", "t.xlsx", xlsx(TEAM_HEADER, rows))["status"] == "done"
    judges = [["姓名", "角色", "院校名称", "省份"], ["赵一", "裁判长", "湖南省学院0", ""], ["钱二", "评分裁判", "", "北京市"]]
    run_import(api, runtime, s.competition_id, "judges", "j.csv", csv_bytes(judges[0], judges[1:]))

    exported = {}
    for kind in ("institutions", "teams", "judges"):
        for fmt in ("csv", "xlsx"):
            response = api.get(f"/api/competitions/{s.competition_id}/exports/{kind}.{fmt}",
                               headers={"Accept-Language": "zh-CN"})
            assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
            exported[(kind, fmt)] = response.data
    assert read_xlsx(exported[("teams", "xlsx")])[0] == TEAM_HEADER
    assert read_xlsx(exported[("teams", "xlsx")])[1:] == rows

    # 1) re-importing the export into the same competition changes nothing
    for kind in ("institutions", "teams", "judges"):
        again = run_import(api, runtime, s.competition_id, kind, f"{kind}.xlsx", exported[(kind, "xlsx")])
        assert again["status"] == "done" and again["counts"]["created"] == again["counts"]["updated"] == 0
    # 2) importing it into a fresh competition gives the same export, byte for byte (CSV)
    fresh = setup(session, per_zone=0)
    for kind in ("institutions", "teams", "judges"):
        assert run_import(api, runtime, fresh.competition_id, kind, f"{kind}.csv",
                          exported[(kind, "csv")])["status"] == "done"
    for kind in ("institutions", "teams", "judges"):
        response = api.get(f"/api/competitions/{fresh.competition_id}/exports/{kind}.csv",
                           headers={"Accept-Language": "zh-CN"})
        assert response.data == exported[(kind, "csv")], kind
    # 3) English spellings import to the same data
    english = api.get(f"/api/competitions/{s.competition_id}/exports/teams.csv", headers={"Accept-Language": "en"})
    assert english.data.decode("utf-8-sig").startswith("Event code,Division,Stage code")
    assert run_import(api, runtime, s.competition_id, "teams", "en.csv", english.data)["counts"]["unchanged"] == 12


def test_a_changed_team_is_updated_in_place(client, session, runtime):
    s = setup(session)
    api = sign_in(client, session)
    rows = team_rows(["广东省学院0"], teams_per_institution=1, members=2, coaches=1)
    run_import(api, runtime, s.competition_id, "teams", "t.csv", csv_bytes(TEAM_HEADER, rows))
    team_id = session.scalar(select(Team.id))
    rows[1][5] = "新队员"
    report = run_import(api, runtime, s.competition_id, "teams", "t.csv", csv_bytes(TEAM_HEADER, rows))
    assert report["counts"]["updated"] == 1
    session.expire_all()
    assert [m.name for m in session.get(Team, team_id).members][1] == "新队员"


def test_a_registration_landing_while_the_file_is_checked_is_taken_into_account(client, session, runtime,
                                                                                monkeypatch):
    from compete.registration import imports as imports_module
    from compete.registration import jobs

    s = setup(session)  # at most 2 teams per institution
    api = sign_in(client, session)
    team = {"stage": s.zone_stage_id, "division": s.division_id, "institution": s.institutions["广东省学院0"],
            "members": [{"name": "甲"}, {"name": "乙"}]}
    assert api.post("/api/teams", json={**team, "name": "先报一队"}).status_code == 201
    checks = []
    real = imports_module.check_rows

    def check_then_someone_registers(*args, **kwargs):  # type: ignore[no-untyped-def]
        checked = real(*args, **kwargs)
        checks.append(checked.errors)
        if len(checks) == 1:  # between the read-only check and the write
            assert api.post("/api/teams", json={**team, "name": "抢先二队"}).status_code == 201
        return checked

    monkeypatch.setattr(jobs.imports, "check_rows", check_then_someone_registers)
    rows = team_rows(["广东省学院0"], teams_per_institution=1, members=2, coaches=0)
    report = run_import(api, runtime, s.competition_id, "teams", "t.csv", csv_bytes(TEAM_HEADER, rows))
    assert checks[0] == [] and len(checks) == 2  # the first check passed; the competition moved; checked again
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(2, "team.institution_limit")]
    session.expire_all()
    assert session.scalar(select(func.count(Team.id))) == 2
