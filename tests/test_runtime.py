"""The process runtime owns the embedded Redis it starts, and stops it on close."""

from __future__ import annotations

import os
import time
from pathlib import Path

from compete.queues import _embedded
from compete.runtime import Runtime
from compete.settings import Settings


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a stopped child may linger as a zombie until reaped
        return stat.read().split()[2] != "Z"


def test_closing_the_runtime_stops_the_embedded_redis_it_started(tmp_path: Path) -> None:
    settings = Settings.from_env({"COMPETE_ENV": "testing", "COMPETE_INSTANCE": str(tmp_path)})
    rt = Runtime.build(settings)
    assert rt.redis_url.startswith("unix://") and rt.redis.ping()
    pid = _embedded[str(settings.embedded_redis_path)].pid
    other = Runtime.build(settings)  # a second client in the same process (pools, listeners) ...
    assert other.redis.ping()
    assert running(pid)
    rt.close()  # ... does not keep the server alive once its owner closes
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)
    other.redis.close()


def test_the_embedded_redis_stops_even_when_its_folder_is_gone(tmp_path: Path) -> None:
    """Redis refuses to stop when it cannot save; the runtime then stops it without saving."""
    import shutil

    instance = tmp_path / "instance"
    settings = Settings.from_env({"COMPETE_ENV": "testing", "COMPETE_INSTANCE": str(instance)})
    rt = Runtime.build(settings)
    pid = _embedded[str(settings.embedded_redis_path)].pid
    rt.redis.set("k", "v")
    shutil.rmtree(instance)
    rt.close()
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)
