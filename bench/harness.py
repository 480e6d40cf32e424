"""The benchmark harness: results, machine facts, interleaved timing and the report files.

Vocabulary: a *target* is an id of performance.md (T1 … T8); a ``Result`` holds the measured
``value`` beside its same-run ``baseline``, their ``ratio``, the ``goal`` in words and whether it
was ``met``. ``interleave(a, b, rounds)`` runs baseline and candidate as A B B A … so that the
machine's drift hits both alike, and returns both lists of samples.

A target module exposes ``run(ctx: Context) -> list[Result]``; register it in ``TARGET_MODULES``.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

#: target id → module implementing it (each module may report several ids)
TARGET_MODULES: dict[str, str] = {
    # the audiences' path (bench/audiences.py measures these five in one run)
    "T1": "bench.audiences",
    "T2": "bench.audiences",
    "T5": "bench.audiences",
    "T6": "bench.audiences",
    "T7": "bench.audiences",
    "T8": "bench.queue_hop",  # the queue hop: enqueue → job start on the real worker
    # the scoring engine: recompute (bench/recompute.py) and coalescing (bench/coalescing.py)
    "T3": "bench.recompute",
    "T4": "bench.coalescing",
    # organisers: bulk registration import (bench/imports.py)
    "IMPORT": "bench.imports",
}


@dataclasses.dataclass
class Result:
    id: str
    what: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Context:
    smoke: bool
    workdir: Path
    database_url: str | None = os.environ.get("DATABASE_URL") or None
    redis_url: str | None = os.environ.get("REDIS_URL") or None


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    redis_version = "unknown"
    try:
        out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, timeout=5).stdout
        redis_version = out.split("v=")[1].split()[0] if "v=" in out else out.strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "redis_server": redis_version}


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of ``fn`` took."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleave(baseline: Callable[[], Any], candidate: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    """Time A B B A … for ``rounds`` pairs; returns (baseline samples, candidate samples) in seconds."""
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            a.append(timed(baseline))
            b.append(timed(candidate))
        else:
            b.append(timed(candidate))
            a.append(timed(baseline))
    return a, b


def median_ratio(a: list[float], b: list[float]) -> tuple[float, float]:
    """The median of per-round ratios b/a, and their spread (max − min)."""
    ratios = [y / x for x, y in zip(a, b, strict=True) if x > 0]
    return statistics.median(ratios), (max(ratios) - min(ratios)) if ratios else float("nan")


def results_name(smoke: bool, database_url: str | None) -> str:
    """``latest`` on the embedded defaults; runs on PostgreSQL keep their own ``latest-postgresql``."""
    if smoke:
        return "smoke"
    return "latest-postgresql" if database_url and database_url.startswith("postgresql") else "latest"


def write(results: list[Result], scenario: str, name: str) -> Path:
    """Merge this run's results into ``<name>.json``: targets not run now keep their last
    figures, each with the time it was measured; then rewrite the markdown table beside it."""
    RESULTS.mkdir(exist_ok=True)
    smoke = name == "smoke"
    path = RESULTS / f"{name}.json"
    previous: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
    now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    targets = {k: v for k, v in previous.items() if isinstance(v, dict) and "value" in v}
    targets.update({r.id: {**r.as_dict(), "measured_at": now} for r in results})
    data: dict[str, Any] = dict(sorted(targets.items()))
    data["machine"] = machine()
    data["scenario"] = scenario
    data["smoke"] = smoke
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = ["| id | what | value | baseline | ratio | goal | met | measured |",
             "|---|---|---|---|---|---|---|---|"]
    for key, r in sorted(targets.items()):
        baseline = f"{r['baseline']:.4g}" if r.get("baseline") is not None else "–"
        ratio = f"{r['ratio']:.3g}" if r.get("ratio") is not None else "–"
        lines.append(f"| {key} | {r['what']} | {r['value']:.4g} {r['unit']} | {baseline} | {ratio} | {r['goal']} | "
                     f"{'yes' if r['met'] else 'NO'} | {r.get('measured_at', '')} |")
    m = data["machine"]
    lines += ["", f"Machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, Redis {m['redis_server']}.",
              f"Scenario: {scenario}"]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the harness runs, measures nothing")
    parser.add_argument("--only", default="", help="comma-separated target ids, e.g. T3,T4")
    args = parser.parse_args(argv)
    wanted = {t.strip().upper() for t in args.only.split(",") if t.strip()}
    modules = sorted({m for t, m in TARGET_MODULES.items() if not wanted or t in wanted})
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="compete-bench-") as workdir:
        ctx = Context(smoke=args.smoke, workdir=Path(workdir))
        for name in modules:
            module = importlib.import_module(name)
            print(f"== {name}", file=sys.stderr, flush=True)
            results.extend(r for r in module.run(ctx) if not wanted or r.id in wanted)
    scenario = ("smoke sizes" if args.smoke else
                "national event: 13 zones, 83 institutions, 287 teams, 5-judge panels, 30 aspects (per target)")
    path = write(results, scenario, results_name(args.smoke, ctx.database_url))
    for r in results:
        print(f"{r.id}: {r.value:.4g} {r.unit} (baseline {r.baseline}, ratio {r.ratio}) goal {r.goal}: "
              f"{'met' if r.met else 'MISSED'}")
    print(f"written {path}")
    return 0
