"""Scoring tables: marking schemes, panels, sheets, marks, boards and their snapshots.

Vocabulary (domain.md): a *scheme* (评分标准) belongs to one event and is a tree of *criteria*
(模块 and sub-criteria, each with a weight) whose leaves are *aspects* (评分项) with a kind and a
maximum; a *panel* is a set of judges and aspects for one stage × division (× zone); a *sheet*
is one judge × one team with a workflow state; a *mark* is one judge's value for one aspect on
one sheet and is append-only: a change is a new row with ``revision + 1``, who, device and why;
a *board* is the ranking of one stage × division (× zone) and keeps *snapshots*, one per
audience (``public``, ``officials``) and version, each version one greater than the last.

Must not: hold rules (they live in ``scoring.domain``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.db import Base
from compete.events import BigId, utcnow

SHEET_STATES = ("draft", "submitted", "checked", "signed", "locked")
PUBLICATION_STATES = ("hidden", "live", "frozen", "revealed", "final")
AUDIENCES = ("public", "officials")


class Scheme(Base):
    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("skill_events.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="scheme", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    aspects: Mapped[list[Aspect]] = relationship(
        back_populates="scheme", order_by="Aspect.position", cascade="all, delete-orphan"
    )


class Criterion(Base):
    """A module (no parent) or a sub-criterion (with a parent) of a scheme."""

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[Decimal] = mapped_column(default=Decimal(1))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: a module's raw score rescaled to this many points before weighting (None: raw points)
    scale_to: Mapped[Decimal | None] = mapped_column()

    scheme: Mapped[Scheme] = relationship(back_populates="criteria")


class Aspect(Base):
    __tablename__ = "aspects"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    max_mark: Mapped[Decimal] = mapped_column()
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: points/deduction values must be whole multiples of it (None: any value)
    step: Mapped[Decimal | None] = mapped_column()
    #: measurement part marks: ``[{"within": "0.5", "mark": "3"}, ...]`` (None: met or not met)
    tolerance: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)

    scheme: Mapped[Scheme] = relationship(back_populates="aspects")
    criterion: Mapped[Criterion] = relationship()


class Panel(Base):
    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id", ondelete="CASCADE"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    judges: Mapped[list[PanelJudge]] = relationship(cascade="all, delete-orphan")
    aspects: Mapped[list[PanelAspect]] = relationship(cascade="all, delete-orphan")


class PanelJudge(Base):
    __tablename__ = "panel_judges"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="scoring")


class PanelAspect(Base):
    __tablename__ = "panel_aspects"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), primary_key=True)
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id", ondelete="CASCADE"), primary_key=True)


class Sheet(Base):
    __tablename__ = "sheets"
    __table_args__ = (UniqueConstraint("judge_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SheetRevision(Base):
    """One change of a sheet's state: who, when, from which device and why."""

    __tablename__ = "sheet_revisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Mark(Base):
    """One revision of one judge's value for one aspect of one sheet. Never updated."""

    __tablename__ = "marks"
    __table_args__ = (
        UniqueConstraint("sheet_id", "aspect_id", "revision"),
        Index("ix_marks_board_id_id", "board_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(36), unique=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheets.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("aspects.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Board(Base):
    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``s<stage>-d<division>[-z<zone>]``: unique even where zone is null
    key: Mapped[str] = mapped_column(String(64))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id", ondelete="CASCADE"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    publication: Mapped[str] = mapped_column(String(16), default="live")
    decrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the ceremony's progress while ``revealed``: none → third → second → first (visibility)
    reveal_level: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    #: the ranked rows as at the freeze (what the public sees while ``frozen``), else None
    frozen_rows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the supervisor's co-signature of decryption (``scoring.publication``): who (actor label),
    #: when, and the newest sheet revision of the board it covers (a later one makes it stale)
    cosigned_by: Mapped[str | None] = mapped_column(String(64))
    cosigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cosigned_revision: Mapped[int | None] = mapped_column(BigId)

    @staticmethod
    def key_for(stage_id: int, division_id: int, zone_id: int | None) -> str:
        return f"s{stage_id}-d{division_id}" + (f"-z{zone_id}" if zone_id is not None else "")


class BoardSnapshot(Base):
    """One materialised version of a board for one audience. Versions only grow."""

    __tablename__ = "board_snapshots"
    __table_args__ = (UniqueConstraint("board_id", "audience", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecusalOverride(Base):
    """A judge allowed to score an entry they are recused from (回避), with the reason, logged."""

    __tablename__ = "recusal_overrides"
    __table_args__ = (UniqueConstraint("judge_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    #: the conflict overridden: ``institution`` or ``province``
    conflict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Qualification(Base):
    """One entry advanced from a zone stage into a later stage (晋级), or put on its reserve list.

    Written once, all rows of one enrolment in one transaction with one ``advancement.enrolled``
    event (``event_record_id``); never updated. ``reason``: ``zone_place``, ``replacement``,
    ``wildcard`` or ``reserve`` (then ``target_team_id`` is None and ``position`` is the
    reserve's order).
    """

    __tablename__ = "qualifications"
    __table_args__ = (UniqueConstraint("target_stage_id", "source_team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    target_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id", ondelete="CASCADE"), index=True)
    source_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    target_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    event_record_id: Mapped[int | None] = mapped_column(BigId)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ResultLifecycle(Base):
    """One board's result lifecycle after decryption (``scoring.domain.lifecycle``): the review's
    recorded seed and sample, the public notice's countdown, the two signatures (each with the
    digest of the data it covered) and the final hash. One row per board, from the review on."""

    __tablename__ = "result_lifecycles"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="review")
    seed: Mapped[str] = mapped_column(String(64))
    #: the board's entry ids in rank order when the review started (what the sample was drawn from)
    ranked: Mapped[list[int]] = mapped_column(JSON)
    sample_top: Mapped[list[int]] = mapped_column(JSON)
    sample_random: Mapped[list[int]] = mapped_column(JSON)
    #: the error rule was met: every entry must be checked
    recheck_all: Mapped[bool] = mapped_column(Boolean, default=False)
    review_by: Mapped[str] = mapped_column(String(64))
    review_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notice_by: Mapped[str | None] = mapped_column(String(64))
    notice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notice_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    chief_by: Mapped[str | None] = mapped_column(String(64))
    chief_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    chief_digest: Mapped[str | None] = mapped_column(String(64))
    supervisor_by: Mapped[str | None] = mapped_column(String(64))
    supervisor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    supervisor_digest: Mapped[str | None] = mapped_column(String(64))
    final_by: Mapped[str | None] = mapped_column(String(64))
    final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the board's marks and ranked rows at the final step (``lifecycle.results_digest``)
    final_hash: Mapped[str | None] = mapped_column(String(64))


class ResultCheck(Base):
    """A supervisor's re-check of one entry during review: confirmed, or an error with a note."""

    __tablename__ = "result_checks"
    __table_args__ = (UniqueConstraint("board_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Appeal(Base):
    """A team's appeal (申诉) against a board's results, filed during its public notice and moved
    by arbitrators (``scoring.domain.appeals``). The history is in ``AppealStep``."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    #: the team leader in whose name the appeal is filed
    leader: Mapped[str] = mapped_column(String(100))
    grounds: Mapped[str] = mapped_column(String(4000))
    state: Mapped[str] = mapped_column(String(16), default="filed")
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AppealStep(Base):
    """One step of an appeal: filed, a move (from → to) or a correction set applied, with who,
    when, why and the event that audits it. Never updated."""

    __tablename__ = "appeal_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000))
    #: a correction set: ``[{"sheet", "aspect", "mark", "revision", "old", "new", "reason"}, ...]``
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[int | None] = mapped_column(BigId)
