"""Scoring queries: turn stored rows into the pure engine's inputs, fast.

- ``load_scheme`` maps a scheme's criteria tree and aspects to ``scoring.domain.scheme.Scheme``
  (each aspect's module is its top-level criterion, its sub-criterion the name of the criterion
  it hangs from when that is not the module; ``step``, ``tolerance`` and ``scale_to`` too).
- ``read_marks(session, board_id, after_id=0)`` reads a board's mark rows newer than
  ``after_id``, oldest first, as ``MarkRow`` tuples (entry, aspect, judge, value, id). It goes to
  the driver's cursor directly: 90,000 rows through ORM rows and ``MarkInput`` objects cost
  ~300 ms, through the cursor ~45 ms (see bench/recompute.py). Values come back as ``Decimal``
  with the column's 4 places on every database (SQLite's integers and reals are converted once
  per distinct value).
- ``read_panels`` / ``current_panels`` fold the rows into (entry, aspect) → judge → value as
  they are read, keeping the latest revision; ``current_marks`` is the same as ``MarkInput``s.
- ``board_teams`` lists the teams a board ranks; ``entries_of`` makes them engine entries.

Latest revision: a sheet is one judge × one team, so (team, aspect, judge) names a (sheet,
aspect) pair. A revision is written only after the previous one committed (its number is read
from it), so a later revision always has a larger id: folding rows in id order keeps the latest.

Must not: commit, or hold rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from compete.registration.models import Team
from scoring.domain.engine import EntryInput, MarkInput
from scoring.domain.scheme import Aspect as DomainAspect
from scoring.domain.scheme import AspectKind, Module, Scheme, ToleranceBand
from scoring.models import Aspect, Board, Criterion
from scoring.models import Scheme as SchemeRow

#: (entry id, aspect id) → judge id → current value
Panels = dict[tuple[int, int], dict[int, Decimal]]


class MarkRow(NamedTuple):
    entry_id: int
    aspect_id: int
    judge_id: int
    value: Decimal
    id: int


def scheme_row(session: Session, event_id: int) -> SchemeRow | None:
    return session.scalar(select(SchemeRow).where(SchemeRow.event_id == event_id))


def _tolerance(raw: Any) -> tuple[ToleranceBand, ...]:
    return tuple(ToleranceBand(Decimal(str(b["within"])), Decimal(str(b["mark"]))) for b in raw or ())


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


class _Criterion(NamedTuple):
    id: int
    parent_id: int | None
    code: str
    name: str
    weight: Any
    position: int
    scale_to: Any


class _Aspect(NamedTuple):
    id: int
    criterion_id: int
    code: str
    name: str
    kind: str
    max_mark: Any
    step: Any
    tolerance: Any


_CRITERION_COLUMNS = (Criterion.id, Criterion.parent_id, Criterion.code, Criterion.name, Criterion.weight,
                      Criterion.position, Criterion.scale_to)
_ASPECT_COLUMNS = (Aspect.id, Aspect.criterion_id, Aspect.code, Aspect.name, Aspect.kind, Aspect.max_mark,
                   Aspect.step, Aspect.tolerance)


def _scheme_from_rows(criteria_rows: Iterable[Any], aspect_rows: Iterable[Any]) -> Scheme:
    criteria = {c.id: c for c in criteria_rows}

    def module_of(criterion: Any) -> Any:
        while criterion.parent_id is not None:
            criterion = criteria[criterion.parent_id]
        return criterion

    modules = tuple(
        Module(code=c.code, name=c.name, weight=Decimal(c.weight), scale_to=_decimal_or_none(c.scale_to))
        for c in sorted(criteria.values(), key=lambda c: (c.position, c.id)) if c.parent_id is None
    )
    aspects = []
    for a in aspect_rows:
        parent = criteria[a.criterion_id]
        module = module_of(parent)
        aspects.append(DomainAspect(
            id=a.id, code=a.code, name=a.name, kind=AspectKind(a.kind), max_mark=Decimal(a.max_mark),
            module_code=module.code, sub_criterion=parent.name if parent.id != module.id else "",
            tolerance=_tolerance(a.tolerance), step=_decimal_or_none(a.step)))
    return Scheme(modules=modules, aspects=tuple(aspects))


_SCHEME_OF_EVENT = select(SchemeRow.id).where(SchemeRow.event_id == bindparam("event"))
_CRITERIA_OF = select(*_CRITERION_COLUMNS).where(Criterion.scheme_id == bindparam("scheme"))
_ASPECTS_OF = (select(*_ASPECT_COLUMNS).where(Aspect.scheme_id == bindparam("scheme"))
               .order_by(Aspect.position, Aspect.id))
SchemeRows = tuple[tuple[tuple[Any, ...], ...], tuple[tuple[Any, ...], ...]]


def scheme_rows(session: Session, event_id: int) -> SchemeRows | None:
    """The scheme's criteria and aspect rows as plain tuples (cheap to compare between passes)."""
    connection = session.connection()  # Core, not ORM: these run on every recompute pass
    scheme_id = connection.execute(_SCHEME_OF_EVENT, {"event": event_id}).scalar()
    if scheme_id is None:
        return None
    return (tuple(tuple(r) for r in connection.execute(_CRITERIA_OF, {"scheme": scheme_id})),
            tuple(tuple(r) for r in connection.execute(_ASPECTS_OF, {"scheme": scheme_id})))


