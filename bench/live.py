"""The live benchmarks' machinery: a seeded stack of real processes, viewer fleets, load plans.

``Stack.build(ctx)`` migrates a fresh database in the run's work folder, seeds the national
demo (13 zones, 83 institutions, 287 teams, 5-judge panels) and keeps the embedded Redis alive
(``REDIS_URL``/``DATABASE_URL`` from the context win). ``stack.web(name, port)`` and
``stack.worker()`` start the real processes (``bench.noop_web`` = ``compete.serve`` + a no-op
route); ``Fleet`` runs viewers in separate processes (``bench.viewers``) and collects what they
recorded; ``run_plan`` runs ``bench.loadgen`` on a schedule. Sizes come from ``Sizes`` (env ``BENCH_SCALE`` scales the viewers, ``BENCH_BACKGROUND`` sets the
submissions per second beside T1).

Must not: be imported by the application or the tests.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import select

from bench.harness import Context
from compete.accounts.models import Judge
from compete.db import session_scope
from compete.migrate import upgrade
from compete.runtime import Runtime
from compete.security import Tokens
from compete.settings import PROJECT_ROOT, Settings
from scoring import demo
from scoring.models import Aspect, Board, Sheet

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@dataclasses.dataclass(frozen=True)
class Sizes:
    big_room: int = 400
    phones: int = 600
    viewer_processes: int = 4
    seconds: float = 30  # T1/T6 steady phase
    background: float = 50  # submissions per second during T1/T6/T7
    sustained_rate: float = 300
    sustained_seconds: float = 60
    burst_rate: float = 1000
    burst_seconds: float = 10
    closed_seconds: float = 5
    storm_seconds: float = 25

    @classmethod
    def for_run(cls, smoke: bool) -> Sizes:
        if smoke:
            return cls(big_room=8, phones=12, viewer_processes=2, seconds=4, background=10, sustained_rate=30,
                       sustained_seconds=2, burst_rate=60, burst_seconds=1, closed_seconds=1, storm_seconds=8)
        scale = float(os.environ.get("BENCH_SCALE", "1"))  # e.g. 0.5 halves the viewers
        base = cls()
        background = float(os.environ.get("BENCH_BACKGROUND", base.background))  # submissions/s beside T1
        return dataclasses.replace(base, big_room=int(base.big_room * scale), phones=int(base.phones * scale),
                                   background=background)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status in (200, 503):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


@dataclasses.dataclass
class Target:
    """One thing a judge can POST: a sheet, an aspect, values that are valid for it."""

    board: int
    token: str
    sheet: int
    aspect: int
    values: tuple[str, ...]

    def request(self, at: float, value: str, path: str = "/api/marks") -> dict[str, Any]:
        return {"at": at, "path": path, "headers": {"Authorization": f"Device {self.token}"},
                "body": {"sheet": self.sheet, "aspect": self.aspect, "value": value}}


class Stack:
    def __init__(self, ctx: Context, rt: Runtime, env: dict[str, str], boards: list[int], final: int,
                 targets: dict[int, list[Target]], probe: Target) -> None:
        self.ctx = ctx
        self.rt = rt
        self.env = env
        self.boards = boards
        self.final = final
        self.targets = targets
        self.probe = probe
        self.tokens = Tokens(SECRET)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = Path(env["COMPETE_INSTANCE"]).parent / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    @classmethod
    def build(cls, ctx: Context, name: str = "live") -> Stack:
        """A fresh stack in ``ctx.workdir / name`` (each module its own database and Redis)."""
        instance = ctx.workdir / name / "instance"
        env = {**os.environ, "COMPETE_ENV": "testing", "COMPETE_INSTANCE": str(instance), "SECRET_KEY": SECRET,
               "COMPETE_LOCALE": "en"}
        for key, value in (("DATABASE_URL", ctx.database_url), ("REDIS_URL", ctx.redis_url)):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        settings = Settings.from_env(env)
        upgrade(settings)
        rt = Runtime.build(settings)
        env["REDIS_URL"] = rt.redis_url
        rng = random.Random(11)
        with session_scope(rt.sessions) as session:
            summary = demo.seed(session)
            tokens = dict(summary.tokens)
            zone_boards = list(session.scalars(select(Board.id).where(Board.zone_id.is_not(None)).order_by(Board.id)))
            final = session.scalar(select(Board.id).where(Board.zone_id.is_(None)))
            aspects = list(session.scalars(select(Aspect).order_by(Aspect.id)))
            judgement = [a.id for a in aspects if a.kind == "judgement"]
            points = next(a for a in aspects if a.kind == "points" and a.max_mark >= 2
                          and getattr(a, "step", None) in (None, 1))
            sheets = session.execute(select(Sheet.id, Sheet.judge_id, Sheet.team_id, Sheet.board_id)
                                     .where(Sheet.judge_id.in_(tokens)).order_by(Sheet.id)).all()
            session.scalars(select(Judge.id)).all()
        targets: dict[int, list[Target]] = {b: [] for b in zone_boards}
        for sheet_id, judge_id, _team, board_id in sheets:
            targets[board_id].append(Target(board_id, tokens[judge_id], sheet_id, rng.choice(judgement),
                                            ("0", "1", "2", "3")))
        first = sheets[0]
        probe = Target(first[3], tokens[first[1]], first[0], points.id, ("1", "2"))
        assert final is not None
        return cls(ctx, rt, env, zone_boards, final, targets, probe)

    # -- processes ------------------------------------------------------------------------
    def start(self, name: str, args: list[str], port: int | None = None) -> subprocess.Popen[bytes]:
        env = {**self.env, **({"PORT": str(port), "HOST": "127.0.0.1"} if port else {})}
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen([sys.executable, *args], env=env, cwd=PROJECT_ROOT, stdout=log, stderr=log)
        self.processes[name] = process
        return process

    def web(self, name: str, port: int) -> str:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, self.start(name, ["-m", "bench.noop_web"], port))
        return url

    def worker(self) -> None:
        self.start("worker", ["-m", "compete.cli", "worker"])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=20)

    def rss(self, name: str) -> int:
        return int(psutil.Process(self.processes[name].pid).memory_info().rss)

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.rt.close()

    # -- rooms ----------------------------------------------------------------------------
    def room(self, board: int, audience: str) -> dict[str, Any]:
        return {"name": f"board:{board}:{audience}", "board": board, "audience": audience,
                "token": self.tokens.sign("room", {"b": board, "a": audience}),
                "snapshot": f"/api/boards/{board}?audience=public" if audience == "public" else None}

    def viewer_rooms(self, sizes: Sizes) -> list[dict[str, Any]]:
        """The big screen's room (``sizes.big_room`` viewers) and phones spread over the rest."""
        big = self.room(self.probe.board, "public")
        others = [self.room(b, "public") for b in self.boards if b != self.probe.board]
        others += [self.room(b, "officials") for b in self.boards]
        others += [self.room(self.final, "public"), self.room(self.final, "officials")]
        return [big] * sizes.big_room + [others[i % len(others)] for i in range(sizes.phones)]

    def background(self, rate: float, seconds: float, start_at: float = 0.0, exclude: int | None = None,
                   seed: int = 5, path: str = "/api/marks") -> list[dict[str, Any]]:
        """``rate`` POSTs a second for ``seconds`` on random sheets of the zone boards."""
        rng = random.Random(seed)
        pool = [t for b, ts in self.targets.items() if b != exclude for t in ts]
        count = int(rate * seconds)
        return [(t := rng.choice(pool)).request(start_at + i / rate, rng.choice(t.values), path)
                for i in range(count)]


