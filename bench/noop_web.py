"""The web process of the live benchmarks: ``python -m bench.noop_web`` (env as ``compete.serve``).

Exactly ``compete.serve`` plus one route, ``POST /bench/noop`` (answers 201 ``{}``), so T2's
baseline - a no-op Flask endpoint on the same server - runs in the same process, on the same
gevent server, beside the real ``POST /api/marks``.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from compete.app import create_app  # noqa: E402
from compete.settings import Settings  # noqa: E402
from realtime.server import socketio  # noqa: E402


def main() -> None:
    settings = Settings.from_env(os.environ)
    app = create_app(settings)
    app.add_url_rule("/bench/noop", "bench_noop", lambda: ({}, 201), methods=["POST"])
    socketio.run(app, host=settings.host, port=settings.port, log_output=False)


if __name__ == "__main__":
    main()
