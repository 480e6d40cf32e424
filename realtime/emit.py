"""The only module that emits Socket.IO events, at most four broadcasts a second per room.

Workers and the web process publish through the Redis message queue: ``Emitter(redis_url)``
wraps python-socketio's write-only ``RedisManager``; every web process subscribed to the same
channel relays the event to its own sockets in the room. An emit is fire-and-forget: a lost
event is harmless because pages refetch the snapshot on a version gap or a reconnect.

Rate limit: one broadcast per room per ``window`` (250 ms), shared by every process through a
Redis key (``live:win:<room>``, SET NX PX). A newer payload arriving inside the window
replaces the one held for that room, and a flusher thread sends it when the window opens: a
burst is coalesced, and the final state is always sent (also at process exit).

Message size: the payload sent is the whole board or, when smaller, a *delta* against the last
version this process broadcast to that room (``rows_delta``; the page applies it only when it
holds exactly ``base``), used only when Redis (``live:sent:<room>``) confirms that version was
the room's last broadcast by anyone. Deltas compare rows by their ``code`` field only. A late,
older version is still sent whole: pages ignore versions older than theirs.
JSON on the wire is compact (``CompactJSON``: no spaces, UTF-8 rather than ``\\u`` escapes).

Must not: decide what an audience may see (callers pass an already-materialised payload).
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from typing import Any

import redis
import socketio

from realtime import rooms

log = logging.getLogger(__name__)

#: the pub/sub channel shared by web processes and emitters (python-socketio's default)
CHANNEL = "flask-socketio"
#: seconds between two broadcasts to one room (4 per second at most)
WINDOW = 0.25
#: fields of a board payload that do not force a whole-board message when they change
VOLATILE = ("rows", "version", "generated_at")


class CompactJSON:
    """The json module python-socketio encodes packets with: compact, UTF-8."""

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        kwargs.setdefault("separators", (",", ":"))
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(obj, *args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        return json.loads(text, *args, **kwargs)


def size(message: Any) -> int:
    """Bytes of ``message`` as sent on the wire."""
    return len(CompactJSON.dumps(message).encode())


def _without_rank(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "rank"}


def _longest_increasing(sequence: list[int]) -> set[int]:
    """Positions in ``sequence`` of one longest strictly increasing subsequence (patience sort)."""
    tails: list[int] = []  # tails[k]: position of the smallest tail of an increasing run of length k+1
    back: list[int] = [-1] * len(sequence)
    for position, value in enumerate(sequence):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if sequence[tails[middle]] < value:
                low = middle + 1
            else:
                high = middle
        back[position] = tails[low - 1] if low else -1
        if low == len(tails):
            tails.append(position)
        else:
            tails[low] = position
    kept: set[int] = set()
    position = tails[-1] if tails else -1
    while position != -1:
        kept.add(position)
        position = back[position]
    return kept


def rows_delta(old: dict[str, Any], new: dict[str, Any], key: str = "code") -> dict[str, Any] | None:
    """The delta turning board ``old`` into ``new``, or None when more than rows changed.

    Rows that keep their content (rank aside) and their order relative to each other - the
    longest such run - are *kept*: the page refills the free slots with them in their old order
    and shifts each one's rank by the places it moved (``rank + new index - old index``), so a
    team climbing from 10th to 3rd costs one row, not eight. ``delta.rows`` lists
    ``[index, row]`` for every other row; ``ranks`` lists ``[index, rank]`` for kept rows whose
    rank is not the shifted one (ties); ``removed`` the codes that left; ``n`` the new length.
    """
    if any(old.get(k) != new.get(k) for k in set(old) | set(new) if k not in VOLATILE):
        return None
    new_rows = new.get("rows", [])
    before = {row[key]: (i, row) for i, row in enumerate(old.get("rows", []))}
    same = [i for i, row in enumerate(new_rows)
            if row[key] in before and _without_rank(before[row[key]][1]) == _without_rank(row)]
    kept = {same[p] for p in _longest_increasing([before[new_rows[i][key]][0] for i in same])}
    changed = [[i, row] for i, row in enumerate(new_rows) if i not in kept]
    ranks = []
    for i in sorted(kept):
        row = new_rows[i]
        was, old_row = before[row[key]]
        shifted = old_row["rank"] + i - was if old_row.get("rank") is not None else None
        if row.get("rank") != shifted:
            ranks.append([i, row.get("rank")])
    delta: dict[str, Any] = {"rows": changed, "n": len(new_rows)}
    if ranks:
        delta["ranks"] = ranks
    codes = {row[key] for row in new_rows}
    removed = [code for code in before if code not in codes]
    if removed:
        delta["removed"] = removed
    return {"board": new.get("board"), "audience": new.get("audience"), "version": new["version"],
            "base": old["version"], "delta": delta}


def apply_delta(rows: list[dict[str, Any]], delta: dict[str, Any], key: str = "code") -> list[dict[str, Any]] | None:
    """The inverse of ``rows_delta`` (what pages do, for Python viewers): None if inconsistent."""
    out: list[dict[str, Any] | None] = [None] * int(delta["n"])
    taken = set()
    for index, row in delta["rows"]:
        if not 0 <= index < len(out):
            return None
        out[index] = row
        taken.add(row[key])
    gone = set(delta.get("removed", ()))
    slots = iter(i for i, row in enumerate(out) if row is None)
    for was, row in enumerate(rows):
        if row[key] in taken or row[key] in gone:
            continue
        slot = next(slots, None)
        if slot is None:
            return None
        moved = dict(row)
        if row.get("rank") is not None:
            moved["rank"] = row["rank"] + slot - was
        out[slot] = moved
    if any(row is None for row in out):
        return None
    for index, rank in delta.get("ranks", ()):
        if not 0 <= index < len(out):
            return None
        fixed = dict(out[index])  # type: ignore[arg-type]
        if rank is None:
            fixed.pop("rank", None)
        else:
            fixed["rank"] = rank
        out[index] = fixed
    return out  # type: ignore[return-value]


def message_for(last_sent: dict[str, Any] | None, payload: dict[str, Any]) -> dict[str, Any]:
    """The smaller of the whole board and a delta against ``last_sent``."""
    if last_sent is None or last_sent.get("version", 0) >= payload["version"]:
        return payload
    delta = rows_delta(last_sent, payload)
    return delta if delta is not None and size(delta) < size(payload) else payload


class Emitter:
    def __init__(self, redis_url: str, *, window: float = WINDOW) -> None:
        self._manager = socketio.RedisManager(redis_url, channel=CHANNEL, write_only=True)
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
        self._window_ms = max(1, int(window * 1000))
        self._cond = threading.Condition()
        self._pending: dict[str, dict[str, Any]] = {}
        self._sent: dict[str, dict[str, Any]] = {}
        self._flusher: threading.Thread | None = None
        #: broadcasts sent and their bytes (for the benchmarks)
        self.broadcasts = 0
        self.bytes_sent = 0
        atexit.register(self.flush)

    def board_updated(self, board_id: int, audience: str, payload: dict[str, Any]) -> None:
        """Broadcast ``payload`` (one board version) to its room, now or when the window opens."""
        room = rooms.board_room(board_id, audience)
        with self._cond:
            held = self._pending.get(room)
            if held is None or held.get("version", 0) <= payload.get("version", 0):
                self._pending[room] = payload
            if self._send_if_open(room) is not None:
                self._start_flusher()
                self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def officials_changed(self, panel_id: int, competition_id: int, zone_id: int | None,
                          payload: dict[str, Any]) -> None:
        """Tell the panel's console and the progress consoles (competition, zone) what changed.

        Officials' events are few (sheet moves, heartbeats) and small, so they skip the board
        window; a lost one is harmless because consoles refetch their read model on reconnect.
        """
        targets = [rooms.panel_room(panel_id), rooms.progress_room(competition_id)]
        if zone_id is not None:
            targets.append(rooms.progress_room(competition_id, zone_id))
        for room in targets:
            try:
                self._manager.emit(rooms.OFFICIALS_CHANGED, payload, namespace=rooms.NAMESPACE, room=room)
            except Exception:  # noqa: BLE001 - Redis down: consoles catch up on reconnect
                log.warning("could not emit %s to %s", payload.get("kind"), room, exc_info=True)

    def flush(self, timeout: float = 5.0) -> bool:
        """Send everything held, waiting for windows to open; True when nothing is left."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending and time.monotonic() < deadline:
                waits = [w for room in list(self._pending) if (w := self._send_if_open(room)) is not None]
                if waits:
                    self._cond.wait(min(min(waits), max(0.0, deadline - time.monotonic())))
            return not self._pending

    # -- under the lock ------------------------------------------------------------------
    def _send_if_open(self, room: str) -> float | None:
        """Send the room's held payload if its window is open; else seconds until it opens."""
        payload = self._pending.get(room)
        if payload is None:
            return None
        try:
            pipe = self._redis.pipeline()
            pipe.set(f"live:win:{room}", payload["version"], px=self._window_ms, nx=True)
            pipe.get(f"live:sent:{room}")
            pipe.pttl(f"live:win:{room}")
            opened, sent_version, ttl = pipe.execute()
            if not opened:
                return max(int(ttl), 1) / 1000
            del self._pending[room]
            sent = int(sent_version) if sent_version is not None else None
            last = self._sent.get(room)
            base = last if last is not None and sent == last.get("version") else None
            message = message_for(base, payload)
            self._manager.emit(rooms.BOARD_UPDATED, message, namespace=rooms.NAMESPACE, room=room)
            self._redis.set(f"live:sent:{room}", payload["version"], ex=24 * 3600)
        except Exception:  # noqa: BLE001 - Redis down: the page catches up on reconnect
            self._pending.pop(room, None)
            log.warning("could not emit %s v%s", room, payload.get("version"), exc_info=True)
            return None
        self._sent[room] = payload
        self.broadcasts += 1
        self.bytes_sent += size(message)
        return None

    def _start_flusher(self) -> None:
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(target=self._flush_forever, name="emit-flusher", daemon=True)
            self._flusher.start()

    def _flush_forever(self) -> None:
        with self._cond:
            while True:
                while not self._pending:
                    self._cond.wait()
                waits = [w for room in list(self._pending) if (w := self._send_if_open(room)) is not None]
                if waits:
                    self._cond.wait(min(waits))
