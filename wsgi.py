"""WSGI entry point for production servers, on gevent.

    gunicorn -k geventwebsocket.gunicorn.workers.GeventWebSocketWorker -w 1 -b 0.0.0.0:8000 wsgi:app

Run several such processes (one worker each) behind a reverse proxy with sticky sessions;
they share Socket.IO rooms through the Redis message queue (see README, "Production").
"""

from gevent import monkey

monkey.patch_all()

from compete.app import create_app  # noqa: E402

app = create_app()
