"""The running bot: migrate, check the token, register commands, long-poll until SIGINT or
SIGTERM."""

from __future__ import annotations

import logging
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__
from bot.chat.commands import set_bot_commands
from bot.chat.factory import create_bot, create_dispatcher
from bot.chat.i18n import create_i18n
from bot.chat.middlewares.in_flight import InFlightUpdates
from bot.config import Settings
from bot.db import create_engine, create_session_maker
from bot.db.errors import is_connection_error
from bot.db.migrations import upgrade_to_head
from bot.reminders import ReminderWorker, SendLimiter
from bot.services import TaskService
from bot.services.tasks import REMINDER_LEASE

log = logging.getLogger("bot")

TELEGRAM_API = "https://api.telegram.org"


class StartupError(Exception):
    """The bot cannot start because of one setting; the message says which and why."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting


def describe_database(settings: Settings) -> str:
    """Backend, host and database name: no password, ever."""
    url = settings.database
    if url.get_backend_name() == "sqlite":
        return f"sqlite ({url.database})"
    return f"postgresql ({url.host or 'localhost'}:{url.port or 5432}/{url.database})"


def _cause(error: BaseException) -> str:
    """The innermost reason, in one line ("Connection refused", "Name or service not known")."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


async def _migrate(settings: Settings, engine: AsyncEngine) -> None:
    url = settings.database
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise StartupError(
                "DATABASE_URL", f"cannot open {describe_database(settings)}: no folder {folder}"
            )
    try:
        await upgrade_to_head(engine)
    except Exception as error:
        if not is_connection_error(error):
            raise
        raise StartupError(
            "DATABASE_URL", f"cannot open {describe_database(settings)}: {_cause(error)}"
        ) from error


async def _check_telegram(settings: Settings, bot: Bot) -> None:
    api = str(settings.telegram_api_url or TELEGRAM_API)
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError as error:
        raise StartupError(
            "BOT_TOKEN", "Telegram refused the token (401 Unauthorized); copy it from @BotFather"
        ) from error
    except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as error:
        raise StartupError(
            "TELEGRAM_API_URL", f"cannot reach the Bot API at {api}: {_cause(error)}"
        ) from error
    log.info("signed in as @%s", me.username)


async def run(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await _migrate(settings, engine)
        i18n = create_i18n()
        bot = create_bot(settings)
        try:
            await _check_telegram(settings, bot)
        except BaseException:
            await bot.session.close()
            raise
        in_flight = InFlightUpdates()
        service = TaskService(
            create_session_maker(engine),
            max_tasks=settings.max_tasks_per_user,
            default_timezone=settings.default_timezone,
            import_max_bytes=settings.import_max_bytes,
            import_max_tasks=settings.import_max_tasks,
        )
        dispatcher = create_dispatcher(service, settings, i18n=i18n)
        dispatcher.update.outer_middleware(in_flight)

        worker = ReminderWorker(
            service,
            bot,
            i18n,
            # One a second per chat here; the bot's session keeps the per-bot rate for
            # every send (LimitSends), reminders and replies together.
            limiter=SendLimiter(per_second=1000, per_chat_interval=1.0),
            interval=settings.reminder_interval,
            # What half a claim's lease can send at the configured rate.
            batch=max(1, min(100, int(settings.send_rate * REMINDER_LEASE / 2))),
        )

        async def on_startup() -> None:
            worker.start()

        async def on_shutdown() -> None:
            await in_flight.drain(settings.shutdown_timeout)
            # What is still to be said goes out before the bot's session closes.
            await dispatcher["bursts"].close()
            await worker.stop()  # its sends in flight finish first

        dispatcher.startup.register(on_startup)
        dispatcher.shutdown.register(on_shutdown)
        log.info(
            "todo-bot %s starting: database %s, Bot API %s",
            __version__,
            describe_database(settings),
            settings.telegram_api_url or TELEGRAM_API,
        )
        await set_bot_commands(bot, i18n)
        await bot.delete_webhook(drop_pending_updates=settings.drop_pending_updates)
        await dispatcher.start_polling(
            bot,
            polling_timeout=settings.polling_timeout,
            handle_signals=True,
            close_bot_session=True,
            tasks_concurrency_limit=settings.max_concurrent_updates,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
    finally:
        await engine.dispose()
    log.info("todo-bot stopped")
