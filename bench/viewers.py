"""Viewer processes for the live benchmarks: ``python -m bench.viewers SPEC.json``.

Each viewer is a python-socketio asyncio client on WebSocket transport that joins one room
with its token, keeps the latest board (whole boards and deltas applied like the pages do,
refetching the snapshot over HTTP on a gap), and records when each version first arrived and
how many bytes each message had. The spec names the server, the rooms and how many viewers
each gets; the process writes ``SPEC.ready`` once every viewer has joined, re-joins after a
reconnect (recording when), and writes its results to ``SPEC.out.json`` when ``SPEC.stop``
appears. Connections are opened in paced batches (``batch`` per ``pace`` seconds).

Must not: import the application (only ``realtime.emit`` for the delta rules).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from realtime.emit import CompactJSON, apply_delta

EVENT = "board:updated"
NAMESPACE = "/live"


class Viewer:
    def __init__(self, index: int, url: str, room: dict[str, Any], http: aiohttp.ClientSession) -> None:
        self.index = index
        self.url = url
        self.room = room
        self.http = http
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5,
                                           randomization_factor=0.5)
        self.board: dict[str, Any] | None = None
        self.arrivals: dict[int, float] = {}
        self.bytes = 0
        self.messages = 0
        self.sizes = {"board": 0, "delta": 0}
        self.gaps = 0
        self.joined_at: list[float] = []
        self.first_after_join: list[float] = []
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on(EVENT, self._on_board, namespace=NAMESPACE)

    async def start(self) -> None:
        await self.client.connect(self.url, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=30)

    async def _on_connect(self) -> None:
        asyncio.get_running_loop().create_task(self._join())

    async def _join(self) -> None:
        for _ in range(20):
            try:
                reply = await self.client.call("join", {"token": self.room["token"]}, namespace=NAMESPACE, timeout=15)
            except Exception:  # noqa: BLE001 - disconnected meanwhile: the next connect joins
                await asyncio.sleep(0.5)
                continue
            if reply and reply.get("ok"):
                self.joined_at.append(time.time())
                await self._refetch()
                return
            await asyncio.sleep(0.5)

    async def _refetch(self) -> None:
        if not self.room.get("snapshot"):
            return  # an officials' room: the bench holds no signed-in session
        try:
            async with self.http.get(self.url + self.room["snapshot"]) as response:
                payload = await response.json()
        except Exception:  # noqa: BLE001
            return
        if self.board is None or payload["version"] > self.board["version"]:
            self.board = payload

    def _on_board(self, message: dict[str, Any]) -> None:
        now = time.time()
        size = len(CompactJSON.dumps(message).encode())
        self.bytes += size
        self.messages += 1
        kind = "delta" if "delta" in message else "board"
        self.sizes[kind] = max(self.sizes[kind], size)
        if self.joined_at and len(self.first_after_join) < len(self.joined_at):
            self.first_after_join.append(now)
        version = message["version"]
        self.arrivals.setdefault(version, now)
        have = self.board["version"] if self.board else 0
        if version <= have:
            return
        if kind == "delta":
            rows = apply_delta(self.board["rows"], message["delta"]) if self.board and message["base"] == have else None
            if rows is None:
                self.gaps += 1
                asyncio.get_running_loop().create_task(self._refetch())
                return
            self.board = {**self.board, "rows": rows, "version": version}  # type: ignore[dict-item]
        else:
            self.board = message

    def result(self) -> dict[str, Any]:
        return {"room": self.room["name"], "board": self.room["board"], "arrivals": self.arrivals,
                "bytes": self.bytes, "messages": self.messages, "sizes": self.sizes, "gaps": self.gaps,
                "joined_at": self.joined_at, "first_after_join": self.first_after_join,
                "rows": self.board["rows"] if self.board else None,
                "version": self.board["version"] if self.board else 0}


async def main(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as http:
        viewers = [Viewer(i, spec["url"], room, http) for i, room in enumerate(spec["viewers"])]
        started = time.time()
        batch, pace = spec.get("batch", 50), spec.get("pace", 0.1)
        for i in range(0, len(viewers), batch):
            await asyncio.gather(*(v.start() for v in viewers[i:i + batch]), return_exceptions=True)
            await asyncio.sleep(pace)
        deadline = time.time() + 120
        while time.time() < deadline and not all(v.joined_at for v in viewers):
            await asyncio.sleep(0.05)
        ready = {"started": started, "joined": max((v.joined_at[0] for v in viewers if v.joined_at), default=0),
                 "missing": sum(1 for v in viewers if not v.joined_at)}
        spec_path.with_suffix(".ready").write_text(json.dumps(ready))
        stop = spec_path.with_suffix(".stop")
        while not stop.exists():
            await asyncio.sleep(0.1)
        out = [v.result() for v in viewers]
        spec_path.with_suffix(".out.json").write_text(json.dumps(out))
        await asyncio.gather(*(v.client.disconnect() for v in viewers), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