def scheme_from(rows: SchemeRows | None) -> Scheme:
    if rows is None:
        return Scheme(modules=(), aspects=())
    criteria = [_Criterion(*r) for r in rows[0]]
    aspects = [_Aspect(*r) for r in rows[1]]
    return _scheme_from_rows(criteria, aspects)


def load_scheme(session: Session, event_id: int) -> Scheme:
    """The event's scheme as the engine sees it (an empty one when it has none yet)."""
    return scheme_from(scheme_rows(session, event_id))


def aspect_rule(row: Any) -> DomainAspect:
    """The rules for checking one mark's value, from a row with an aspect's columns
    (``aspect_id``, ``code``, ``name``, ``kind``, ``max_mark``, ``tolerance``, ``step``). Where
    the aspect hangs in the scheme does not matter for that and is left blank."""
    return DomainAspect(
        id=row.aspect_id, code=row.code, name=row.name, kind=AspectKind(row.kind),
        max_mark=Decimal(row.max_mark), module_code="", tolerance=_tolerance(row.tolerance),
        step=_decimal_or_none(row.step))


def boards_of_teams(session: Session, team_ids: Iterable[int]) -> set[int]:
    """The boards that rank any of these teams (their stage and division; their zone's board
    and any board of the whole division)."""
    ids = list(team_ids)
    if not ids:
        return set()
    return set(session.scalars(
        select(Board.id).join(Team, (Team.stage_id == Board.stage_id) & (Team.division_id == Board.division_id)
                              & ((Board.zone_id == Team.zone_id) | Board.zone_id.is_(None)))
        .where(Team.id.in_(ids))))


def board_teams(session: Session, board: Board) -> list[Team]:
    query = select(Team).where(Team.stage_id == board.stage_id, Team.division_id == board.division_id)
    if board.zone_id is not None:
        query = query.where(Team.zone_id == board.zone_id)
    return list(session.scalars(query.order_by(Team.id)))


_TEAMS_OF = (select(Team.id, Team.review_number, Team.station_number, Team.entry_number, Team.status,
                    Team.completion_seconds)
             .where(Team.stage_id == bindparam("stage"), Team.division_id == bindparam("division"))
             .order_by(Team.id))
_TEAMS_OF_ZONE = _TEAMS_OF.where(Team.zone_id == bindparam("zone"))


def entry_rows(session: Session, board: Board) -> list[tuple[Any, ...]]:
    """The board's teams as (id, review, station, entry number, status, completion seconds)."""
    query = _TEAMS_OF_ZONE if board.zone_id is not None else _TEAMS_OF
    return [tuple(r) for r in session.connection().execute(
        query, {"stage": board.stage_id, "division": board.division_id, "zone": board.zone_id})]


def entries_from(rows: list[tuple[Any, ...]]) -> list[EntryInput]:
    return [EntryInput(id=team_id, code=review or station or entry or f"#{team_id}",  # as Team.code
                       competing=status not in ("withdrawn", "absent"), completion_seconds=seconds)
            for team_id, review, station, entry, status, seconds in rows]


def board_entries(session: Session, board: Board) -> list[EntryInput]:
    """``entries_of(board_teams(...))`` from one narrow query, without loading ``Team`` objects."""
    return entries_from(entry_rows(session, board))


def entries_of(teams: list[Team]) -> list[EntryInput]:
    return [
        EntryInput(
            id=t.id, code=t.code, competing=t.status not in ("withdrawn", "absent"),
            completion_seconds=t.completion_seconds,
        )
        for t in teams
    ]


# -- marks ---------------------------------------------------------------------------------

_SELECT = "SELECT team_id, aspect_id, judge_id, {v}, id FROM marks WHERE board_id = {p} AND id > {p} ORDER BY id"
_PLACES = Decimal("0.0001")


