"""Registration tables: competitions, zones, institutions, events, divisions, stages, teams, draws.

Vocabulary (domain.md): a *competition* (大赛) holds *zones* (赛区) and *institutions* (院校);
an *event* (赛项, class ``SkillEvent`` because ``events`` is the event log's table) is one skill
with its rules; a *division* (组别) is one event × one group; a *stage* (赛段) is a zone round or
the final; a *team* (参赛队) is one entry of one institution in one division and stage, with
members (选手) and coaches (指导教师). Codes from the draws (entry, station and review numbers)
live on the team; every draw is recorded with its seed in ``draws``.

Must not: hold rules (they live in ``registration.domain``) or import scoring.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.db import Base
from compete.events import utcnow

LEVELS = ("school", "province", "zone", "national")
GROUPS = ("secondary", "higher", "teacher", "mixed", "student")
STAGE_KINDS = ("zone", "final", "single")
TEAM_STATUSES = ("registered", "started", "finished", "withdrawn", "absent")
MEMBER_ROLES = ("student", "teacher")
DRAW_KINDS = ("entry", "station", "review")


class Competition(Base):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16), default="province")
    default_locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    zones: Mapped[list[Zone]] = relationship(back_populates="competition", order_by="Zone.id")
    events: Mapped[list[SkillEvent]] = relationship(back_populates="competition", order_by="SkillEvent.id")


class Zone(Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))

    competition: Mapped[Competition] = relationship(back_populates="zones")


class Institution(Base):
    __tablename__ = "institutions"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(50))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"), index=True)


class SkillEvent(Base):
    __tablename__ = "skill_events"
    __table_args__ = (UniqueConstraint("competition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    #: the scoring rules as a mapping (aggregation, tie chain, prizes ...), validated by the engine
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    competition: Mapped[Competition] = relationship(back_populates="events")
    divisions: Mapped[list[Division]] = relationship(back_populates="event", order_by="Division.id")
    stages: Mapped[list[Stage]] = relationship(back_populates="event", order_by="Stage.position")


class Division(Base):
    __tablename__ = "divisions"
    __table_args__ = (UniqueConstraint("event_id", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("skill_events.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    #: team size limits, member roles, teams per institution, zone quotas
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    event: Mapped[SkillEvent] = relationship(back_populates="divisions")


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("skill_events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="single")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[SkillEvent] = relationship(back_populates="stages")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("stage_id", "entry_number"),
        UniqueConstraint("stage_id", "review_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="RESTRICT"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    entry_number: Mapped[str | None] = mapped_column(String(16))
    station_number: Mapped[str | None] = mapped_column(String(16))
    review_number: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="registered")
    completion_seconds: Mapped[Decimal | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    institution: Mapped[Institution] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", order_by="TeamMember.position", cascade="all, delete-orphan"
    )
    coaches: Mapped[list[Coach]] = relationship(
        back_populates="team", order_by="Coach.id", cascade="all, delete-orphan"
    )

    @property
    def code(self) -> str:
        """What judges and the public see before decryption: the most blinded number drawn."""
        return self.review_number or self.station_number or self.entry_number or f"#{self.id}"


class TeamMember(Base):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="student")
    position: Mapped[int] = mapped_column(Integer, default=0)

    team: Mapped[Team] = relationship(back_populates="members")


class Coach(Base):
    __tablename__ = "coaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    team: Mapped[Team] = relationship(back_populates="coaches")


class Draw(Base):
    """One draw of lots (entry, station or review numbers), reproducible from its seed."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    seed: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


IMPORT_KINDS = ("institutions", "teams", "judges")
IMPORT_STATUSES = ("queued", "running", "done", "failed")


class ImportRun(Base):
    """One uploaded file being (or having been) imported: its bytes, its state and its report.

    ``report`` holds ``{"errors": [{row, column, code, params}], "counts": {...}}``; messages are
    translated when the report is read, in the reader's language.
    """

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    actor: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    job_id: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
