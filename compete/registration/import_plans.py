"""Import plans: one per kind, turning a file's rows into checked records or ``RowError``s.

Owns: ``Plan`` (looking cells up by column, reporting an error against the column as the file
spells it, the actor's zone scope) and ``InstitutionPlan``, ``TeamPlan``, ``JudgePlan``: each
``check`` reads every row, resolves names (zones by code or name, events by code, divisions by
group or name, stages by code or name, institutions by name), applies the pure rules (team
eligibility per team, counting what is stored and what came earlier in the file) and returns a
``Checked`` whose ``write`` stores it all, or the errors; ``upsert`` is the create-or-update
loop institutions and judges share (teams replace their members and coaches). ``registration.imports``
runs them.

Must not: import flask; commit; write anything in ``check``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from compete.accounts.models import Judge
from compete.registration import repository
from compete.registration.domain import rows as shapes
from compete.registration.domain.eligibility import Candidate, DivisionRules, Standing, team_problems
from compete.registration.domain.rows import RowError, Shape
from compete.registration.models import Coach, Division, Institution, SkillEvent, Stage, Team, TeamMember
from compete.registration.spreadsheets import Row

Progress = Callable[[float, str], None]
GROUP_NAMES = {"中职组": "secondary", "高职组": "higher", "教师组": "teacher", "师生同赛": "mixed", "学生组": "student"}


def quiet(_fraction: float, _phase: str) -> None:
    return None


def upsert(session: Session, model: type[Any], records: Sequence[tuple[Any, dict[str, Any], dict[str, Any]]],
           ) -> dict[str, int]:
    """Store ``(stored row or None, identity, values)`` records: a new row from identity and values,
    or the stored row (looked up again through ``session``, which may not be the checking one) given
    the values where any differs. Answers how many were created, updated and left unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for old, identity, values in records:
        if old is None:
            session.add(model(**identity, **values))
            counts["created"] += 1
        elif any(getattr(old, key) != value for key, value in values.items()):
            row = session.get(model, old.id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    session.flush()
    return counts


@dataclass
class Checked:
    """The outcome of checking a file: errors, or a ``write`` that stores every row."""

    rows: int
    errors: list[RowError] = field(default_factory=list)
    #: store every checked row through ``session`` (which may be another than the checking one)
    write: Callable[[Session, Progress], dict[str, int]] | None = None


class Plan:
    def __init__(self, session: Session, competition_id: int, zones: frozenset[int] | None, shape: Shape,
                 index: dict[str, int], header: Sequence[Any]) -> None:
        self.session = session
        self.header = header
        self.competition_id = competition_id
        self.zones = zones
        self.shape = shape
        self.index = index
        self.errors: list[RowError] = []
        self.zone_rows = repository.zones_of(session, competition_id)
        self.zones_by_spelling = {k: z for z in self.zone_rows for k in (z.code.lower(), z.name.lower())}

    def cell(self, cells: Sequence[Any], key: str) -> str:
        position = self.index.get(key)
        return shapes.text(cells[position]) if position is not None and position < len(cells) else ""

    def fail(self, row: int, key: str, code: str, **params: Any) -> None:
        self.errors.append(RowError(row, self.column_label(key), code, params))

    def column_label(self, key: str) -> str:
        """The column's header as the file spells it."""
        if key in self.index:
            return shapes.text(self.header[self.index[key]])
        return self.shape.column(key).en

    def required(self, number: int, cells: Sequence[Any], *keys: str) -> dict[str, str] | None:
        values = {key: self.cell(cells, key) for key in keys}
        missing = [key for key, value in values.items() if not value]
        for key in missing:
            self.fail(number, key, "import.required")
        return None if missing else values

    def in_scope(self, zone_id: int | None) -> bool:
        return self.zones is None or zone_id in self.zones

    def check(self, rows: list[Row], progress: Progress) -> Checked:
        raise NotImplementedError

    def institutions_by_name(self) -> dict[str, Institution]:
        return {i.name: i for i in self.session.scalars(
            select(Institution).where(Institution.competition_id == self.competition_id))}


class InstitutionPlan(Plan):
    def check(self, rows: list[Row], progress: Progress) -> Checked:
        existing = self.institutions_by_name()
        seen: dict[str, int] = {}
        records: list[tuple[str, str, int | None]] = []
        for number, cells in rows:
            values = self.required(number, cells, "name", "province")
            zone_text = self.cell(cells, "zone")
            zone = self.zones_by_spelling.get(zone_text.lower()) if zone_text else None
            if zone_text and zone is None:
                self.fail(number, "zone", "import.unknown_zone", value=zone_text)
                continue
            zone_id = zone.id if zone else None
            if values is None:
                continue
            name = values["name"]
            if name in seen:
                self.fail(number, "name", "import.duplicate", first=seen[name])
                continue
            seen[name] = number
            old = existing.get(name)
            if not self.in_scope(zone_id) or (old is not None and not self.in_scope(old.zone_id)):
                self.fail(number, "zone" if zone_text else "name", "import.zone_forbidden")
                continue
            records.append((name, values["province"], zone_id))
        if self.errors:
            return Checked(len(rows), self.errors)

        def write(session: Session, progress: Progress) -> dict[str, int]:
            return upsert(session, Institution, [
                (existing.get(name), {"competition_id": self.competition_id, "name": name},
                 {"province": province, "zone_id": zone_id})
                for name, province, zone_id in records])

        return Checked(len(rows), [], write)


@dataclass
class TeamDraft:
    key: tuple[int, int, int, int, str]  # event, division, stage, institution, team name
    zone_id: int | None
    first_row: int
    members: list[tuple[str, str, int]] = field(default_factory=list)  # name, role, row
    coaches: list[tuple[str, int]] = field(default_factory=list)
    broken: bool = False


class TeamPlan(Plan):
    def _lookups(self) -> None:
        self.events = {e.code.lower(): e for e in self.session.scalars(
            select(SkillEvent).where(SkillEvent.competition_id == self.competition_id)
            .options(selectinload(SkillEvent.divisions), selectinload(SkillEvent.stages)))}
        self.divisions: dict[tuple[int, str], Division] = {}
        self.stages: dict[tuple[int, str], Stage] = {}
        for event in self.events.values():
            for d in event.divisions:
                for spelling in (d.group, d.name):
                    self.divisions[(event.id, spelling.lower())] = d
            for s in event.stages:
                for spelling in (s.code, s.name):
                    self.stages[(event.id, spelling.lower())] = s
        self.institutions = self.institutions_by_name()

    def _division(self, event: SkillEvent, text: str) -> Division | None:
        found = self.divisions.get((event.id, text.lower()))
        if found is None and text in GROUP_NAMES:
            found = self.divisions.get((event.id, GROUP_NAMES[text]))
        return found

    def check(self, rows: list[Row], progress: Progress) -> Checked:
        self._lookups()
        drafts: dict[tuple[int, int, int, int, str], TeamDraft] = {}
        total = len(rows)
        for n, (number, cells) in enumerate(rows):
            if n % 500 == 0:
                progress(0.25 + 0.35 * n / total, "check")
            values = self.required(number, cells, *(c.key for c in self.shape.columns))
            if values is None:
                self._mark_broken(drafts, cells)
                continue
            role = shapes.alias(values["role"], shapes.PERSON_ROLES, shapes.PERSON_ALIASES)
            event = self.events.get(values["event"].lower())
            division = self._division(event, values["division"]) if event else None
            stage = self.stages.get((event.id, values["stage"].lower())) if event else None
            institution = self.institutions.get(values["institution"])
            problems = [
                (role is None, "role", "import.unknown_role", values["role"]),
                (event is None, "event", "import.unknown_event", values["event"]),
                (event is not None and division is None, "division", "import.unknown_division", values["division"]),
                (event is not None and stage is None, "stage", "import.unknown_stage", values["stage"]),
                (institution is None, "institution", "import.unknown_institution", values["institution"]),
            ]
            bad = [(column, code, value) for wrong, column, code, value in problems if wrong]
            for column, code, value in bad:
                self.fail(number, column, code, value=value)
            if not bad and institution is not None and not self.in_scope(institution.zone_id):
                self.fail(number, "institution", "import.zone_forbidden")
                bad.append(("institution", "", ""))
            if bad:
                if event is not None and division is not None and stage is not None and institution is not None:
                    broken = (event.id, division.id, stage.id, institution.id, values["team"])
                    drafts.setdefault(broken, TeamDraft(broken, institution.zone_id, number)).broken = True
                continue
            assert event and division and stage and institution and role
            key = (event.id, division.id, stage.id, institution.id, values["team"])
            draft = drafts.setdefault(key, TeamDraft(key, institution.zone_id, number))
            if role == "coach":
                draft.coaches.append((values["person"], number))
            else:
                draft.members.append((values["person"], role, number))
        progress(0.6, "check")
        existing = self._existing()
        self._check_teams(drafts, existing)
        if self.errors:
            return Checked(total, self.errors)
        return Checked(total, [], lambda session, p: self._write(session, drafts, existing, p))

    def _mark_broken(self, drafts: dict[Any, TeamDraft], cells: Sequence[Any]) -> None:
        """A row missing cells may still name its team: keep that team out of the team checks."""
        event = self.events.get(self.cell(cells, "event").lower())
        if event is None:
            return
        division = self._division(event, self.cell(cells, "division"))
        stage = self.stages.get((event.id, self.cell(cells, "stage").lower()))
        institution = self.institutions.get(self.cell(cells, "institution"))
        if division and stage and institution:
            key = (event.id, division.id, stage.id, institution.id, self.cell(cells, "team"))
            drafts.setdefault(key, TeamDraft(key, institution.zone_id, 0)).broken = True

    def _existing(self) -> dict[tuple[int, int, int, int, str], Team]:
        query = (select(Team, SkillEvent.id).join(Division, Division.id == Team.division_id)
                 .join(SkillEvent, SkillEvent.id == Division.event_id)
                 .where(SkillEvent.competition_id == self.competition_id)
                 .options(selectinload(Team.members), selectinload(Team.coaches)))
        return {(event_id, t.division_id, t.stage_id, t.institution_id, t.name): t
                for t, event_id in self.session.execute(query)}

    def _check_teams(self, drafts: dict[Any, TeamDraft], existing: dict[Any, Team]) -> None:
        replaced = {t.id for key, t in existing.items() if key in drafts}
        by_institution: dict[tuple[int, int, int], int] = defaultdict(int)
        by_zone: dict[tuple[int, int, int | None], int] = defaultdict(int)
        for t in existing.values():
            if t.status != "withdrawn" and t.id not in replaced:
                by_institution[(t.division_id, t.stage_id, t.institution_id)] += 1
                by_zone[(t.division_id, t.stage_id, t.zone_id)] += 1
        division_rules: dict[int, DivisionRules] = {}
        for draft in drafts.values():
            _event, division_id, stage_id, institution_id, name = draft.key
            if draft.broken:
                continue
            if division_id not in division_rules:
                division = self.session.get(Division, division_id)
                assert division is not None
                division_rules[division_id] = DivisionRules.from_mapping(division.rules or {}, division.group)
            candidate = Candidate(name, [(m, r) for m, r, _ in draft.members], [c for c, _ in draft.coaches],
                                  draft.zone_id)
            standing = Standing(by_institution[(division_id, stage_id, institution_id)],
                                by_zone[(division_id, stage_id, draft.zone_id)])
            for problem in team_problems(division_rules[division_id], candidate, standing):
                row, key = self._locate(draft, problem.field)
                self.fail(row, key, problem.code, **dict(problem.params))
            by_institution[(division_id, stage_id, institution_id)] += 1
            by_zone[(division_id, stage_id, draft.zone_id)] += 1

    @staticmethod
    def _locate(draft: TeamDraft, field_name: str) -> tuple[int, str]:
        """The row and column a team-level problem points at."""
        parts = field_name.split(".")
        if parts[0] == "members" and len(parts) == 3:
            return draft.members[int(parts[1])][2], "person" if parts[2] == "name" else "role"
        if parts[0] == "coaches" and len(parts) == 2:
            return draft.coaches[int(parts[1])][1], "person"
        if parts[0] == "coaches":
            return draft.coaches[-1][1], "role"
        return draft.first_row, {"institution": "institution", "zone": "institution"}.get(parts[0], "team")

    def _write(self, session: Session, drafts: dict[Any, TeamDraft], existing: dict[Any, Team],
               progress: Progress) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "members": 0, "coaches": 0}
        new: list[Team] = []
        total = len(drafts) or 1
        for n, (key, draft) in enumerate(drafts.items()):
            if n % 200 == 0:
                progress(0.65 + 0.3 * n / total, "write")
            members = [(m, r) for m, r, _ in draft.members]
            coaches = [c for c, _ in draft.coaches]
            counts["members"] += len(members)
            counts["coaches"] += len(coaches)
            team = existing.get(key)
            if team is None:
                _event, division_id, stage_id, institution_id, name = key
                team = Team(division_id=division_id, stage_id=stage_id, institution_id=institution_id,
                            zone_id=draft.zone_id, name=name, status="registered")
                team.members = [TeamMember(name=m, role=r, position=i) for i, (m, r) in enumerate(members, 1)]
                team.coaches = [Coach(name=c) for c in coaches]
                new.append(team)
                counts["created"] += 1
                continue
            same = ([(m.name, m.role) for m in team.members] == members and [c.name for c in team.coaches] == coaches)
            if same:
                counts["unchanged"] += 1
                continue
            row = session.get(Team, team.id)
            assert row is not None
            row.members = [TeamMember(name=m, role=r, position=i) for i, (m, r) in enumerate(members, 1)]
            row.coaches = [Coach(name=c) for c in coaches]
            counts["updated"] += 1
        session.add_all(new)
        progress(0.95, "write")
        session.flush()
        return counts


