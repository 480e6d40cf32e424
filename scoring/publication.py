"""Publication: what the public may see of a board, changed by organisers, every change audited.

Owns the *service* around the pure rules of ``scoring.domain.visibility`` and
``scoring.domain.decryption``: load the board, check the actor against the permission table
(``compete.accounts.permissions``, over the board's competition and zone: 403 without the
role, 404 outside the actor's scope), apply one action, store what the new state needs, and
append one event in the same transaction. Publication actions append ``board.changed``
(payload ``{"board", "change", "action", "from", "to", "reveal_level"}``, plus the
co-signer and sheet counts for a decryption); the event log's relay (``scoring.relay``) turns
it into a recompute, so the new public materialisation is written and broadcast by the worker
like any mark. A co-signature appends ``board.cosigned`` (nothing to recompute).

Who (``accounts.domain.permissions``): ``board.publish`` (admins; zone admins for boards of
their zones) for the organiser's actions; ``board.cosign`` (supervisors in scope) for
``cosign_decryption``. The publish page is open to both and to whoever may read the board's
result lifecycle (``results.read``: chief judges and arbitrators too), see ``check_page``.

Actions (``ACTIONS``, the organiser's; ``COSIGN`` the supervisor's):
- the transitions of ``visibility.PUBLICATION_TRANSITIONS``: ``go_live``, ``hide``, ``freeze``,
  ``unfreeze``, ``reveal`` (needs decryption), ``finalise``. ``freeze`` stores the ranked rows
  as they are now (``Board.frozen_rows``): while frozen the public board is built from them
  alone. Leaving ``frozen`` forgets them. ``reveal`` starts the ceremony at level ``none``.
- ``reveal_next``: the ceremony's next level (none → third → second → first), only while
  ``revealed``: third prizes first, then second, then first.
- ``cosign_decryption``: a supervisor co-signs that the board's locked results may be
  decrypted; stores who, when and the newest sheet revision of the board it covers.
- ``decrypt``: attach identities (names, institutions) to both audiences' boards, once, by the
  rule of ``scoring.domain.decryption``: every sheet of the board (the sheets of the panels of
  its stage × division × zone) locked, no active entry without a sheet, a current supervisor
  co-signature, and the co-signer is not the organiser who decrypts. The locks are re-checked
  here, at decryption time; a sheet that changed state after the co-signature (an unlock, a
  re-lock) makes the co-signature stale, and the supervisor must co-sign again.

Error codes: board.not_found (404, also outside the actor's scope), user.role_required (403),
publication.not_revealing, publication.reveal_complete, publication.results_not_final (409), the decryption module's
publication.already_decrypted / no_sheets / entries_without_sheets / sheets_not_locked /
already_cosigned / cosign_required / cosign_stale (409) and cosigner_cannot_decrypt (403), plus
the visibility module's publication.invalid_transition / unknown_action / not_decrypted.

Must not: import flask, commit, or emit (the caller commits; the worker broadcasts).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.permissions import roles_for
from compete.accounts.models import User
from compete.errors import Forbidden, InvalidState, NotFound
from compete.registration.models import SkillEvent, Stage, Team
from compete.security import Actor
from scoring import boards
from scoring.domain import decryption
from scoring.domain.visibility import (
    PUBLICATION_TRANSITIONS,
    REVEAL_LEVELS,
    PublicationState,
    available_actions,
    publication_transition,
)
from scoring.models import Board, ResultLifecycle, Sheet, SheetRevision

EVENT_TYPE = "board.changed"
COSIGN_EVENT_TYPE = "board.cosigned"
#: permission-table actions (``compete.accounts.domain.permissions.RULES``)
PUBLISH, COSIGN_PERMISSION, RESULTS_READ = "board.publish", "board.cosign", "results.read"
COSIGN = "cosign_decryption"
#: the organiser's actions, in the order the page offers them
ACTIONS: tuple[str, ...] = (*PUBLICATION_TRANSITIONS, "reveal_next", "decrypt")
ALL_ACTIONS: tuple[str, ...] = (*ACTIONS, COSIGN)
#: roles that may open the publish page (scope is checked per board)
PAGE_ROLES: tuple[str, ...] = tuple(sorted(roles_for(PUBLISH) | roles_for(COSIGN_PERMISSION)
                                            | roles_for(RESULTS_READ)))
#: the result lifecycle's last state, which publishing the final board needs
RESULTS_FINAL = "final"
#: entries that do not compete need no sheet (as ``scoring.repository`` counts them)
NOT_COMPETING = ("withdrawn", "absent")


@dataclasses.dataclass(frozen=True)
class Change:
    board_id: int
    action: str
    before: str
    after: str
    reveal_level: str
    decrypted: bool
    event_id: int
    cosigned_by: str | None = None
    #: whether the event asks for a recompute (a co-signature changes no board)
    recompute: bool = True

    def as_dict(self) -> dict[str, object]:
        return {"board": self.board_id, "action": self.action, "from": self.before, "publication": self.after,
                "reveal_level": self.reveal_level, "decrypted": self.decrypted, "event": self.event_id,
                "cosigned_by": self.cosigned_by,
                "available": sorted(available_actions(self.after, decrypted=self.decrypted,
                                                      reveal_level=self.reveal_level))}


# -- who ---------------------------------------------------------------------------------------

def _target(session: Session, board: Board) -> tuple[int | None, int | None]:
    return _competition_id(session, board), board.zone_id


def check_publisher(session: Session, actor: Actor, board: Board) -> None:
    """Raise unless ``actor`` may publish this board (403 without the role, 404 out of scope)."""
    permissions.require(actor, PUBLISH, *_target(session, board), not_found="board.not_found")


def check_page(session: Session, actor: Actor, board: Board) -> tuple[bool, bool]:
    """Whether the actor may (publish, co-sign) this board; raises if they may neither, nor read
    its result lifecycle (403 / 404)."""
    competition_id, zone_id = _target(session, board)
    may = (permissions.allows(actor, PUBLISH, competition_id, zone_id),
           permissions.allows(actor, COSIGN_PERMISSION, competition_id, zone_id))
    if not any(may) and not permissions.allows(actor, RESULTS_READ, competition_id, zone_id):
        if not any(permissions.has_role_for(actor, a) for a in (PUBLISH, COSIGN_PERMISSION, RESULTS_READ)):
            raise Forbidden("user.role_required")
        raise NotFound("board.not_found", field="board")
    return may


# -- the decryption rule's inputs ---------------------------------------------------------------

def _latest_revision(session: Session, board: Board) -> int:
    found = session.scalar(select(func.max(SheetRevision.id)).join(Sheet, Sheet.id == SheetRevision.sheet_id)
                           .where(Sheet.board_id == board.id))
    return int(found or 0)


def readiness(session: Session, board: Board, *, hold: bool = False) -> decryption.Readiness:
    """Count the board's sheets and locks, entries without a sheet, and the co-signature.

    ``hold``: share-lock the sheets until the commit, so that no sheet moves (an unlock) between
    this check and the co-signature or decryption it allows (a no-op on SQLite, whose writers
    are serialised anyway)."""
    query = select(Sheet.state).where(Sheet.board_id == board.id)
    states = session.scalars(query.with_for_update(read=True) if hold else query)
    unsheeted = select(func.count(Team.id)).where(
        Team.stage_id == board.stage_id, Team.division_id == board.division_id, Team.status.not_in(NOT_COMPETING),
        ~exists().where(Sheet.team_id == Team.id, Sheet.board_id == board.id))
    if board.zone_id is not None:
        unsheeted = unsheeted.where(Team.zone_id == board.zone_id)
    current = board.cosigned_by is not None and board.cosigned_revision == _latest_revision(session, board)
    return decryption.Readiness.of(states, unsheeted=int(session.scalar(unsheeted) or 0),
                                   decrypted=board.decrypted, cosigned_by=board.cosigned_by,
                                   cosign_current=current)


# -- changing ----------------------------------------------------------------------------------

def _load(session: Session, board_id: int) -> Board:
    board = session.get(Board, board_id, with_for_update=True)
    if board is None:
        raise NotFound("board.not_found", field="board")
    return board


def cosign(session: Session, actor: Actor, board_id: int) -> Change:
    """A supervisor co-signs the decryption of this board's locked results (the caller commits)."""
    board = _load(session, board_id)
    permissions.require(actor, COSIGN_PERMISSION, *_target(session, board), not_found="board.not_found")
    ready = readiness(session, board, hold=True)
    decryption.check_cosign(ready)
    board.cosigned_by = actor.label
    board.cosigned_at = events.utcnow()
    board.cosigned_revision = _latest_revision(session, board)
    record = events.append(
        session, COSIGN_EVENT_TYPE,
        {"board": board.id, "change": "cosign", "action": COSIGN, "sheets": ready.total,
         "revision": board.cosigned_revision, "replaces": ready.cosigned_by},
        actor=actor.label, competition_id=_competition_id(session, board), device_id=actor.device_id,
    )
    session.flush()
    return Change(board.id, COSIGN, board.publication, board.publication, board.reveal_level, board.decrypted,
                  record.id, board.cosigned_by, recompute=False)


