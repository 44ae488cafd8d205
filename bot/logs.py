"""Logging for the running bot: one format, and no secret in any line or traceback.

Library errors quote what they were given: aiohttp's error text carries the request URL,
and the Bot API's URL is `/bot<token>/<method>`; a database driver's may carry its URL. So
every record is redacted by one filter on the root handler, installed before the bot does
anything else, whichever library logged it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<redacted>"


def secrets_of(settings: Settings) -> list[str]:
    """The token, the webhook's secret, and the passwords in the database, Bot API and Redis
    URLs, as they may appear."""
    token = settings.bot_token.get_secret_value()
    found = [token]
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    passwords = [settings.database.password]
    if settings.telegram_api_url is not None:
        passwords.append(settings.telegram_api_url.password)
    if settings.redis_url is not None:
        passwords.append(urlsplit(settings.redis_url).password)
    for password in passwords:
        if password:
            found += [str(password), quote(str(password), safe="")]
    return found


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's message, traceback and stack with <redacted>."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets_of(settings)))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    if settings.log_level != "DEBUG":
        # aiogram logs every handled update at INFO: noise, and measurably slower.
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # aiosqlite logs each statement with its parameters at DEBUG: people's task text.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # Alembic announces each of its plugins at INFO on every start.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
