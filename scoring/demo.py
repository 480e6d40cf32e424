"""The demo: one realistic national selection round, seeded into an empty (or any) database.

Owns: ``seed(session, seed=2026)``, which builds the 2026 national selection of the emergency
rescue technology event (应急救援技术) at the scale of domain.md: 13 zones (赛区, 8 of them
central/western), 83 institutions (院校, the 14 real ones among them), 287 teams (参赛队) in the
higher-vocational division (高职组) of the zone stage, a 24-aspect marking scheme (评分标准:
theory 30 %, practical 70 % with sub-criteria and all four aspect kinds), one panel per zone of
five scoring judges and a chief judge (裁判长) from institutions of other zones (so nobody is
recused), a device for each scoring judge, one live board per zone plus the final's board, one
draft sheet per scoring judge × team, and an entry-number draw per zone recorded with its seed.

Vocabulary: ``DEMO_NAME`` is the competition's name and the idempotency key: seeding when a
competition of that name exists returns the summary of the stored one and adds nothing.
``DemoSummary.tokens`` maps judge id → device token; tokens exist only at issue time, so a
repeated ``seed`` returns an empty mapping. Everything is drawn from ``random.Random(seed)``
(and, per zone, from the recorded draw seed), never from the global generator.

Must not: commit (the caller's unit of work does), import flask, or submit marks (see
``scoring.simulate``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts.models import Judge
from compete.accounts.services import issue_device
from compete.registration.models import (
    Coach, Competition, Division, Draw, Institution, SkillEvent, Stage, Team, TeamMember, Zone,
)
from compete.security import SYSTEM
from scoring import boards
from scoring.models import Aspect, Board, Criterion, Panel, PanelAspect, PanelJudge, Scheme, Sheet

DEMO_NAME = "2026年全国职业院校技能大赛 应急救援技术赛项"
EVENT_NAME = "应急救援技术"
DIVISION_NAME = "高职组"
SCORING_JUDGES = 5
STUDENTS_PER_TEAM = 3
MAX_TEAMS_PER_INSTITUTION = 4

#: code, name, provinces (each province in exactly one zone), institutions, teams
ZONES: tuple[tuple[str, str, tuple[str, ...], int, int], ...] = (
    ("GD", "广东赛区", ("广东省", "福建省", "海南省"), 8, 31),
    ("HD", "华东赛区", ("江苏省", "浙江省", "上海市", "安徽省"), 9, 34),
    ("HEN", "河南赛区", ("河南省", "山西省"), 6, 22),
    ("BJ", "北京赛区", ("北京市", "天津市", "河北省", "吉林省", "辽宁省", "黑龙江省"), 7, 26),
    ("SD", "山东赛区", ("山东省", "江西省"), 7, 26),
    ("HN", "湖南赛区", ("湖南省",), 7, 23),
    ("HB", "湖北赛区", ("湖北省",), 6, 20),
    ("CQ", "重庆赛区", ("重庆市", "贵州省"), 6, 20),
    ("SC", "四川赛区", ("四川省", "西藏自治区"), 6, 19),
    ("GX", "广西赛区", ("广西壮族自治区",), 5, 17),
    ("GS", "甘肃赛区", ("甘肃省", "宁夏回族自治区", "青海省", "新疆维吾尔自治区"), 7, 22),
    ("SN", "陕西赛区", ("陕西省", "内蒙古自治区"), 5, 16),
    ("YN", "云南赛区", ("云南省",), 4, 11),
)
CENTRAL_WESTERN = ("HN", "HB", "CQ", "SC", "GX", "GS", "SN", "YN")

#: the real institutions of domain.md: name, province, zone code
REAL_INSTITUTIONS: tuple[tuple[str, str, str], ...] = (
    ("湖南安全技术职业学院", "湖南省", "HN"),
    ("重庆工业职业技术学院", "重庆市", "CQ"),
    ("重庆安全技术职业学院", "重庆市", "CQ"),
    ("兰州资源环境职业技术大学", "甘肃省", "GS"),
    ("广西安全工程职业技术学院", "广西壮族自治区", "GX"),
    ("江苏安全技术职业学院", "江苏省", "HD"),
    ("辽源职业技术学院", "吉林省", "BJ"),
    ("酒泉职业技术学院", "甘肃省", "GS"),
    ("兰州石化职业技术大学", "甘肃省", "GS"),
    ("甘肃卫生职业学院", "甘肃省", "GS"),
    ("培黎职业学院", "甘肃省", "GS"),
    ("顺德职业技术学院", "广东省", "GD"),
    ("浙江安防职业技术学院", "浙江省", "HD"),
    ("武汉职业技术学院", "湖北省", "HB"),
)

CITIES: Mapping[str, tuple[str, ...]] = {
    "广东省": ("广州", "深圳", "佛山", "东莞", "珠海", "惠州", "中山", "江门", "湛江", "汕头"),
    "福建省": ("福州", "厦门", "泉州", "漳州"), "海南省": ("海口", "三亚"),
    "江苏省": ("南京", "苏州", "无锡", "常州", "徐州", "南通"), "浙江省": ("杭州", "宁波", "温州", "金华"),
    "上海市": ("上海",), "安徽省": ("合肥", "芜湖", "安庆", "淮南"),
    "河南省": ("郑州", "洛阳", "开封", "平顶山", "焦作", "南阳"), "山西省": ("太原", "大同", "长治"),
    "北京市": ("北京",), "天津市": ("天津",), "河北省": ("石家庄", "唐山", "保定"),
    "吉林省": ("长春", "吉林"), "辽宁省": ("沈阳", "大连", "抚顺"), "黑龙江省": ("哈尔滨", "大庆"),
    "山东省": ("济南", "青岛", "淄博", "烟台", "潍坊", "东营"), "江西省": ("南昌", "九江"),
    "湖南省": ("长沙", "株洲", "湘潭", "衡阳", "岳阳", "郴州"), "湖北省": ("武汉", "宜昌", "襄阳", "黄石", "十堰"),
    "重庆市": ("重庆",), "贵州省": ("贵阳", "遵义", "六盘水"),
    "四川省": ("成都", "绵阳", "自贡", "泸州", "达州", "攀枝花"), "西藏自治区": ("拉萨",),
    "广西壮族自治区": ("南宁", "柳州", "桂林", "梧州"),
    "甘肃省": ("兰州", "天水", "白银", "武威"), "宁夏回族自治区": ("银川",), "青海省": ("西宁",),
    "新疆维吾尔自治区": ("乌鲁木齐", "克拉玛依"),
    "陕西省": ("西安", "宝鸡", "咸阳", "延安", "榆林"), "内蒙古自治区": ("呼和浩特", "包头", "鄂尔多斯"),
    "云南省": ("昆明", "曲靖", "玉溪"),
}
KINDS_OF_COLLEGE = ("职业技术学院", "职业学院", "安全技术职业学院", "工业职业技术学院", "应急管理职业学院",
                    "能源职业技术学院", "化工职业技术学院", "交通职业技术学院", "建筑职业技术学院",
                    "工程职业技术学院", "卫生职业学院", "矿业职业技术学院")
SHORT_SUFFIXES = ("职业技术大学", "职业技术学院", "职业学院")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万覃")
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "军", "洋", "勇", "杰", "涛", "超", "鹏", "浩然", "子涵", "欣怡",
         "梓萱", "宇航", "思远", "嘉豪", "佳琪", "一凡", "俊杰", "晓峰", "海燕", "春雨", "雪梅", "振宇", "天佑",
         "诗雅", "凯瑞", "鑫磊", "文博", "志强", "建国", "秀英", "丽华", "玉兰", "明轩", "雨萱", "晨曦", "子豪",
         "博文", "晓东", "宏伟", "立新", "国栋", "婷婷", "佳慧", "家乐", "世杰", "永康", "安琪", "梦瑶", "泽宇",
         "俊熙", "若曦", "昊天", "靖宇", "文静", "晓琳", "志远", "德华", "红梅", "小龙", "思琪", "浩宇", "紫涵")
ORDINALS = "一二三四"

#: module code, name, weight
MODULES = (("theory", "理论知识", "0.3"), ("practical", "实操技能", "0.7"))
#: sub-criterion code, name (all in the practical module)
SUB_CRITERIA = (("PA", "现场评估与个人防护"), ("PB", "伤员救护"), ("PC", "技术救援"),
                ("PD", "组织协同"), ("PE", "安全与规范扣分"))
#: aspect code, criterion code, kind, max, name
ASPECTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("T1", "theory", "points", "10", "应急管理法律法规"),
    ("T2", "theory", "points", "10", "危险源辨识与风险评估"),
    ("T3", "theory", "points", "10", "现场急救基础知识"),
    ("T4", "theory", "points", "10", "消防与灭火救援知识"),
    ("T5", "theory", "points", "10", "救援装备原理与使用"),
    ("T6", "theory", "points", "10", "事故案例分析"),
    ("P1", "PA", "judgement", "6", "现场安全评估"),
    ("P2", "PA", "measurement", "5", "个人防护装备穿戴"),
    ("P3", "PA", "measurement", "4", "警戒区域设置"),
    ("P4", "PB", "judgement", "6", "伤员检伤分类"),
    ("P5", "PB", "points", "10", "心肺复苏操作"),
    ("P6", "PB", "points", "8", "止血包扎"),
    ("P7", "PB", "points", "8", "骨折固定"),
    ("P8", "PB", "judgement", "6", "搬运转运"),
    ("P9", "PB", "measurement", "5", "AED除颤操作达标"),
    ("P10", "PC", "points", "12", "绳索救援"),
    ("P11", "PC", "points", "10", "破拆作业"),
    ("P12", "PC", "judgement", "6", "受限空间救援"),
    ("P13", "PC", "measurement", "5", "救援装备检查"),
    ("P14", "PD", "judgement", "6", "团队协作"),
    ("P15", "PD", "judgement", "6", "通讯报告"),
    ("P16", "PD", "points", "5", "时间管理"),
    ("P17", "PE", "deduction", "10", "安全操作违规"),
    ("P18", "PE", "deduction", "5", "器材损坏与遗失"),
)


@dataclasses.dataclass(frozen=True)
class DemoSummary:
    competition_id: int
    zones: int
    institutions: int
    teams: int
    judges: int
    scoring_judges: int
    aspects: int
    sheets: int
    zone_board_ids: tuple[int, ...]
    final_board_id: int
    created: bool
    sample_judge_id: int | None = None
    #: printed by ``str`` (for the organiser at the console), kept out of ``repr`` (and logs)
    sample_device_token: str | None = dataclasses.field(default=None, repr=False)
    #: judge id → device token, only when this call issued the devices (tokens are shown once)
    tokens: Mapping[int, str] = dataclasses.field(default_factory=dict, repr=False, compare=False, hash=False)

    def __str__(self) -> str:
        text = (f"competition {self.competition_id} ({'seeded' if self.created else 'already present'}): "
                f"{self.zones} zones, {self.institutions} institutions, {self.teams} teams, "
                f"{self.judges} judges ({self.scoring_judges} scoring), {self.aspects} aspects, "
                f"{self.sheets} sheets; zone boards {self.zone_board_ids[0]}..{self.zone_board_ids[-1]}, "
                f"final board {self.final_board_id}")
        if self.sample_device_token:
            text += f"; judge {self.sample_judge_id}'s tablet token: {self.sample_device_token}"
        return text


def seed(session: Session, *, seed: int = 2026) -> DemoSummary:
    """Seed the demo competition (or return the stored one's summary). Flushes, never commits."""
    existing = session.scalar(select(Competition.id).where(Competition.name == DEMO_NAME).limit(1))
    if existing is not None:
        return summarise(session, existing, created=False)
    rng = random.Random(seed)
    competition = Competition(name=DEMO_NAME, year=2026, level="national", default_locale="zh_CN", rules={})
    session.add(competition)
    session.flush()
    cid = competition.id
    zones = {code: Zone(competition_id=cid, code=code, name=name) for code, name, *_ in ZONES}
    session.add_all(zones.values())
    homes = _institutions(cid, rng)  # (zone code, institution)
    event = SkillEvent(competition_id=cid, code="YJJY", name=EVENT_NAME,
                       rules={"aggregation": "trimmed_mean", "trim": 1, "decimals": 2,
                              "advancement": {"per_zone": 3}})
    session.add(event)
    session.flush()
    for code, inst in homes:
        inst.zone_id = zones[code].id
    session.add_all(inst for _, inst in homes)
    division = Division(event_id=event.id, group="higher", name=DIVISION_NAME,
                        rules={"team_size_min": 3, "team_size_max": 4,
                               "max_teams_per_institution": MAX_TEAMS_PER_INSTITUTION})
    zone_stage = Stage(event_id=event.id, code="zone", name="赛区选拔赛", kind="zone", position=1)
    final_stage = Stage(event_id=event.id, code="final", name="全国总决赛", kind="final", position=2)
    session.add_all([division, zone_stage, final_stage])
    session.flush()
    aspects = _scheme(session, event.id)

    teams = _teams(homes, division, zone_stage, zones, rng)
    session.add_all(teams)
    session.flush()
    _draw_entry_numbers(session, teams, zones, division, zone_stage, seed, cid)

    tokens: dict[int, str] = {}
    zone_board_ids = []
    for code, name, *_ in ZONES:
        zone = zones[code]
        board = boards.get_or_create(session, zone_stage, division, zone.id,
                                     f"{EVENT_NAME} · {DIVISION_NAME} · {name}")
        zone_board_ids.append(board.id)
        panel = Panel(stage_id=zone_stage.id, division_id=division.id, zone_id=zone.id, name=f"{name}裁判组")
        session.add(panel)
        judges = _panel_judges(cid, code, homes, rng)
        session.add_all(judges)
        session.flush()
        session.add_all(PanelAspect(panel_id=panel.id, aspect_id=a.id) for a in aspects)
        session.add_all(PanelJudge(panel_id=panel.id, judge_id=j.id, role=j.role) for j in judges)
        scoring = [j for j in judges if j.role == "scoring"]
        for number, judge in enumerate(scoring, start=1):
            _device, token = issue_device(session, judge.id, f"{name} {number}号评分平板", actor=SYSTEM)
            tokens[judge.id] = token
        session.add_all(
            Sheet(panel_id=panel.id, judge_id=judge.id, team_id=team.id, board_id=board.id, state="draft")
            for team in teams if team.zone_id == zone.id for judge in scoring
        )
    final_board = boards.get_or_create(session, final_stage, division, None,
                                       f"{EVENT_NAME} · {DIVISION_NAME} · 全国总决赛")
    session.flush()
    summary = summarise(session, cid, created=True, tokens=tokens)
    events.append(
        session, "competition.seeded",
        {"competition": cid, "seed": seed, "zones": summary.zones, "institutions": summary.institutions,
         "teams": summary.teams, "judges": summary.judges, "sheets": summary.sheets,
         "boards": [*zone_board_ids, final_board.id]},
        actor=SYSTEM.label, competition_id=cid,
    )
    session.flush()
    return summary


def summarise(session: Session, competition_id: int, *, created: bool,
              tokens: Mapping[int, str] | None = None) -> DemoSummary:
    """Counts and ids of a seeded demo, read back from the database."""
    tokens = dict(tokens or {})
    event_ids = select(SkillEvent.id).where(SkillEvent.competition_id == competition_id)
    stage_ids = select(Stage.id).where(Stage.event_id.in_(event_ids))
    judge_ids = select(Judge.id).where(Judge.competition_id == competition_id)

    def count(query: Select[Any]) -> int:
        return int(session.scalar(query) or 0)

    board_rows = session.execute(
        select(Board.id, Board.zone_id).where(Board.stage_id.in_(stage_ids)).order_by(Board.id)).all()
    scheme_ids = select(Scheme.id).where(Scheme.event_id.in_(event_ids))
    sample = min(tokens) if tokens else None
    return DemoSummary(
        competition_id=competition_id,
        zones=count(select(func.count(Zone.id)).where(Zone.competition_id == competition_id)),
        institutions=count(select(func.count(Institution.id)).where(Institution.competition_id == competition_id)),
        teams=count(select(func.count(Team.id)).where(Team.stage_id.in_(stage_ids))),
        judges=count(select(func.count(Judge.id)).where(Judge.competition_id == competition_id)),
        scoring_judges=count(select(func.count(func.distinct(PanelJudge.judge_id))).where(
            PanelJudge.judge_id.in_(judge_ids), PanelJudge.role == "scoring")),
        aspects=count(select(func.count(Aspect.id)).where(Aspect.scheme_id.in_(scheme_ids))),
        sheets=count(select(func.count(Sheet.id)).where(Sheet.judge_id.in_(judge_ids))),
        zone_board_ids=tuple(b for b, zone in board_rows if zone is not None),
        final_board_id=next((b for b, zone in board_rows if zone is None), 0),
        created=created, sample_judge_id=sample,
        sample_device_token=tokens.get(sample) if sample is not None else None, tokens=tokens,
    )


def short_name(institution: str) -> str:
    """顺德职业技术学院 → 顺德: the name without its kind of college."""
    for suffix in SHORT_SUFFIXES:
        if institution.endswith(suffix) and len(institution) > len(suffix):
            return institution[: -len(suffix)]
    return institution


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


# -- builders ---------------------------------------------------------------------------------

def _institutions(cid: int, rng: random.Random) -> list[tuple[str, Institution]]:
    """Every institution with its zone's code: the real ones first, then generated unique names."""
    names = {name for name, _, _ in REAL_INSTITUTIONS}
    shorts = {short_name(name) for name in names}
    rows: list[tuple[str, Institution]] = []
    for code, _name, provinces, wanted, _teams in ZONES:
        members = [(n, p) for n, p, z in REAL_INSTITUTIONS if z == code]
        places = [(province, city) for province in provinces for city in CITIES[province]]
        while len(members) < wanted:
            province, city = rng.choice(places)
            name = city + rng.choice(KINDS_OF_COLLEGE)
            if name in names or short_name(name) in shorts:
                continue
            names.add(name)
            shorts.add(short_name(name))
            members.append((name, province))
        rows.extend((code, Institution(competition_id=cid, name=name, province=province))
                    for name, province in members)
    return rows


def _teams(homes: list[tuple[str, Institution]], division: Division, stage: Stage,
           zones: Mapping[str, Zone], rng: random.Random) -> list[Team]:
    teams: list[Team] = []
    for code, _name, _provinces, _wanted, wanted_teams in ZONES:
        members = [inst for home, inst in homes if home == code]
        counts = [1] * len(members)
        while sum(counts) < wanted_teams:
            open_ = [k for k, c in enumerate(counts) if c < MAX_TEAMS_PER_INSTITUTION]
            counts[rng.choice(open_)] += 1
        for inst, n in zip(members, counts, strict=True):
            for k in range(n):
                suffix = f"代表{ORDINALS[k]}队" if n > 1 else "代表队"
                team = Team(division_id=division.id, stage_id=stage.id, institution_id=inst.id,
                            zone_id=zones[code].id, name=short_name(inst.name) + suffix, status="registered")
                team.members = [TeamMember(name=person_name(rng), role="student", position=p)
                                for p in range(1, STUDENTS_PER_TEAM + 1)]
                team.coaches = [Coach(name=person_name(rng)) for _ in range(rng.choice((1, 2)))]
                teams.append(team)
    return teams


def _draw_entry_numbers(session: Session, teams: list[Team], zones: Mapping[str, Zone], division: Division,
                        stage: Stage, seed: int, cid: int) -> None:
    """One recorded draw per zone: shuffle 1..n with Random(draw seed), in team id order."""
    for code, *_ in ZONES:
        zone_teams = sorted((t for t in teams if t.zone_id == zones[code].id), key=lambda t: t.id)
        draw_seed = f"demo-{seed}-entry-{code}"
        numbers = list(range(1, len(zone_teams) + 1))
        random.Random(draw_seed).shuffle(numbers)
        result = {}
        for team, number in zip(zone_teams, numbers, strict=True):
            team.entry_number = f"{code}-{number:02d}"
            result[str(team.id)] = team.entry_number
        draw = Draw(stage_id=stage.id, division_id=division.id, kind="entry", seed=draw_seed,
                    actor=SYSTEM.label, result=result)
        session.add(draw)
        session.flush()
        events.append(session, "draw.recorded",
                      {"draw": draw.id, "kind": "entry", "zone": zones[code].id, "seed": draw_seed,
                       "teams": len(zone_teams)},
                      actor=SYSTEM.label, competition_id=cid)


def _scheme(session: Session, event_id: int) -> list[Aspect]:
    scheme = Scheme(event_id=event_id, name=f"{EVENT_NAME}赛项评分标准")
    session.add(scheme)
    session.flush()
    criteria = {code: Criterion(scheme_id=scheme.id, code=code, name=name, weight=Decimal(weight), position=i)
                for i, (code, name, weight) in enumerate(MODULES, start=1)}
    session.add_all(criteria.values())
    session.flush()
    for i, (code, name) in enumerate(SUB_CRITERIA, start=1):
        criteria[code] = Criterion(scheme_id=scheme.id, parent_id=criteria["practical"].id, code=code,
                                   name=name, weight=Decimal(1), position=i)
    session.add_all(criteria.values())
    session.flush()
    aspects = [Aspect(scheme_id=scheme.id, criterion_id=criteria[criterion].id, code=code, name=name, kind=kind,
                      max_mark=Decimal(maximum), position=i)
               for i, (code, criterion, kind, maximum, name) in enumerate(ASPECTS, start=1)]
    session.add_all(aspects)
    session.flush()
    return aspects


def _panel_judges(cid: int, zone_code: str, homes: list[tuple[str, Institution]],
                  rng: random.Random) -> list[Judge]:
    """Five scoring judges and a chief judge, each from a different institution of another zone."""
    others = [inst for home, inst in homes if home != zone_code]
    picked = rng.sample(others, SCORING_JUDGES + 1)
    return [Judge(competition_id=cid, name=person_name(rng), role="chief_judge" if k == 0 else "scoring",
                  institution_id=inst.id, province=inst.province)
            for k, inst in enumerate(picked)]