def change(session: Session, actor: Actor, board_id: int, action: str) -> Change:
    """Apply ``action`` to the board's publication; returns what changed (the caller commits)."""
    if action == COSIGN:
        return cosign(session, actor, board_id)
    board = _load(session, board_id)
    check_publisher(session, actor, board)
    before = board.publication
    extra: dict[str, Any] = {}
    if action == "decrypt":
        ready = readiness(session, board, hold=True)
        decryption.check_decrypt(ready, actor.label)
        board.decrypted = True
        extra = {"cosigned_by": board.cosigned_by, "sheets": ready.total}
    elif action == "reveal_next":
        if board.publication != PublicationState.REVEALED:
            raise InvalidState("publication.not_revealing", field="action", state=board.publication)
        level = REVEAL_LEVELS.index(board.reveal_level)
        if level + 1 >= len(REVEAL_LEVELS):
            raise InvalidState("publication.reveal_complete", field="action")
        board.reveal_level = REVEAL_LEVELS[level + 1]
    else:
        after = publication_transition(board.publication, action, decrypted=board.decrypted)
        if action == "finalise" and not results_final(session, board.id):
            raise InvalidState("publication.results_not_final", field="action")
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
         "from": before, "to": board.publication, "reveal_level": board.reveal_level, **extra},
        actor=actor.label, competition_id=_competition_id(session, board), device_id=actor.device_id,
    )
    session.flush()
    return Change(board.id, action, before, board.publication, board.reveal_level, board.decrypted, record.id,
                  board.cosigned_by)