class Fleet:
    """Viewers in ``processes`` separate processes, all on ``url``."""

    def __init__(self, stack: Stack, url: str, rooms: list[dict[str, Any]], processes: int, name: str,
                 batch: int = 50, pace: float = 0.1) -> None:
        self.specs: list[Path] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.started = time.time()
        for k in range(processes):
            spec = stack.ctx.workdir / f"{name}-{k}.json"
            spec.write_text(json.dumps({"url": url, "viewers": rooms[k::processes], "batch": batch, "pace": pace}))
            for suffix in (".ready", ".stop", ".out.json"):
                spec.with_suffix(suffix).unlink(missing_ok=True)
            log = (stack.logs / f"{name}-{k}.log").open("ab")
            self.procs.append(subprocess.Popen([sys.executable, "-m", "bench.viewers", str(spec)],
                                               cwd=PROJECT_ROOT, stdout=log, stderr=log))
            self.specs.append(spec)

    def wait_ready(self, timeout: float = 180) -> dict[str, float]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(s.with_suffix(".ready").exists() for s in self.specs):
                ready = [json.loads(s.with_suffix(".ready").read_text()) for s in self.specs]
                return {"seconds": max(r["joined"] for r in ready) - self.started,
                        "missing": sum(r["missing"] for r in ready)}
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError("a viewer process died; see bench logs")
            time.sleep(0.1)
        raise RuntimeError("viewers did not join in time")

    def collect(self) -> list[dict[str, Any]]:
        for spec in self.specs:
            spec.with_suffix(".stop").write_text("stop")
        out: list[dict[str, Any]] = []
        for spec, process in zip(self.specs, self.procs, strict=True):
            process.wait(timeout=120)
            out.extend(json.loads(spec.with_suffix(".out.json").read_text()))
        return out


def run_plan(stack: Stack, name: str, plan: dict[str, Any], wait: bool = True) -> Any:
    path = stack.ctx.workdir / f"{name}.json"
    path.write_text(json.dumps(plan))
    log = (stack.logs / f"{name}.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "bench.loadgen", str(path)], cwd=PROJECT_ROOT,
                               stdout=log, stderr=log)
    if not wait:
        return process, path
    process.wait()
    return json.loads(path.with_suffix(".out.json").read_text())


def plan_result(process: subprocess.Popen[bytes], path: Path) -> Any:
    process.wait()
    return json.loads(path.with_suffix(".out.json").read_text())
