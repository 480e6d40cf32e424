"""The ``compete`` command as a newcomer meets it: help, migrate, a device for a judge."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from compete.cli import main
from tests.conftest import server_environ
from tests.factories import scenario


def test_help_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "compete.cli", "--help"], capture_output=True, text=True,
                            check=True)
    for command in ("run", "web", "worker", "migrate", "demo", "simulate", "device"):
        assert command in result.stdout


def test_migrate_builds_a_fresh_embedded_database(tmp_path):
    env = {"COMPETE_INSTANCE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "compete.cli", "migrate"], capture_output=True, text=True,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert "database ready: sqlite:///" in result.stdout and (tmp_path / "compete.db").exists()


def test_a_bad_setting_is_reported_not_raised(tmp_path):
    result = CliRunner().invoke(main, ["migrate"], env={"COMPETE_ENV": "staging"})
    assert result.exit_code == 1 and "COMPETE_ENV must be one of" in result.output


def test_device_prints_a_token_for_a_judge_and_refuses_an_unknown_one(session, instance, runtime):
    s = scenario(session)
    env = server_environ(instance) | {"REDIS_URL": runtime.redis_url}
    result = CliRunner().invoke(main, ["device", str(s.judge_ids[0])], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("device ") and f"for judge {s.judge_ids[0]}: " in result.output
    unknown = CliRunner().invoke(main, ["device", "99999"], env=env)
    assert unknown.exit_code == 1 and "judge.not_found" in unknown.output
