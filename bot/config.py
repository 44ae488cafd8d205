"""Settings: environment variables and an optional `.env` file, validated once at start."""

from __future__ import annotations

import logging
import re
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

from bot.schemas import USERNAME_RE

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///todo-bot.sqlite3"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_REDIS_PREFIX_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# Where a replica in webhook mode answers the load balancer's health checks.
HEALTH_PATH = "/healthz"
# Telegram lets a bot download files of up to 20 MB (getFile).
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
# An import's tasks are numbered parts of the message that brought the file (a SMALLINT).
IMPORT_TASKS_CEILING = 32_767


def _split_allowed(value: str) -> list[str]:
    return [entry.strip() for entry in re.split(r"[,\s]+", value) if entry.strip()]


_CONFIG = SettingsConfigDict(
    env_file=".env",
    env_file_encoding="utf-8",
    extra="ignore",
    case_sensitive=False,
)


class DatabaseSettings(BaseSettings):
    """The part of the settings Alembic needs; it does not require a bot token."""

    model_config = _CONFIG

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        repr=False,  # may hold a password
        description="sqlite+aiosqlite:///file.sqlite3 or postgresql+asyncpg://user:pass@host/db",
    )
    db_pool_size: Annotated[int, Field(ge=1, le=200)] = Field(
        default=20,
        description="PostgreSQL connections kept open; match MAX_CONCURRENT_UPDATES.",
    )
    db_pool_timeout: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="Seconds to wait for a free connection before giving up."
    )
    db_connect_timeout: Annotated[float, Field(gt=0, le=120)] = Field(
        default=5.0, description="Seconds to wait for PostgreSQL to accept a connection."
    )
    db_pool_pre_ping: bool = Field(
        default=False,
        description="Test each pooled connection before use (a round trip per use case; "
        "without it a dropped connection is retried once instead).",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception as exc:  # SQLAlchemy raises ArgumentError with the URL in it
            raise ValueError("not a database URL") from exc
        # Accept the URLs hosting providers hand out and pick our async driver for them.
        if url.drivername in {"postgres", "postgresql"}:
            url = url.set(drivername="postgresql+asyncpg")
        elif url.drivername == "sqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"unsupported driver {url.drivername!r}; use one of {SUPPORTED_DRIVERS}"
            )
        return url.render_as_string(hide_password=False)

    @property
    def database(self) -> URL:
        return make_url(self.database_url)

    @property
    def is_postgres(self) -> bool:
        return self.database.get_backend_name() == "postgresql"


