"""Scale-out: two web processes share the Redis message queue; a viewer connected to one
receives a mark posted to the other (the worker emits through the same queue)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import free_port, server_env, start_processes, stop_processes, wait_healthy
from tests.factories import scenario
from tests.realtime.viewers import Http, Viewer

pytestmark = [pytest.mark.slow]


def test_a_viewer_on_one_web_process_sees_a_mark_posted_to_another(settings, shared_runtime, instance, session):
    s = scenario(session)
    ports = free_port(), free_port()
    first = start_processes(server_env(instance, shared_runtime.redis_url, ports[0]))  # web + worker
    second = start_processes(server_env(instance, shared_runtime.redis_url, ports[1]), worker=False)  # web only
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    viewer = None
    try:
        wait_healthy(urls[0], first)
        wait_healthy(urls[1], second)
        viewer = Viewer(urls[1])
        assert viewer.join(Http(urls[1]).token(s.board_id))["ok"]
        receipt = Http(urls[0]).mark(s, 0, 0, "T1", "9")
        assert receipt["board_id"] == s.board_id
        board = viewer.wait_for(lambda b: b["version"] >= 1, timeout=10)
        assert (board["rows"][0]["code"], board["rows"][0]["rank"], board["rows"][0]["total"]) == ("HN-01", 1, "2.70")
        Http(urls[1]).mark(s, 1, 1, "T1", "10")  # and the other way round, through the same viewer
        board = viewer.wait_for(lambda b: b["rows"][0]["code"] == "HN-02", timeout=10)
        assert board["rows"][0]["total"] == "3.00" and board["version"] >= 2
    finally:
        if viewer is not None:
            viewer.close()
        stop_processes(second + first)
