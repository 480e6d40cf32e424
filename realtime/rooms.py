"""Room and event names for live boards, built in one place.

A board has one room per audience: ``board:<id>:public`` and ``board:<id>:officials``. All
board traffic is on the ``/live`` namespace; the server-to-client event ``board:updated``
carries either a whole board (``{board, audience, version, rows, ...}``) or a delta against
an earlier version (``{board, audience, version, base, delta: {rows: [[index, row], ...],
removed: [code, ...], n}}``). Joining a room needs a *room token* (kind ``room``, claims
``{"b": board_id, "a": audience}``) signed by the HTTP layer; it expires after
``ROOM_TOKEN_MAX_AGE`` seconds and the page fetches a fresh one when a join says so.

Must not: know what a board contains, or touch the database.
"""

from __future__ import annotations

NAMESPACE = "/live"
BOARD_UPDATED = "board:updated"
AUDIENCES = ("public", "officials")
ROOM_TOKEN_KIND = "room"
#: seconds a room token admits a socket (a reconnecting page asks HTTP for a fresh one)
ROOM_TOKEN_MAX_AGE = 4 * 3600
#: join replies' error codes
TOKEN_INVALID = "room.token_invalid"
TOKEN_EXPIRED = "room.token_expired"


def board_room(board_id: int, audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return f"board:{board_id}:{audience}"


# -- officials' rooms: the chief judge's console and the organiser's progress console ------------
#: ``panel:<id>`` (one panel) and ``progress:<competition>[:<zone>]`` (every panel of a competition
#: or of one zone). Joined with an *officials token* (kind ``officials-room``, claims ``{"p": panel}``
#: or ``{"c": competition, "z": zone or None}``) that the HTTP layer signs only for chief judges and
#: admins (zone admins: their zones); the one event is ``officials:changed`` (``{kind, panel, ...}``),
#: after which a console applies it or refetches its read model.
OFFICIALS_TOKEN_KIND = "officials-room"
OFFICIALS_TOKEN_MAX_AGE = 12 * 3600
OFFICIALS_CHANGED = "officials:changed"


def panel_room(panel_id: int) -> str:
    return f"panel:{int(panel_id)}"


def progress_room(competition_id: int, zone_id: int | None = None) -> str:
    return f"progress:{int(competition_id)}" + (f":{int(zone_id)}" if zone_id is not None else "")


def officials_room(claims: dict[str, object]) -> str:
    """The room an officials token's claims name; raises ``ValueError`` for anything else."""
    if "p" in claims:
        return panel_room(int(str(claims["p"])))
    if "c" in claims:
        zone = claims.get("z")
        return progress_room(int(str(claims["c"])), int(str(zone)) if zone is not None else None)
    raise ValueError("not an officials room")