class Settings(DatabaseSettings):
    """Everything the bot reads at start."""

    bot_token: SecretStr = Field(description="Token from @BotFather (secret).")
    telegram_api_url: AnyHttpUrl | None = Field(
        default=None,
        repr=False,  # may hold a password
        description="Base URL of a self-hosted Bot API server; Telegram's otherwise.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    drop_pending_updates: bool = Field(
        default=False, description="Skip updates that arrived while the bot was down."
    )
    polling_timeout: Annotated[int, Field(ge=1, le=50)] = Field(
        default=30, description="Seconds one long-polling request waits for updates."
    )
    max_concurrent_updates: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=20, description="Updates handled at once; more wait their turn."
    )
    shutdown_timeout: Annotated[float, Field(gt=0, le=600)] = Field(
        default=20.0, description="On SIGTERM, seconds to let updates in flight finish."
    )
    allowed_users: str = Field(
        default="",
        description="Comma-separated Telegram ids or @usernames allowed to use the bot; "
        "empty means everyone.",
    )
    rate_limit_updates: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=30, description="Updates one person may send per RATE_LIMIT_SECONDS."
    )
    rate_limit_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=10.0, description="The rate limit's window, in seconds."
    )
    burst_limit: Annotated[int, Field(ge=1, le=100_000)] = Field(
        default=300,
        description="Messages for the list (text, forwards) one person may send per "
        "RATE_LIMIT_SECONDS; a burst within it is saved and answered once.",
    )
    burst_gap: Annotated[float, Field(gt=0, le=60)] = Field(
        default=1.0,
        description="Seconds between messages that make them one burst, answered together.",
    )
    max_tasks_per_user: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        default=10_000, description="Tasks one person may keep (open and done together)."
    )
    import_max_bytes: Annotated[int, Field(ge=1024, le=TELEGRAM_DOWNLOAD_LIMIT)] = Field(
        default=10 * 1024 * 1024,
        description="Largest file /import reads, in bytes (Telegram lets bots download "
        "20 MB at most).",
    )
    import_max_tasks: Annotated[int, Field(ge=1, le=IMPORT_TASKS_CEILING)] = Field(
        default=10_000,
        description="Most tasks one imported file may hold; a larger file is refused whole.",
    )
    default_timezone: str = Field(
        default="UTC",
        description="IANA time zone for people who have not chosen theirs with /tz "
        "(e.g. Europe/Moscow).",
    )
    dialogue_timeout: Annotated[float, Field(gt=0, le=7 * 24 * 3600)] = Field(
        default=3600.0,
        description="Seconds after which an unfinished /add or edit is forgotten.",
    )
    reminder_interval: Annotated[float, Field(gt=0, le=60)] = Field(
        default=2.0,
        description="Seconds between the reminder worker's looks for due reminders.",
    )
    # Above Telegram's 30 only for a self-hosted Bot API server that sets no limit.
    send_rate: Annotated[float, Field(gt=0, le=1000)] = Field(
        default=25.0,
        description="Messages the bot sends per second at most, replies and reminders "
        "together (Telegram allows about 30 per bot).",
    )
    telegram_retries: Annotated[int, Field(ge=0, le=10)] = Field(
        default=3, description="Retries of a Bot API call after 429, 5xx or a network error."
    )
    # Webhook mode (several replicas behind one address); polling when WEBHOOK_URL is unset.
    webhook_url: AnyHttpUrl | None = Field(
        default=None,
        description="Public HTTPS address Telegram posts updates to (webhook mode); "
        "long polling when unset.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with every update (1-256 of A-Z a-z 0-9 _ -); "
        "required in webhook mode.",
    )
    webhook_host: str = Field(
        default="0.0.0.0",  # noqa: S104  # a replica listens behind the proxy, in its container
        description="Address this replica listens on in webhook mode.",
    )
    webhook_port: Annotated[int, Field(ge=1, le=65535)] = Field(
        default=8080, description="Port this replica listens on in webhook mode."
    )
    webhook_path: str = Field(
        default="/telegram",
        description="Path this replica takes updates on; GET /healthz beside it.",
    )
    redis_url: str | None = Field(
        default=None,
        repr=False,  # may hold a password
        description="redis://host:6379/0: dialogues, update ids and the send rate shared "
        "by replicas; required for more than one.",
    )
    redis_prefix: str = Field(
        default="todo-bot",
        description="Prefix of every Redis key the bot writes (several bots on one Redis).",
    )

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_webhook_url(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not _WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value().strip()):
            raise ValueError("must be 1-256 characters, each A-Z, a-z, 0-9, _ or -")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("webhook_path")
    @classmethod
    def _check_webhook_path(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("/") or value == HEALTH_PATH or any(c.isspace() for c in value):
            raise ValueError(f"must be a path starting with / (not {HEALTH_PATH})")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("redis_prefix")
    @classmethod
    def _check_redis_prefix(cls, value: str) -> str:
        if not _REDIS_PREFIX_RE.fullmatch(value):
            raise ValueError("must be 1-64 characters, each A-Z, a-z, 0-9, _, -, . or :")
        return value

    @property
    def webhook_mode(self) -> bool:
        return self.webhook_url is not None

    @field_validator("bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_RE.fullmatch(value.get_secret_value().strip()):
            raise ValueError("does not look like a token from @BotFather (123456:ABC...)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("allowed_users")
    @classmethod
    def _check_allowed_users(cls, value: str) -> str:
        for entry in _split_allowed(value):
            if not (entry.isdigit() or USERNAME_RE.fullmatch(entry.removeprefix("@"))):
                raise ValueError(f"{entry!r} is neither a Telegram id nor a @username")
        return value

    @property
    def allowed_ids(self) -> frozenset[int]:
        return frozenset(
            int(entry) for entry in _split_allowed(self.allowed_users) if entry.isdigit()
        )

    @property
    def allowed_usernames(self) -> frozenset[str]:
        return frozenset(
            entry.removeprefix("@").lower()
            for entry in _split_allowed(self.allowed_users)
            if not entry.isdigit()
        )

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            return ZoneInfo(value.strip()).key
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not an IANA time zone name, like Europe/Moscow or UTC") from exc

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level


def describe_error(error: ValidationError) -> str:
    """One line naming each bad variable, without echoing secret values."""
    parts = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
        message = "is required" if item["type"] == "missing" else item["msg"]
        parts.append(f"{name} {message}")
    return "invalid settings: " + "; ".join(parts)


# How --help shows a default where the value itself would read as Python.
_DEFAULT_WORDS = {
    "telegram_api_url": "Telegram's",
    "allowed_users": "everyone",
    "webhook_url": "none: long polling",
    "webhook_secret": "none",
    "redis_url": "none: one process",
}


def _shown_default(name: str, value: object) -> str:
    if name in _DEFAULT_WORDS:
        return _DEFAULT_WORDS[name]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe_settings() -> str:
    """What `python -m bot --help` lists: every variable, its default and what it does."""
    lines = []
    fields = sorted(Settings.model_fields.items(), key=lambda item: not item[1].is_required())
    for name, field in fields:
        default = (
            "required" if field.is_required() else f"default: {_shown_default(name, field.default)}"
        )
        lines.append(f"  {name.upper():<24} {field.description or ''} ({default})")
    return "\n".join(lines)
