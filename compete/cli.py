"""The ``compete`` command: run the whole system, a worker, the web server, the demo.

    compete run [--demo] [--simulate]   migrations, embedded Redis, a worker and the web server
    compete web                         the web server alone (gevent + Socket.IO)
    compete worker                      an RQ worker with the event-log relay
    compete migrate                     alembic upgrade head
    compete demo [--simulate]           seed a national selection round (13 zones, 287 teams)
    compete simulate [--minutes N]      demo judges score, so the boards move
    compete device JUDGE_ID             bind a new device to a judge and print its token
    compete user NAME [--role R]        create an organiser or official account

Heavy imports happen inside commands, so ``compete --help`` is instant.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import click


def _settings():  # type: ignore[no-untyped-def]
    from compete.settings import Settings, SettingsError

    try:
        return Settings.from_env(os.environ)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _runtime():  # type: ignore[no-untyped-def]
    import compete.accounts.models  # noqa: F401
    import scoring.models  # noqa: F401
    from compete import runtime

    return runtime.install(runtime.Runtime.build(_settings()))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Skills competition management: registration, blind tablet scoring, live boards."""


@main.command()
def migrate() -> None:
    """Bring the database to the newest schema (alembic upgrade head)."""
    from compete.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    click.echo(f"database ready: {settings.sqlalchemy_url}")


@main.command()
def web() -> None:
    """Serve the web app and Socket.IO on gevent."""
    os.execv(sys.executable, [sys.executable, "-m", "compete.serve"])


@main.command()
@click.option("--burst", is_flag=True, help="Process the queued jobs, then exit.")
def worker(burst: bool) -> None:
    """Run an RQ worker (board recomputes, imports) with the event-log relay."""
    from scoring.worker import run as run_worker

    rt = _runtime()
    click.echo(f"compete worker: queues boards, default on {_redacted(rt.redis_url)}", err=True)
    run_worker(rt, burst=burst)


def _seed(rt):  # type: ignore[no-untyped-def]
    from compete.db import session_scope
    from scoring.demo import seed

    with session_scope(rt.sessions) as session:
        return seed(session)


def _open_demo(rt, settings, competition_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    from compete.db import session_scope
    from compete.security import Tokens
    from scoring.demo_access import open_demo

    with session_scope(rt.sessions) as session:
        access = open_demo(session, Tokens(settings.secret_key), competition_id)
    return access.lines(f"http://{settings.host}:{settings.port}/")


def _simulate_in_background(rt, minutes: float) -> threading.Thread:  # type: ignore[no-untyped-def]
    from scoring.simulate import simulate

    thread = threading.Thread(target=simulate, args=(rt,), kwargs={"minutes": minutes}, daemon=True, name="simulate")
    thread.start()
    return thread


@main.command()
@click.option("--simulate", is_flag=True, help="Then make the demo judges score for a few minutes.")
@click.option("--minutes", default=3.0, show_default=True, help="How long the simulated scoring lasts.")
def demo(simulate: bool, minutes: float) -> None:
    """Seed a national selection round: 13 zones, 83 institutions, 287 teams, 5-judge panels."""
    from compete.migrate import upgrade

    upgrade(_settings())
    rt = _runtime()
    summary = _seed(rt)
    click.echo(f"demo ready: {summary}")
    if simulate:
        click.echo(f"simulating judges for {minutes} minutes (needs a running worker: compete run or compete worker)")
        _simulate_in_background(rt, minutes).join()


@main.command()
@click.option("--minutes", default=3.0, show_default=True)
def simulate(minutes: float) -> None:
    """Make the demo judges score their open sheets (needs a running worker)."""
    _simulate_in_background(_runtime(), minutes).join()


@main.command()
@click.argument("judge_id", type=int)
@click.option("--label", default="tablet", show_default=True)
def device(judge_id: int, label: str) -> None:
    """Bind a new device to a judge and print its token (shown once)."""
    from compete.accounts.services import issue_device
    from compete.db import session_scope
    from compete.errors import DomainError
    from compete.security import SYSTEM

    rt = _runtime()
    try:
        with session_scope(rt.sessions) as session:
            dev, token = issue_device(session, judge_id, label, actor=SYSTEM)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: judge {judge_id}") from exc
    click.echo(f"device {dev.id} for judge {judge_id}: {token}")


@main.command()
@click.argument("username")
@click.option("--role", "roles", multiple=True, default=("admin",), show_default=True,
              help="Role to grant (repeatable): admin, zone_admin, chief_judge, judge, supervisor, arbitrator.")
@click.option("--zone", "zone_id", type=int, default=None, help="Zone id for a zone-scoped role.")
@click.password_option()
def user(username: str, roles: tuple[str, ...], zone_id: int | None, password: str) -> None:
    """Create an organiser or official account."""
    from compete.accounts import users
    from compete.db import session_scope
    from compete.errors import DomainError
    from compete.security import SYSTEM

    rt = _runtime()
    try:
        with session_scope(rt.sessions) as session:
            account = users.create_user(session, username, password, actor=SYSTEM)
            for role in roles:
                users.grant(session, account, role, actor=SYSTEM, zone_id=zone_id)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code} ({exc.field})") from exc
    click.echo(f"user {username} created with roles {', '.join(roles)}")


@main.command()
@click.option("--demo/--no-demo", "with_demo", default=False, help="Seed the demo competition if it is missing.")
@click.option("--simulate", is_flag=True, help="Make the demo judges score for a few minutes.")
@click.option("--minutes", default=3.0, show_default=True)
def run(with_demo: bool, simulate: bool, minutes: float) -> None:
    """Everything one organiser needs on one machine: migrations, Redis, a worker, the web server."""
    from compete.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop ends like Ctrl+C: children and Redis too
    rt = _runtime()
    access_lines: list[str] = []
    if with_demo or simulate:
        summary = _seed(rt)
        click.echo(f"demo: {summary}")
        access_lines = _open_demo(rt, settings, summary.competition_id)
    env = {**os.environ, "REDIS_URL": rt.redis_url}
    children = [
        subprocess.Popen([sys.executable, "-m", "compete.cli", "worker"], env=env),
        subprocess.Popen([sys.executable, "-m", "compete.serve"], env=env),
    ]
    url = f"http://{settings.host}:{settings.port}/"
    try:
        _wait_until_up(url + "healthz", children)
        click.echo("")
        click.echo(click.style(f"  compete is running: {url}", bold=True))
        click.echo(f"  database: {_redacted(settings.sqlalchemy_url)}")
        click.echo(f"  redis:    {_redacted(rt.redis_url)}{' (embedded)' if not settings.redis_url else ''}")
        click.echo(f"  health:   {url}healthz")
        for line in access_lines:
            click.echo(line)
        click.echo("  press Ctrl+C to stop")
        click.echo("")
        if simulate:
            _simulate_in_background(rt, minutes)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        raise click.ClickException("a child process stopped; shutting down")
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        rt.close()


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _wait_until_up(url: str, children: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise click.ClickException("a child process exited during start-up; see the log above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise click.ClickException(f"the server did not become healthy within {timeout:.0f}s ({url})")


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


if __name__ == "__main__":
    main()
