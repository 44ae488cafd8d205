"""Webhook mode: Telegram posts each update to WEBHOOK_URL, a proxy passes it to one of the
replicas, and the replica answers only once the update was handled (aiogram's
SimpleRequestHandler with `handle_in_background=False`), so an update a replica did not
finish is sent again by Telegram, to whichever replica the proxy picks.

Each replica listens on WEBHOOK_HOST:WEBHOOK_PORT: POST WEBHOOK_PATH takes updates (the secret
token checked on each; 401 otherwise), GET /healthz says whether the database (and Redis)
answer. SIGTERM stops taking requests, lets those in flight finish, then stops. The webhook
itself is set once per deployment (`python -m bot set-webhook`), and never deleted by a
replica that stops: the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import cast

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat.middlewares.in_flight import InFlightUpdates
from bot.config import HEALTH_PATH, Settings
from bot.db.engine import database_reachable

log = logging.getLogger(__name__)

# A health check answers within this many seconds, reachable or not.
HEALTH_TIMEOUT = 3.0
# Ports Telegram posts to; a self-hosted Bot API server (TELEGRAM_API_URL) takes any.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_problem(settings: Settings) -> tuple[str, str] | None:
    """The setting that keeps webhook mode from working, and why; None when it can work."""
    assert settings.webhook_url is not None
    if settings.webhook_secret is None:
        return "WEBHOOK_SECRET", "is required with WEBHOOK_URL: Telegram sends it with each update"
    if settings.telegram_api_url is None:
        url = settings.webhook_url
        if url.scheme != "https":
            return "WEBHOOK_URL", "must be an https:// address: Telegram posts only over HTTPS"
        if url.port not in TELEGRAM_WEBHOOK_PORTS:
            return "WEBHOOK_URL", "Telegram posts only to ports 443, 80, 88 or 8443"
    return None


class Health:
    """GET /healthz: 200 when the database (and Redis) answer, 503 naming what does not."""

    def __init__(self, engine: AsyncEngine, redis: Redis | None) -> None:
        self._engine = engine
        self._redis = redis

    async def handle(self, request: web.Request) -> web.Response:
        checks = {"database": self._database()}
        if self._redis is not None:
            checks["redis"] = self._redis_answers()
        results = {name: await _within(check) for name, check in checks.items()}
        healthy = all(results.values())
        body = {name: "ok" if up else "unreachable" for name, up in results.items()}
        return web.json_response(body, status=200 if healthy else 503)

    async def _database(self) -> bool:
        return await database_reachable(self._engine)

    async def _redis_answers(self) -> bool:
        assert self._redis is not None
        try:
            # redis-py types ping() for its sync and async clients at once.
            return bool(await cast(Awaitable[bool], self._redis.ping()))
        except Exception:
            return False


async def _within(check: Awaitable[bool]) -> bool:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            return await check
    except TimeoutError:
        return False


def create_webhook_app(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    *,
    in_flight: InFlightUpdates,
    health: Health,
) -> web.Application:
    assert settings.webhook_secret is not None
    path = settings.webhook_path
    at_once = asyncio.Semaphore(settings.max_concurrent_updates)

    @web.middleware
    async def updates_in_flight(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path:
            return await handler(request)
        # Counted from the request's start, so shutdown waits for it (InFlightUpdates.drain);
        # at most MAX_CONCURRENT_UPDATES handled at once, as in polling.
        async with in_flight.tracking(), at_once:
            return await handler(request)

    app = web.Application(middlewares=[updates_in_flight])

    async def finish_in_flight(_app: web.Application) -> None:
        await in_flight.drain(settings.shutdown_timeout)

    # On shutdown, in this order: updates in flight finish; then the dispatcher's shutdown
    # (its storage, and the bot's own steps); last the request handler closes the bot's
    # session (it registers that itself).
    app.on_shutdown.append(finish_in_flight)
    setup_application(app, dispatcher, bot=bot)
    SimpleRequestHandler(
        dispatcher,
        bot,
        handle_in_background=False,  # answer Telegram only once the update was handled
        secret_token=settings.webhook_secret.get_secret_value(),
    ).register(app, path=path)
    app.router.add_get(HEALTH_PATH, health.handle)
    return app


async def serve(
    app: web.Application, settings: Settings, *, on_listening: Callable[[], None]
) -> None:
    """Listen until SIGTERM or SIGINT; then stop taking requests and finish those in flight.
    OSError when the address cannot be listened on."""
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=settings.shutdown_timeout
    )
    await runner.setup()  # the app's startup: the dispatcher's (the reminder worker)
    try:
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        on_listening()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("stopping: no new updates taken, finishing those in flight")
    finally:
        await runner.cleanup()


async def set_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    """Point Telegram at WEBHOOK_URL, with the secret and the update types the bot handles."""
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    await bot.set_webhook(
        url=str(settings.webhook_url),
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=settings.drop_pending_updates,
    )
