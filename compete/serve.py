"""Serve the web app and Socket.IO on gevent: ``python -m compete.serve`` (or ``compete web``).

gevent's monkey-patching must happen before anything opens a socket, so this module patches
first and imports the application after.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402

from compete.app import create_app  # noqa: E402
from compete.settings import Settings  # noqa: E402
from realtime.server import socketio  # noqa: E402


def main() -> None:
    settings = Settings.from_env(os.environ)
    app = create_app(settings)
    print(f"compete web: serving http://{settings.host}:{settings.port}/", file=sys.stderr, flush=True)
    socketio.run(app, host=settings.host, port=settings.port, log_output=settings.env == "development")


if __name__ == "__main__":
    main()
