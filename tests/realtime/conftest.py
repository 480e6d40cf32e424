"""Real server processes for the socket tests: the browser tests' ``live_server`` fixture (one
web process and worker per test module), shared rather than written again."""

from __future__ import annotations

from tests.browser.conftest import live_server  # noqa: F401  (a fixture: pytest finds it here)
