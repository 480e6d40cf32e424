"""Judges' POSTs on a precomputed schedule: ``python -m bench.loadgen PLAN.json``.

The plan lists requests with their scheduled offsets (seconds from the start). Each request is
sent at its scheduled time (or as soon as possible after, when the generator is behind) and its
latency is measured from the *scheduled* time, so a stalled server cannot hide its own delay.
``closed`` mode instead keeps ``concurrency`` requests in flight for ``seconds`` (throughput).
Writes ``PLAN.out.json``: per request ``[scheduled, done, status]`` (closed: counts and times).

Must not: import the application.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp


async def scheduled(plan: dict[str, Any], http: aiohttp.ClientSession) -> list[list[float]]:
    start = plan["start"]
    out: list[list[float]] = []

    async def one(item: dict[str, Any]) -> None:
        at = start + item["at"]
        delay = at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        body = {**item["body"], "submission_id": str(uuid.uuid4())}
        try:
            async with http.post(plan["url"] + item.get("path", "/api/marks"), json=body,
                                 headers=item.get("headers", {})) as response:
                await response.read()
                status = response.status
        except Exception:  # noqa: BLE001 - connection refused or reset: an error
            status = 0
        out.append([at, time.time(), status])

    await asyncio.gather(*(one(item) for item in plan["requests"]))
    return out


async def closed(plan: dict[str, Any], http: aiohttp.ClientSession) -> dict[str, Any]:
    deadline = time.time() + plan["seconds"]
    latencies: list[float] = []
    errors = 0
    items = plan["requests"]

    async def worker(k: int) -> None:
        nonlocal errors
        i = k
        while time.time() < deadline:
            item = items[i % len(items)]
            i += plan["concurrency"]
            body = {**item["body"], "submission_id": str(uuid.uuid4())}
            sent = time.time()
            try:
                async with http.post(plan["url"] + item.get("path", "/api/marks"), json=body,
                                     headers=item.get("headers", {})) as response:
                    await response.read()
                    ok = response.status < 400
            except Exception:  # noqa: BLE001
                ok = False
            latencies.append(time.time() - sent)
            errors += 0 if ok else 1

    started = time.time()
    await asyncio.gather(*(worker(k) for k in range(plan["concurrency"])))
    return {"count": len(latencies), "errors": errors, "seconds": time.time() - started, "latencies": latencies}


async def main(path: Path) -> None:
    plan = json.loads(path.read_text())
    connector = aiohttp.TCPConnector(limit=plan.get("connections", 200))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
        result: Any = await (closed(plan, http) if plan.get("mode") == "closed" else scheduled(plan, http))
    path.with_suffix(".out.json").write_text(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
