"""Real server processes for the socket tests (the browser tests' helpers, one set per module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import LiveServer, free_port, server_env, start_processes, stop_processes, wait_healthy


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
