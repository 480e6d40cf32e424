"""Publication: what the public may see of a board, changed by organisers, every change audited.

Owns the *service* around the pure rules of ``scoring.domain.visibility``: load the board,
check that the actor is an organiser in scope (``admin``, or ``zone_admin`` of the board's
zone), apply one action, store what the new state needs, and append one ``board.changed``
event (payload ``{"board", "change", "action", "from", "to", "reveal_level"}``) in the same
transaction. The event log's relay (``scoring.relay``) turns that event into a recompute, so
the new public materialisation is written and broadcast by the worker like any mark.

Actions (``ACTIONS``):
- the transitions of ``visibility.PUBLICATION_TRANSITIONS``: ``go_live``, ``hide``, ``freeze``,
  ``unfreeze``, ``reveal`` (needs decryption), ``finalise``. ``freeze`` stores the ranked rows
  as they are now (``Board.frozen_rows``): while frozen the public board is built from them
  alone. Leaving ``frozen`` forgets them. ``reveal`` starts the ceremony at level ``none``.
- ``reveal_next``: the ceremony's next level (none → third → second → first), only while
  ``revealed``: third prizes first, then second, then first.
- ``decrypt``: attach identities (names, institutions) to both audiences' boards. For now a
  simple organiser action, audited; the full rule (every sheet locked, chief judge signed,
  supervisor co-signed) belongs to the officials' sign-off.

Error codes: publication.forbidden (403), publication.not_revealing,
publication.reveal_complete, publication.already_decrypted (409), plus the visibility
module's publication.invalid_transition / unknown_action / not_decrypted.

Must not: import flask, commit, or emit (the caller commits; the worker broadcasts).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from compete import events
from compete.errors import Forbidden, InvalidState, NotFound
from compete.registration.models import SkillEvent, Stage
from compete.security import Actor
from scoring import boards
from scoring.domain.visibility import PUBLICATION_TRANSITIONS, REVEAL_LEVELS, PublicationState, publication_transition
from scoring.models import Board

EVENT_TYPE = "board.changed"
ACTIONS: tuple[str, ...] = (*PUBLICATION_TRANSITIONS, "reveal_next", "decrypt")
#: roles that may change publication (a zone admin only for boards of their zones)
ORGANISER_ROLES = ("admin", "zone_admin")


@dataclasses.dataclass(frozen=True)
class Change:
    board_id: int
    action: str
    before: str
    after: str
    reveal_level: str
    decrypted: bool
    event_id: int

    def as_dict(self) -> dict[str, object]:
        return {"board": self.board_id, "action": self.action, "from": self.before, "publication": self.after,
                "reveal_level": self.reveal_level, "decrypted": self.decrypted, "event": self.event_id}


def check_organiser(actor: Actor, board: Board) -> None:
    if actor.has_any("admin"):
        return
    if actor.has_any("zone_admin") and board.zone_id is not None and board.zone_id in actor.zones:
        return
    raise Forbidden("publication.forbidden", field="board")


def change(session: Session, actor: Actor, board_id: int, action: str) -> Change:
    """Apply ``action`` to the board's publication; returns what changed (the caller commits)."""
    board = session.get(Board, board_id, with_for_update=True)
    if board is None:
        raise NotFound("board.not_found", field="board")
    check_organiser(actor, board)
    before = board.publication
    if action == "decrypt":
        if board.decrypted:
            raise InvalidState("publication.already_decrypted", field="action")
        board.decrypted = True
    elif action == "reveal_next":
        if board.publication != PublicationState.REVEALED:
            raise InvalidState("publication.not_revealing", field="action", state=board.publication)
        level = REVEAL_LEVELS.index(board.reveal_level)
        if level + 1 >= len(REVEAL_LEVELS):
            raise InvalidState("publication.reveal_complete", field="action")
        board.reveal_level = REVEAL_LEVELS[level + 1]
    else:
        after = publication_transition(board.publication, action, decrypted=board.decrypted)
        if after is PublicationState.FROZEN:
            result, _ = boards.compute(session, board)
            board.frozen_rows = boards.freeze_rows(result)
            board.frozen_at = events.utcnow()
        else:
            board.frozen_rows = None
            board.frozen_at = None
        if after is PublicationState.REVEALED:
            board.reveal_level = REVEAL_LEVELS[0]
        board.publication = after.value
    record = events.append(
        session, EVENT_TYPE,
        {"board": board.id, "change": "decryption" if action == "decrypt" else "publication", "action": action,
         "from": before, "to": board.publication, "reveal_level": board.reveal_level},
        actor=actor.label, competition_id=_competition_id(session, board), device_id=actor.device_id,
    )
    session.flush()
    return Change(board.id, action, before, board.publication, board.reveal_level, board.decrypted, record.id)


def _competition_id(session: Session, board: Board) -> int | None:
    stage = session.get(Stage, board.stage_id)
    event = session.get(SkillEvent, stage.event_id) if stage else None
    return event.competition_id if event else None
