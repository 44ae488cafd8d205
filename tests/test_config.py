"""Settings refuse bad values at start with one line that names the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_DATABASE_URL, Settings, describe_error

TOKEN = "123456:" + "A" * 35


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env


def _error_line(**env: str) -> str:
    with pytest.raises(ValidationError) as info:
        Settings(**env)  # type: ignore[arg-type]
    return describe_error(info.value)


def test_defaults_need_only_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    settings = Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert not settings.is_postgres
    assert settings.telegram_api_url is None
    assert settings.log_level == "INFO"
    assert TOKEN not in repr(settings)


def test_reads_dotenv_file(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text(f"BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\n")
    settings = Settings()
    assert settings.bot_token.get_secret_value() == TOKEN
    assert settings.log_level == "DEBUG"


def test_missing_token_names_the_variable() -> None:
    line = _error_line()
    assert line == "invalid settings: BOT_TOKEN is required"


def test_bad_token_is_refused_without_echoing_it() -> None:
    line = _error_line(bot_token="not-a-token-secret")
    assert "BOT_TOKEN" in line
    assert "not-a-token-secret" not in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db:5432/todo", "postgresql+asyncpg://u:p@db:5432/todo"),
        ("postgres://u@db/todo", "postgresql+asyncpg://u@db/todo"),
        ("sqlite:///x.sqlite3", "sqlite+aiosqlite:///x.sqlite3"),
    ],
)
def test_database_url_picks_the_async_driver(url: str, expected: str) -> None:
    settings = Settings(bot_token=TOKEN, database_url=url)
    assert settings.database_url == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("database_url", "mysql://x/y"),
        ("database_url", "::::"),
        ("telegram_api_url", "not a url"),
        ("log_level", "LOUD"),
        ("db_pool_size", "0"),
        ("import_max_bytes", str(20 * 1024 * 1024 + 1)),  # more than Telegram lets bots have
        ("import_max_tasks", "40000"),  # an import's tasks are numbered parts of a message
        ("import_max_tasks", "0"),
    ],
)
def test_invalid_values_name_their_variable(field: str, value: str) -> None:
    line = _error_line(bot_token=TOKEN, **{field: value})
    assert line.startswith(f"invalid settings: {field.upper()} ")


def test_debug_logging_keeps_sqlites_statements_and_their_text_out() -> None:
    import logging

    from bot.logs import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(Settings(bot_token="123456:" + "t" * 30, log_level="DEBUG"))
        assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
        # aiosqlite logs each statement with its parameters (people's task text) at DEBUG.
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