class JudgePlan(Plan):
    def check(self, rows: list[Row], progress: Progress) -> Checked:
        institutions = self.institutions_by_name()
        existing = {(j.name, j.institution_id): j for j in self.session.scalars(
            select(Judge).where(Judge.competition_id == self.competition_id))}
        seen: dict[tuple[str, int | None], int] = {}
        records: list[tuple[str, str, int | None, str | None]] = []
        for number, cells in rows:
            values = self.required(number, cells, "name", "role")
            institution_text = self.cell(cells, "institution")
            institution = institutions.get(institution_text) if institution_text else None
            if institution_text and institution is None:
                self.fail(number, "institution", "import.unknown_institution", value=institution_text)
            if values is None or (institution_text and institution is None):
                continue
            role = shapes.alias(values["role"], shapes.JUDGE_ROLES, shapes.JUDGE_ALIASES)
            if role is None:
                self.fail(number, "role", "import.unknown_role", value=values["role"])
                continue
            if not self.in_scope(institution.zone_id if institution else None):
                self.fail(number, "institution", "import.zone_forbidden")
                continue
            key = (values["name"], institution.id if institution else None)
            if key in seen:
                self.fail(number, "name", "import.duplicate", first=seen[key])
                continue
            seen[key] = number
            province = self.cell(cells, "province") or (institution.province if institution else None)
            records.append((values["name"], role, key[1], province))
        if self.errors:
            return Checked(len(rows), self.errors)

        def write(session: Session, progress: Progress) -> dict[str, int]:
            return upsert(session, Judge, [
                (existing.get((name, institution_id)),
                 {"competition_id": self.competition_id, "name": name, "institution_id": institution_id},
                 {"role": role, "province": province})
                for name, role, institution_id, province in records])

        return Checked(len(rows), [], write)


PLANS: dict[str, type[Plan]] = {"institutions": InstitutionPlan, "teams": TeamPlan, "judges": JudgePlan}
