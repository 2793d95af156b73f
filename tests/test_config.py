"""Configuration: safe defaults, and a clear one-line refusal of bad settings."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from consult.config import DEV_SECRET_KEY, ROOT, ConfigError, from_environ


def test_development_defaults_need_nothing_set() -> None:
    config = from_environ({})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["CONSULT_TIMEZONE"] == "Europe/Berlin"
    assert config["CONSULT_RETENTION_DAYS"] == 180
    assert config["CONSULT_CHANGEOVER_MINUTES"] == 5
    assert config["BABEL_DEFAULT_LOCALE"] == "de"
    assert config["CONSULT_ROAD_FACTOR"] == 1.3
    assert config["CONSULT_DRIVE_SPEED_KMH"] == 60.0


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CONSULT_ENV": "production"}, "CONSULT_SECRET_KEY"),
        ({"CONSULT_ENV": "production", "CONSULT_SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY"),
        ({"CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "short"}, "32 characters"),
        ({"CONSULT_ENV": "staging"}, "CONSULT_ENV"),
        ({"CONSULT_TIMEZONE": "Mars/Olympus"}, "time zone"),
        ({"CONSULT_RETENTION_DAYS": "half a year"}, "whole number"),
        ({"CONSULT_CHANGEOVER_MINUTES": "-5"}, "negative"),
        ({"CONSULT_DEFAULT_LANGUAGE": "xx"}, "CONSULT_DEFAULT_LANGUAGE"),
        ({"CONSULT_ROAD_FACTOR": "0.5"}, "CONSULT_ROAD_FACTOR must be a number from 1 to 3"),
        ({"CONSULT_ROAD_FACTOR": "nan"}, "CONSULT_ROAD_FACTOR"),
        ({"CONSULT_DRIVE_SPEED_KMH": "fast"}, "CONSULT_DRIVE_SPEED_KMH"),
    ],
)
def test_bad_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_environ(environ)


def test_production_accepts_a_real_secret() -> None:
    config = from_environ({"CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "x" * 40})
    assert config["SESSION_COOKIE_SECURE"] is True


PRODUCTION = {"CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "x" * 40}
GUNICORN = "/srv/consult/.venv/bin/gunicorn"


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        ([GUNICORN, "--workers", "4", "consult:create_app()"], {}),
        ([GUNICORN, "-w4", "consult:create_app()"], {}),
        ([GUNICORN, "consult:create_app()"], {"WEB_CONCURRENCY": "3"}),
        ([GUNICORN, "consult:create_app()"], {"GUNICORN_CMD_ARGS": "--workers=2"}),
    ],
)
def test_production_refuses_per_worker_rate_limits_with_several_workers(
    argv: list[str], environ: dict[str, str]
) -> None:
    with pytest.raises(ConfigError, match="memory:// but [234] workers serve the app"):
        from_environ({**PRODUCTION, **environ}, argv)


@pytest.mark.parametrize(
    ("argv", "environ"),
    [
        ([GUNICORN, "--workers", "1", "consult:create_app()"], {}),
        ([GUNICORN, "consult:create_app()"], {}),
        (["flask", "run"], {"WEB_CONCURRENCY": "4"}),  # not gunicorn: one process
        (
            [GUNICORN, "-w", "4", "consult:create_app()"],
            {"CONSULT_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"},
        ),
    ],
)
def test_rate_limits_kept_in_memory_are_fine_with_one_worker_or_a_shared_store(
    argv: list[str], environ: dict[str, str]
) -> None:
    from_environ({**PRODUCTION, **environ}, argv)
    # Development keeps memory:// with any number of workers.
    from_environ({}, [GUNICORN, "-w", "4", "consult:create_app()"])


def test_session_lifetimes_come_from_the_environment() -> None:
    config = from_environ({"CONSULT_SESSION_HOURS": "3", "CONSULT_SESSION_MAX_HOURS": "10"})
    assert config["PERMANENT_SESSION_LIFETIME"] == 3 * 3600
    assert config["CONSULT_SESSION_MAX_SECONDS"] == 10 * 3600


def _flask(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(environ, FLASK_APP="consult")
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"CONSULT_ENV": "production"}, "CONSULT_SECRET_KEY must be set"),
        (
            {"CONSULT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"},
            "cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/nothing",
        ),
    ],
)
def test_the_command_line_refuses_bad_configuration_in_one_line(
    environ: dict[str, str], expected: str
) -> None:
    result = _flask("db", "current", **environ)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("consult: configuration error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_readme_documents_every_setting() -> None:
    from consult.config import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in readme, setting.name


def test_a_request_body_over_the_limit_gets_a_clear_413(client) -> None:
    response = client.post(
        "/staff/login",
        data={"email": "x" * (3 * 1024 * 1024)},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_production_keeps_start_up_objects_out_of_full_collections(app_factory) -> None:
    gc.unfreeze()
    try:
        app_factory(CONSULT_ENV="development")
        assert gc.get_freeze_count() == 0
        app_factory(CONSULT_ENV="production")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
