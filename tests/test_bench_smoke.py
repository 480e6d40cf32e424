"""The benchmark harness runs (performance.md: CI runs a small smoke of the benchmarks).

Tiny sizes on embedded defaults in a scratch folder: this proves the harness and the targets'
code paths work and that the results file has the shape performance.md asks for. It measures
nothing (figures from ``make bench`` are in bench/results/latest.*)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_harness_runs_and_writes_its_results_format() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--only", "T3,T4,T8,IMPORT"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((ROOT / "bench" / "results" / "smoke.json").read_text(encoding="utf-8"))
    assert results["smoke"] is True and results["machine"]["cores"] and results["scenario"]
    for target in ("T3", "T4", "T8", "IMPORT"):
        entry = results[target]
        assert set(entry) >= {"value", "unit", "baseline", "ratio", "goal", "met"}, target
        assert isinstance(entry["value"], (int, float)) and entry["value"] > 0, target
        assert isinstance(entry["met"], bool), target
