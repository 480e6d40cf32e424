"""Browser fixtures: real server processes (gevent web + RQ worker) and headless Chromium.

``live_server`` starts ``python -m compete.serve`` and ``python -m compete.cli worker`` on the
tests' own database and Redis, for one test module (its worker would otherwise take the jobs
other tests run themselves) (the embedded Redis is reached through its unix socket) and
waits for ``/healthz`` to answer 200. ``browser`` is Debian's Chromium driven by Playwright.
Screenshots go to ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import server_environ

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, url: str, processes: list[subprocess.Popen[bytes]]) -> None:
        self.url = url
        self.processes = processes


def start_processes(env: dict[str, str], *, worker: bool = True) -> list[subprocess.Popen[bytes]]:
    commands = [[sys.executable, "-m", "compete.serve"]]
    if worker:
        commands.append([sys.executable, "-m", "compete.cli", "worker"])
    return [subprocess.Popen(command, env=env, cwd=ROOT) for command in commands]


def wait_healthy(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a server process exited during start-up")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {timeout}s")


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def server_env(instance: Path, redis_url: str, port: int) -> dict[str, str]:
    return {**os.environ, **server_environ(instance), "REDIS_URL": redis_url, "PORT": str(port), "HOST": "127.0.0.1"}


@pytest.fixture(scope="module")
def live_server(settings, shared_runtime, instance) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    port = free_port()
    processes = start_processes(server_env(instance, shared_runtime.redis_url, port))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, processes)
        yield LiveServer(url, processes)
    finally:
        stop_processes(processes)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
