"""The event-log relay: re-queues from the log whatever the fast path could not.

The worker runs ``Relay.step`` every second. It reads events after its cursor, skips those the
fast path already dispatched (recorded in Redis by ``Coalescer.request``), and requests a
recompute for the boards of the rest: marks committed while Redis was down, or by a process
that died between its commit and its enqueue, still reach the board. Team events (registered,
updated, withdrawn) have no fast path: the relay recomputes the boards that rank the team.

Ids from concurrent transactions can become visible out of order, so the cursor only moves
past a gap once the gap is older than ``grace`` seconds; events beyond a gap are handled once
(remembered in memory) and the cursor catches up later. Must not: import flask, or emit.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from compete import events
from compete.events import RelayCursor
from scoring import repository
from scoring.recompute import Coalescer

NAME = "boards"
#: event types whose payload names a board that must be recomputed
BOARD_EVENTS = ("mark.submitted", "board.changed", "advancement.enrolled")
#: event types whose payload names a team: the boards that rank it are recomputed (an entry
#: registered, renamed or withdrawn; registration knows nothing of boards, so this is their path)
TEAM_EVENTS = ("team.registered", "team.updated", "team.withdrawn")


@dataclasses.dataclass
class Relay:
    coalescer: Coalescer
    grace: timedelta = timedelta(seconds=10)
    handled: set[int] = dataclasses.field(default_factory=set)
    #: when each gap (keyed by the cursor position before it) was first seen
    gaps: dict[int, datetime] = dataclasses.field(default_factory=dict)

    def step(self, session: Session, limit: int = 5000) -> int:
        """One pass; returns the number of boards requested. The caller commits."""
        cursor = session.get(RelayCursor, NAME)
        if cursor is None:
            cursor = RelayCursor(name=NAME, last_event_id=0)
            session.add(cursor)
        batch = [e for e in events.since(session, cursor.last_event_id, limit=limit) if e.id not in self.handled]
        relevant = [e for e in batch if e.type in BOARD_EVENTS and "board" in e.payload]
        done = self.coalescer.take_dispatched([e.id for e in relevant])
        boards = {int(e.payload["board"]) for e in relevant if e.id not in done}
        teams = {int(e.payload["team"]) for e in batch if e.type in TEAM_EVENTS and "team" in e.payload}
        boards.update(repository.boards_of_teams(session, teams))
        for board_id in sorted(boards):
            self.coalescer.request(board_id)
        self.handled.update(e.id for e in batch)
        self._advance(cursor)
        return len(boards)

    def _advance(self, cursor: RelayCursor) -> None:
        """Move the cursor over contiguous handled ids (and over gaps older than the grace)."""
        position = cursor.last_event_id
        now = events.utcnow()
        for event_id in sorted(self.handled):
            if event_id != position + 1 and now - self.gaps.setdefault(position, now) < self.grace:
                break
            position = event_id
        cursor.last_event_id = position
        self.handled = {i for i in self.handled if i > position}
        self.gaps = {k: v for k, v in self.gaps.items() if k >= position}
