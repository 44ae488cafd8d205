"""The running bot: migrate, check the token, then long-poll (the default) or, with
WEBHOOK_URL, take updates over HTTP as one of several replicas (bot.webhook), until SIGINT or
SIGTERM. With REDIS_URL, replicas share dialogues, update ids and the send rate there."""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import cast

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__
from bot.chat.commands import set_bot_commands
from bot.chat.factory import create_bot, create_dispatcher
from bot.chat.i18n import create_i18n
from bot.chat.middlewares.in_flight import InFlightUpdates
from bot.chat.send_limits import Pacing
from bot.config import Settings
from bot.db import create_engine, create_session_maker
from bot.db.errors import is_connection_error
from bot.db.migrations import upgrade_to_head
from bot.db.replica_lock import ReplicaLock, ReplicaLockTaken, hold_replica_lock
from bot.reminders import ReminderWorker, SendLimiter
from bot.scale.dialogues import RedisDialogues
from bot.scale.people import SharedPeople
from bot.scale.redis import Keys, create_redis, describe_redis, key_builder
from bot.scale.send_limits import SharedSendLimiter
from bot.scale.updates import Heartbeat, UpdateClaims
from bot.services import TaskService
from bot.services.tasks import REMINDER_LEASE
from bot.webhook import Health, create_webhook_app, serve, set_webhook, webhook_problem

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


async def _connect_redis(settings: Settings) -> Redis:
    redis = create_redis(settings)
    try:
        await cast(Awaitable[bool], redis.ping())  # typed for the sync client too
    except Exception as error:
        await redis.aclose()
        raise StartupError(
            "REDIS_URL", f"cannot reach {describe_redis(settings)}: {_cause(error)}"
        ) from error
    return redis


async def _hold_replica_lock(settings: Settings, engine: AsyncEngine) -> ReplicaLock:
    """Webhook mode without Redis: the only replica of this database, or none."""
    try:
        return await hold_replica_lock(engine)
    except ReplicaLockTaken:
        raise StartupError(
            "REDIS_URL",
            "another replica already serves this database in webhook mode; set REDIS_URL "
            "(the same for every replica) to run several",
        ) from None


def _check_webhook_settings(settings: Settings) -> None:
    problem = webhook_problem(settings)
    if problem is not None:
        raise StartupError(*problem)


@dataclass
class _Shared:
    """What replicas share through Redis; None of it without REDIS_URL."""

    redis: Redis
    keys: Keys
    claims: UpdateClaims
    heartbeat: Heartbeat


async def run(settings: Settings) -> None:
    if settings.webhook_mode:
        _check_webhook_settings(settings)
    engine = create_engine(settings)
    shared: _Shared | None = None
    lock: ReplicaLock | None = None
    try:
        await _migrate(settings, engine)
        if settings.redis_url is not None:
            redis = await _connect_redis(settings)
            keys = Keys(settings.redis_prefix)
            claims = UpdateClaims(redis, keys)
            shared = _Shared(redis, keys, claims, Heartbeat(claims))
        elif settings.webhook_mode:
            lock = await _hold_replica_lock(settings, engine)
        await _serve(settings, engine, shared)
    finally:
        if lock is not None:
            await lock.release()
        if shared is not None:
            await shared.redis.aclose()
        await engine.dispose()
    log.info("todo-bot stopped")