def _sql(template: str, dialect: Any) -> str:
    """A mark query for the driver: its placeholder, and the value as text on PostgreSQL - the
    driver's ``Decimal`` hashes slowly, and every row's value is looked up in a small table of the
    distinct values seen (``_decimal`` runs once per distinct value)."""
    return template.format(p="?" if dialect.paramstyle == "qmark" else "%s",
                           v="value::text" if dialect.name == "postgresql" else "value")


def _raw(session: Session, board_id: int, after_id: int) -> list[tuple[Any, ...]]:
    """The driver's rows (team, aspect, judge, stored value, id), oldest first, in the session's
    transaction. Straight from the cursor: no ORM or Core row objects for 90,000 rows."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_sql(_SELECT, connection.dialect), (board_id, after_id))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _decimal(value: Any) -> Decimal:
    """A stored score as the ORM returns it: a Decimal with the column's 4 places."""
    if isinstance(value, Decimal):
        return value.quantize(_PLACES)
    if isinstance(value, float):
        return Decimal(f"{value:.4f}")
    return Decimal(str(value)).quantize(_PLACES)


def read_marks(session: Session, board_id: int, after_id: int = 0) -> list[MarkRow]:
    """The board's mark rows with an id above ``after_id``, oldest first (every revision)."""
    decimals: dict[Any, Decimal] = {}
    out = []
    for team_id, aspect_id, judge_id, value, mark_id in _raw(session, board_id, after_id):
        exact = decimals.get(value)
        if exact is None:
            exact = decimals[value] = _decimal(value)
        out.append(MarkRow(team_id, aspect_id, judge_id, exact, mark_id))
    return out


def fold(rows: Iterable[MarkRow], panels: Panels | None = None) -> Panels:
    """Rows in id order folded into current values (a later revision replaces an earlier)."""
    panels = {} if panels is None else panels
    for entry_id, aspect_id, judge_id, value, _id in rows:
        judged = panels.get((entry_id, aspect_id))
        if judged is None:
            panels[(entry_id, aspect_id)] = judged = {}
        judged[judge_id] = value
    return panels


_CURRENT = "SELECT team_id, aspect_id, judge_id, {v}, id FROM marks WHERE board_id = {p} ORDER BY id"
_COUNT = "SELECT count(*) FROM marks WHERE board_id = {p} AND id > {p} AND id <= {p}"
_LAST_ID = "SELECT max(id) FROM marks WHERE board_id = {p}"


def read_panels(session: Session, board_id: int, ids: list[int] | None = None) -> tuple[Panels, int]:
    """Every current value of a board, folded as it is read, and the largest mark id by then;
    with ``ids``, the ids of the rows read are appended to it (ascending).

    The hottest loop of a full recompute (90,000 rows): four columns straight off the cursor,
    locals bound once. The largest id is read first, in the same transaction, so rows committed
    in between are only ever read twice (harmless), never missed."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    decimals: dict[Any, Decimal] = {}
    panels: Panels = {}
    get, known = panels.get, decimals.get
    try:
        cursor.execute(_sql(_LAST_ID, connection.dialect), (board_id,))
        last = cursor.fetchone()
        top = last[0] if last is not None and last[0] is not None else 0
        cursor.execute(_sql(_CURRENT, connection.dialect), (board_id,))
        rows = cursor.fetchall()
        if ids is not None:
            ids.extend(row[4] for row in rows)
        for team_id, aspect_id, judge_id, value, _id in rows:
            exact = known(value)
            if exact is None:
                exact = decimals[value] = _decimal(value)
            key = (team_id, aspect_id)
            judged = get(key)
            if judged is None:
                panels[key] = judged = {}
            judged[judge_id] = exact
    finally:
        cursor.close()
    return panels, int(top)


def count_marks(session: Session, board_id: int, above: int, up_to: int) -> int:
    """How many of the board's mark rows have an id in (``above``, ``up_to``]."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_sql(_COUNT, connection.dialect), (board_id, above, up_to))
        return int(cursor.fetchone()[0])
    finally:
        cursor.close()


def current_panels(session: Session, board_id: int) -> Panels:
    return read_panels(session, board_id)[0]


def current_marks(session: Session, board_id: int) -> list[MarkInput]:
    """The latest revision of each judge's mark per (sheet, aspect) on one board."""
    return [MarkInput(entry_id, aspect_id, judge_id, value)
            for (entry_id, aspect_id), judged in current_panels(session, board_id).items()
            for judge_id, value in judged.items()]
