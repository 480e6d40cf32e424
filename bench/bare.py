"""The floor for T1/T5: a bare python-socketio server, ``python -m bench.bare PORT REDIS_URL``.

The same async mode (gevent, with gevent-websocket), the same Redis manager and channel kind,
the same compact JSON, but no Flask, no rules, no tokens: ``join`` takes a room name. A
write-only emitter (``socketio.RedisManager(..., write_only=True)``) feeds it the same payloads
on the same schedule as the real board path. ``/healthz`` answers 200.
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402

from realtime.emit import CompactJSON  # noqa: E402

CHANNEL = "bench-bare"


def main() -> None:
    port, redis_url = int(sys.argv[1]), sys.argv[2]
    server = socketio.Server(async_mode="gevent", client_manager=socketio.RedisManager(redis_url, channel=CHANNEL),
                             json=CompactJSON, cors_allowed_origins=[], ping_interval=10, ping_timeout=10)

    @server.on("join", namespace="/live")
    def join(sid, data):  # type: ignore[no-untyped-def]
        server.enter_room(sid, data["token"], namespace="/live")
        return {"ok": True, "room": data["token"]}

    def health(environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"version": 0, "rows": []}']

    app = socketio.WSGIApp(server, health)
    pywsgi.WSGIServer(("127.0.0.1", port), app, handler_class=WebSocketHandler, log=None).serve_forever()


if __name__ == "__main__":
    main()