async def _serve(settings: Settings, engine: AsyncEngine, shared: _Shared | None) -> None:
    i18n = create_i18n()
    bot = create_bot(
        settings,
        pacing=None
        if shared is None
        else SharedSendLimiter(shared.redis, shared.keys, "bot", per_second=settings.send_rate),
    )
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
        people=None if shared is None else SharedPeople(shared.redis, shared.keys),
    )
    if shared is None:
        dispatcher = create_dispatcher(service, settings, i18n=i18n)
    else:
        dispatcher = create_dispatcher(
            service,
            settings,
            i18n=i18n,
            # Its own client: the dispatcher closes the storage's on shutdown, once the
            # updates in flight are done.
            storage=RedisDialogues(
                create_redis(settings),
                key_builder=key_builder(settings),
                ttl=ceil(settings.dialogue_timeout),
                in_flight=in_flight,
                drain_timeout=settings.shutdown_timeout,
            ),
            # One person's updates one at a time, across replicas too. A replica that dies
            # holding a person's lock keeps them waiting until it expires: as long as an
            # update may take anyway (the time shutdown gives it), not aiogram's minute.
            events_isolation=RedisEventIsolation(
                shared.redis,
                key_builder=key_builder(settings),
                lock_kwargs={"timeout": settings.shutdown_timeout},
            ),
            claims=shared.claims,
        )

    # One a second per chat here; the bot's session keeps the per-bot rate for every send
    # (LimitSends), reminders and replies together. Replicas keep both together.
    limiter: Pacing = SendLimiter(per_second=1000, per_chat_interval=1.0)
    if shared is not None:
        limiter = SharedSendLimiter(
            shared.redis, shared.keys, "reminders", per_second=1000, per_chat_interval=1.0
        )
    worker = ReminderWorker(
        service,
        bot,
        i18n,
        limiter=limiter,
        interval=settings.reminder_interval,
        # What half a claim's lease can send at the configured rate.
        batch=max(1, min(100, int(settings.send_rate * REMINDER_LEASE / 2))),
    )

    async def on_startup() -> None:
        worker.start()

    async def on_shutdown() -> None:
        # The webhook app drains before the dispatcher's shutdown. Polling stops first and
        # then runs it, the storage's close first of all (aiogram registers it first),
        # which with Redis waits for the updates in flight too (RedisDialogues).
        if not settings.webhook_mode:
            await in_flight.drain(settings.shutdown_timeout)
        # What is still to be said goes out before the bot's session closes.
        await dispatcher["bursts"].close()
        await worker.stop()  # its sends in flight finish first
        if shared is not None:  # nothing of ours in flight: others may take our claims
            await shared.heartbeat.stop()

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    log.info(
        "todo-bot %s starting: database %s, Bot API %s%s",
        __version__,
        describe_database(settings),
        settings.telegram_api_url or TELEGRAM_API,
        "" if shared is None else f", {describe_redis(settings)}",
    )
    if shared is not None:
        await shared.heartbeat.start()
    # What is built by now lives as long as the process. Out of the collector's sight, a full
    # collection walks only what came after: milliseconds, not 0.1-0.2 s of a stalled loop.
    # Start-up's garbage is collected first, so none of it is kept for good.
    gc.collect()
    gc.freeze()
    try:
        if settings.webhook_mode:
            await _run_webhook(settings, engine, shared, bot, dispatcher, in_flight)
            return
        dispatcher.update.outer_middleware(in_flight)
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
    finally:  # also when it failed to start (done already after a clean shutdown)
        if shared is not None:
            await shared.heartbeat.stop()
        await bot.session.close()


async def _run_webhook(
    settings: Settings,
    engine: AsyncEngine,
    shared: _Shared | None,
    bot: Bot,
    dispatcher: Dispatcher,
    in_flight: InFlightUpdates,
) -> None:
    info = await bot.get_webhook_info()
    if info.url != str(settings.webhook_url):
        log.warning(
            "Telegram's webhook is %s, not WEBHOOK_URL; run `python -m bot set-webhook` "
            "once for this deployment",
            "not set" if not info.url else "another address",
        )
    app = create_webhook_app(
        dispatcher,
        bot,
        settings,
        in_flight=in_flight,
        health=Health(engine, None if shared is None else shared.redis),
    )

    def listening() -> None:
        log.info(
            "webhook: taking updates on %s:%d%s",
            settings.webhook_host,
            settings.webhook_port,
            settings.webhook_path,
        )

    try:
        await serve(app, settings, on_listening=listening)
    except OSError as error:
        raise StartupError(
            "WEBHOOK_PORT",
            f"cannot listen on {settings.webhook_host}:{settings.webhook_port}: {_cause(error)}",
        ) from error


async def set_webhook_once(settings: Settings) -> None:
    """`python -m bot set-webhook`: once per deployment, point Telegram at WEBHOOK_URL and
    register the command menu; the replicas never touch either."""
    if not settings.webhook_mode:
        raise StartupError("WEBHOOK_URL", "is not set: set-webhook needs the public address")
    _check_webhook_settings(settings)
    engine = create_engine(settings)  # never connects: the dispatcher only lists update types
    bot = create_bot(settings)
    try:
        await _check_telegram(settings, bot)
        dispatcher = create_dispatcher(TaskService(create_session_maker(engine)), settings)
        await set_bot_commands(bot, create_i18n())
        await set_webhook(bot, dispatcher, settings)
        log.info(
            "webhook set: Telegram posts updates to WEBHOOK_URL%s",
            ", pending updates dropped" if settings.drop_pending_updates else "",
        )
    finally:
        await bot.session.close()
        await engine.dispose()
