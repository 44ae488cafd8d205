"""Starting up: --help, bad settings, an empty database, two instances at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import DatabaseSettings
from bot.db import create_engine
from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.conftest import START_TIMEOUT, start_bot
from tests.e2e.fake_telegram import FakeTelegram


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**environment, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_every_setting(tmp_path: Path) -> None:
    result = run_cli("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL", "LOG_LEVEL", "DB_POOL_SIZE"):
        assert name in result.stdout
    assert "(required)" in result.stdout.split("BOT_TOKEN", 1)[1].splitlines()[0]


def test_bad_settings_stop_the_bot_with_one_line(tmp_path: Path) -> None:
    result = run_cli(env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "invalid settings: BOT_TOKEN is required"
    result = run_cli(
        env={"BOT_TOKEN": "123:" + "x" * 30, "DATABASE_URL": "mysql://db"}, cwd=tmp_path
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("invalid settings: DATABASE_URL ")
    assert "x" * 30 not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing created


async def test_two_instances_on_one_fresh_database(tmp_path: Path) -> None:
    database_url = await create_pg_database()
    try:
        async with FakeTelegram() as server:
            first_dir, second_dir = tmp_path / "first", tmp_path / "second"
            first_dir.mkdir()
            second_dir.mkdir()
            bots = await asyncio.gather(
                start_bot(server, database_url, first_dir),
                start_bot(server, database_url, second_dir),
            )
            try:
                async with asyncio.timeout(START_TIMEOUT):
                    while not all("Run polling" in bot.log() for bot in bots):
                        assert all(bot.running for bot in bots), [bot.log() for bot in bots]
                        await asyncio.sleep(0.2)
                # Telegram lets one poller win: the other meets 409 Conflict and carries on.
                async with asyncio.timeout(15):
                    while not any("Conflict" in bot.log() for bot in bots):
                        await asyncio.sleep(0.2)
                assert all(bot.running for bot in bots)
                codes = await asyncio.gather(*(bot.stop(signal.SIGTERM) for bot in bots))
                assert codes == [0, 0], [bot.log() for bot in bots]
            finally:
                for bot in bots:
                    await bot.kill()
        logs = [bot.log() for bot in bots]
        assert sum("Running upgrade" in log for log in logs) == 1, logs
        assert not any("Traceback" in log.split("Conflict")[0] for log in logs), logs
        engine = create_engine(DatabaseSettings(database_url=database_url))
        try:
            async with engine.connect() as connection:
                version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
                tables = await connection.scalar(
                    text("SELECT count(*) FROM pg_tables WHERE tablename IN ('users', 'tasks')")
                )
        finally:
            await engine.dispose()
        assert version is not None
        assert tables == 2
    finally:
        await drop_pg_database(database_url)


async def run_until_exit(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`python -m bot` with `env`, to its exit: the exit code and everything it printed."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL", "LOG_LEVEL"}
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env={**environment, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(START_TIMEOUT):
        output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


def assert_stopped_with_one_line(code: int, output: str, expected: str) -> None:
    assert code == 1, output
    errors = [line for line in output.splitlines() if " ERROR " in line]
    assert len(errors) == 1, output
    assert f"cannot start: {expected}" in errors[0], output
    assert "Traceback" not in output


START_FAILURES = {
    "database refuses": (
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/todo"},
        "DATABASE_URL: cannot open postgresql (127.0.0.1:9/todo)",
    ),
    "unknown database host": (
        {"DATABASE_URL": "postgresql://postgres@no-such-host.invalid/todo"},
        "DATABASE_URL: cannot open postgresql (no-such-host.invalid:5432/todo)",
    ),
    "sqlite folder missing": (
        {"DATABASE_URL": "sqlite:///no/such/folder/todo.sqlite3"},
        "DATABASE_URL: cannot open sqlite (no/such/folder/todo.sqlite3): no folder no/such/folder",
    ),
    "bot api unreachable": (
        {"TELEGRAM_API_URL": "http://127.0.0.1:9"},
        "TELEGRAM_API_URL: cannot reach the Bot API at http://127.0.0.1:9/",
    ),
}


@pytest.mark.parametrize("case", START_FAILURES)
async def test_what_stops_the_bot_at_start_is_named_in_one_line(case: str, tmp_path: Path) -> None:
    env, expected = START_FAILURES[case]
    settings = {
        "BOT_TOKEN": "123456:" + "s" * 30,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.sqlite3'}",
        "TELEGRAM_RETRIES": "0",
        "DB_CONNECT_TIMEOUT": "5",
        **env,
    }
    code, output = await run_until_exit(settings, tmp_path)
    assert_stopped_with_one_line(code, output, expected)
    assert "s" * 30 not in output


async def test_a_wrong_token_is_named(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        env = {
            "BOT_TOKEN": "987654:" + "w" * 30,  # not the server's token: 401
            "TELEGRAM_API_URL": server.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.sqlite3'}",
        }
        code, output = await run_until_exit(env, tmp_path)
    assert_stopped_with_one_line(code, output, "BOT_TOKEN: Telegram refused the token")
    assert "w" * 30 not in output


async def test_with_debug_the_cause_comes_with_its_traceback(tmp_path: Path) -> None:
    env = {
        "BOT_TOKEN": "123456:" + "d" * 30,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'todo.sqlite3'}",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
        "TELEGRAM_RETRIES": "0",
        "LOG_LEVEL": "DEBUG",
    }
    code, output = await run_until_exit(env, tmp_path)
    assert code == 1
    assert "Traceback" in output
    assert "cannot start: TELEGRAM_API_URL" in output
    assert "d" * 30 not in output
