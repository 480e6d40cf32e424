"""A sample event's frame, for the tests' factories and the benchmarks' data (``tests.factories``,
``bench.scoring_data``), which may not import each other.

Owns: ``event_frame(session, competition_id, ...)``: one zone, the named institutions in it (in
湖南省), one event with the higher-vocational division (高职组), the zone selection stage
(赛区选拔赛) and an empty marking scheme (评分标准), flushed so every row has its id. Callers add
the scheme's criteria and aspects, teams, judges, panels and boards their own way.

Vocabulary: see ``compete.registration.models`` and ``scoring.models``. Must not: commit; be
used by the application to build real competitions (``scoring.demo`` builds the demonstration).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from compete.registration.models import Division, Institution, SkillEvent, Stage, Zone
from scoring.models import Scheme


class EventFrame(NamedTuple):
    zone: Zone
    institutions: list[Institution]
    event: SkillEvent
    division: Division
    stage: Stage
    scheme: Scheme


def event_frame(session: Session, competition_id: int, *, zone: tuple[str, str], institutions: Iterable[str],
                event: tuple[str, str], rules: dict[str, Any] | None) -> EventFrame:
    """``zone`` and ``event`` are (code, name); ``rules`` is stored as the event's rules as given."""
    zone_row = Zone(competition_id=competition_id, code=zone[0], name=zone[1])
    session.add(zone_row)
    session.flush()
    institution_rows = [Institution(competition_id=competition_id, name=name, province="湖南省", zone_id=zone_row.id)
                        for name in institutions]
    session.add_all(institution_rows)
    event_row = SkillEvent(competition_id=competition_id, code=event[0], name=event[1], rules=rules)
    session.add(event_row)
    session.flush()
    division = Division(event_id=event_row.id, group="higher", name="高职组")
    stage = Stage(event_id=event_row.id, code="zone", name="赛区选拔赛", kind="zone", position=1)
    session.add_all([division, stage])
    session.flush()
    scheme = Scheme(event_id=event_row.id, name="评分标准")
    session.add(scheme)
    session.flush()
    return EventFrame(zone_row, institution_rows, event_row, division, stage, scheme)
