"""The shapes of import and export files, and reading one cell: pure parsing, no storage.

Owns: a ``Shape`` per kind (institutions, teams, judges) as an ordered tuple of ``Column``s,
each with its key and the header spellings accepted in both languages (the file format is the
same whatever language the organiser's screen is in, so headers are data here); ``match_header``
finding each column in a header row; ``text`` normalising a cell (numbers written by Excel as
``3.0`` become ``3``); the value aliases (``学生`` = ``student``, ``裁判长`` = ``chief_judge``) and
``RowError``, one line of an import report (row number as the spreadsheet shows it, column
header, error code, parameters).

Vocabulary: the teams file has one row per *person*: a member (role student or teacher) or a
coach (role coach) of the team named on that row; members keep the order of their rows.

Must not: import anything but the standard library and ``compete.errors``; read storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    required: bool = True

    def label(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en

    def spellings(self) -> set[str]:
        return {_fold(self.key), _fold(self.en), _fold(self.zh)}


@dataclass(frozen=True)
class Shape:
    kind: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


INSTITUTIONS = Shape("institutions", (
    Column("name", "Institution", "院校名称"),
    Column("province", "Province", "省份"),
    Column("zone", "Zone", "赛区", required=False),
))
TEAMS = Shape("teams", (
    Column("event", "Event code", "赛项代码"),
    Column("division", "Division", "组别"),
    Column("stage", "Stage code", "赛段代码"),
    Column("institution", "Institution", "院校名称"),
    Column("team", "Team", "队名"),
    Column("person", "Name", "姓名"),
    Column("role", "Role", "身份"),
))
JUDGES = Shape("judges", (
    Column("name", "Name", "姓名"),
    Column("role", "Role", "角色"),
    Column("institution", "Institution", "院校名称", required=False),
    Column("province", "Province", "省份", required=False),
))
SHAPES = {s.kind: s for s in (INSTITUTIONS, TEAMS, JUDGES)}

#: value → (English spelling, Chinese spelling); parsing accepts either, or the key itself
PERSON_ROLES: dict[str, tuple[str, str]] = {
    "student": ("student", "学生"), "teacher": ("teacher", "教师"), "coach": ("coach", "指导教师"),
}
PERSON_ALIASES = {"选手": "student", "教练": "coach", "指导老师": "coach", "老师": "teacher"}
JUDGE_ROLES: dict[str, tuple[str, str]] = {
    "chief_judge": ("chief judge", "裁判长"), "scoring": ("scoring judge", "评分裁判"),
    "onsite": ("on-site judge", "现场裁判"), "supervisor": ("supervisor", "监督"),
    "arbitrator": ("arbitrator", "仲裁"),
}
JUDGE_ALIASES = {"裁判": "scoring", "监督员": "supervisor", "仲裁员": "arbitrator", "评分员": "scoring"}


@dataclass(frozen=True)
class RowError:
    """One line of an import report. ``row`` is 1-based as the spreadsheet shows it."""

    row: int
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "params": dict(self.params)}


def _fold(text: str) -> str:
    return "".join(text.split()).lower().replace("_", "").replace("-", "")


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers without ``.0``; dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return " ".join(str(value).split())


def match_header(shape: Shape, header: Sequence[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Column key → index in the row, and an error per required column that is missing."""
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        folded = _fold(text(cell))
        for column in shape.columns:
            if folded and folded in column.spellings() and column.key not in index:
                index[column.key] = position
    errors = [RowError(1, column.zh + " / " + column.en, "import.missing_column", {"column": column.en})
              for column in shape.columns if column.required and column.key not in index]
    return index, errors


def alias(value: str, table: Mapping[str, tuple[str, str]], extra: Mapping[str, str]) -> str | None:
    """The key a spelling stands for (``学生`` → ``student``), or None."""
    folded = _fold(value)
    for key, spellings in table.items():
        if folded in {_fold(key), *(_fold(s) for s in spellings)}:
            return key
    return extra.get(value.strip())


def spell(key: str, table: Mapping[str, tuple[str, str]], locale: str) -> str:
    en, zh = table[key]
    return zh if locale.startswith("zh") else en
