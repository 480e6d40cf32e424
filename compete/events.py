"""The event log: an append-only, transactional outbox and audit trail.

Every change that matters appends one ``EventRecord`` in the same transaction as the change
(``append``). Ids grow monotonically; rows are never updated or deleted. Consumers follow the
log by id: the relay in the worker (``scoring.relay``), the officials' audit view, and the
NDJSON feed (``?since=<id>``). ``RelayCursor`` remembers how far a named consumer got.

Vocabulary: *type* is a dotted name (``mark.submitted``, ``sheet.locked``, ``board.published``);
*actor* is who did it (``judge:12``, ``user:3``, ``system``); *payload* is a small JSON object.

Must not: import registration, accounts, scoring or realtime; commit (callers own the unit of work).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from compete.db import Base

#: SQLite only auto-increments an INTEGER PRIMARY KEY; everywhere else ids are 64-bit.
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class EventRecord(Base):
    __tablename__ = "events"
    #: on SQLite, AUTOINCREMENT guarantees ids are never reused
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    competition_id: Mapped[int | None] = mapped_column(Integer, index=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "competition": self.competition_id,
            "type": self.type,
            "actor": self.actor,
            "device": self.device_id,
            "at": self.at.isoformat() if self.at else None,
            "payload": self.payload,
        }


class RelayCursor(Base):
    __tablename__ = "relay_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigId, default=0)


def append(
    session: Session,
    type: str,
    payload: dict[str, Any],
    *,
    actor: str,
    competition_id: int | None = None,
    device_id: int | None = None,
) -> EventRecord:
    """Add one event to the current transaction; it commits or rolls back with the change.

    The row is inserted at once (one ``INSERT … RETURNING``, not through the unit of work: on
    the path of a mark that is a third of the request's database time), so the payload is
    taken as it is now. The record returned carries its id and is not attached to the session."""
    values = {"type": type, "payload": payload, "actor": actor, "competition_id": competition_id,
              "device_id": device_id, "at": utcnow()}
    event_id = session.execute(_INSERT, values).scalar_one()
    return EventRecord(id=event_id, **values)


_INSERT = insert(EventRecord.__table__).returning(EventRecord.__table__.c.id)


def since(session: Session, after_id: int, *, limit: int = 1000, competition_id: int | None = None) -> list[EventRecord]:
    """Events with an id greater than ``after_id``, oldest first."""
    query = select(EventRecord).where(EventRecord.id > after_id).order_by(EventRecord.id).limit(limit)
    if competition_id is not None:
        query = query.where(EventRecord.competition_id == competition_id)
    return list(session.scalars(query))