def results_final(session: Session, board_id: int) -> bool:
    """Whether the board's result lifecycle has reached ``final`` (signed, hashed)."""
    row = session.get(ResultLifecycle, board_id)
    return row is not None and row.state == RESULTS_FINAL


# -- reading (the publish page) ------------------------------------------------------------------

def page_state(session: Session, actor: Actor, board_id: int) -> dict[str, Any]:
    """What the publish page shows: the publication, the decryption preconditions, who may do what."""
    board = session.get(Board, board_id)
    if board is None:
        raise NotFound("board.not_found", field="board")
    may_publish, may_cosign = check_page(session, actor, board)
    ready = readiness(session, board)
    return {
        "board": board.id, "title": board.title, "publication": board.publication,
        "reveal_level": board.reveal_level, "decrypted": board.decrypted,
        "frozen_at": board.frozen_at.isoformat() if board.frozen_at else None,
        "sheets": ready.total, "locked": ready.locked, "unsheeted": ready.unsheeted,
        "sheets_ready": ready.sheets_ready,
        "cosigned_by": _person(session, board.cosigned_by), "cosigned_at": board.cosigned_at,
        "cosign_current": ready.cosigned, "cosigned_by_me": board.cosigned_by == actor.label,
        "may_publish": may_publish, "may_cosign": may_cosign,
        "available": sorted(available_actions(board.publication, decrypted=board.decrypted,
                                              reveal_level=board.reveal_level)),
    }


def _person(session: Session, label: str | None) -> str | None:
    """A display name for an actor label (``user:<id>``), else the label itself."""
    if label is None:
        return None
    kind, _, ident = label.partition(":")
    if kind == "user" and ident.isdigit():
        user = session.get(User, int(ident))
        if user is not None:
            return user.display_name or user.username
    return label


def _competition_id(session: Session, board: Board) -> int | None:
    stage = session.get(Stage, board.stage_id)
    event = session.get(SkillEvent, stage.event_id) if stage else None
    return event.competition_id if event else None
