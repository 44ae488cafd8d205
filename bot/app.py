"""The running bot: migrate, register commands, long-poll until SIGINT/SIGTERM."""

from __future__ import annotations

import logging

from bot import __version__
from bot.chat.commands import set_bot_commands
from bot.chat.factory import create_bot, create_dispatcher
from bot.chat.i18n import create_i18n
from bot.chat.middlewares.in_flight import InFlightUpdates
from bot.config import Settings
from bot.db import create_engine, create_session_maker
from bot.db.migrations import upgrade_to_head
from bot.services import TaskService

log = logging.getLogger("bot")


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if settings.log_level != "DEBUG":
        # aiogram logs every handled update at INFO: noise, and measurably slower.
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def describe_database(settings: Settings) -> str:
    """Backend, host and database name: no password, ever."""
    url = settings.database
    if url.get_backend_name() == "sqlite":
        return f"sqlite ({url.database})"
    return f"postgresql ({url.host or 'localhost'}:{url.port or 5432}/{url.database})"


async def run(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await upgrade_to_head(engine)
        i18n = create_i18n()
        bot = create_bot(settings)
        in_flight = InFlightUpdates()
        service = TaskService(create_session_maker(engine), max_tasks=settings.max_tasks_per_user)
        dispatcher = create_dispatcher(service, settings, i18n=i18n)
        dispatcher.update.outer_middleware(in_flight)

        async def on_shutdown() -> None:
            await in_flight.drain(settings.shutdown_timeout)

        dispatcher.shutdown.register(on_shutdown)
        log.info(
            "todo-bot %s starting: database %s, Bot API %s",
            __version__,
            describe_database(settings),
            settings.telegram_api_url or "https://api.telegram.org",
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
