"""Factories for the Bot and the Dispatcher: nothing connects at import time, and tests
build the very same objects with a fake Telegram server or a test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.types import LinkPreviewOptions
from aiogram.utils.i18n import I18n

from bot.chat.bursts import Bursts
from bot.chat.handlers import create_routers
from bot.chat.i18n import create_i18n
from bot.chat.middlewares import AccessControl, Gate, RateLimit
from bot.chat.middlewares.changes import TrackChanges
from bot.chat.middlewares.locale import LocaleMiddleware
from bot.chat.response_models import KeepResponseModels
from bot.chat.retries import RetryRequests
from bot.chat.send_limits import LimitSends, Pacing, SendLimiter
from bot.chat.storage import DialogueMemoryStorage
from bot.config import Settings
from bot.db.base import utcnow
from bot.scale.people import PeoplePerUpdate
from bot.scale.updates import OncePerUpdate, UpdateClaims
from bot.services import TaskService


def telegram_server(settings: Settings) -> TelegramAPIServer:
    if settings.telegram_api_url is None:
        return PRODUCTION
    return TelegramAPIServer.from_base(str(settings.telegram_api_url))


def create_bot(
    settings: Settings, session: BaseSession | None = None, *, pacing: Pacing | None = None
) -> Bot:
    """`pacing` keeps SEND_RATE for every message the bot sends: this process's own by
    default, or one that replicas share (bot.scale.send_limits)."""
    session = session or AiohttpSession(api=telegram_server(settings))
    session.middleware(KeepResponseModels())
    session.middleware(RetryRequests(retries=settings.telegram_retries))
    session.middleware(LimitSends(pacing or SendLimiter(per_second=settings.send_rate)))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview=LinkPreviewOptions(is_disabled=True),
        ),
    )


def create_dispatcher(
    task_service: TaskService,
    settings: Settings | None = None,
    *,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    claims: UpdateClaims | None = None,
    i18n: I18n | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Dispatcher:
    """The dispatcher with every router and middleware; handlers get `task_service` injected.

    `settings` supplies the rate limit and ALLOWED_USERS; without it, everyone is allowed
    and the defaults apply. Replicas pass aiogram's Redis storage and event isolation, and
    `claims`, so an update delivered again to another replica is handled once.
    """
    limits = settings or Settings.model_construct()
    storage = storage or DialogueMemoryStorage(timeout=limits.dialogue_timeout)
    # Bursts are grouped by the process that receives them; see bot.chat.bursts.
    bursts = Bursts(gap=limits.burst_gap)
    # Handlers get `task_service`, `bursts` and `clock` (what "now" is; tests set it).
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=events_isolation,
        task_service=task_service,
        bursts=bursts,
        clock=clock,
    )
    if claims is not None:  # replicas: before anything else runs for the update
        dispatcher.update.outer_middleware(OncePerUpdate(claims))
        dispatcher.update.outer_middleware(PeoplePerUpdate())
    dispatcher.update.outer_middleware(TrackChanges())
    # Outer middlewares run in registration order: language first, so everything after
    # (refusals, the guard's notice, error answers) speaks the person's language; then the
    # gate (rate limit, access, the person, the group guard, leaving dialogues).
    LocaleMiddleware(i18n or create_i18n()).setup(dispatcher)
    gate = Gate(
        RateLimit(limits.rate_limit_updates, limits.rate_limit_seconds),
        AccessControl(limits.allowed_ids, limits.allowed_usernames),
        content_limit=RateLimit(limits.burst_limit, limits.rate_limit_seconds),
        bursts=bursts,
    )
    dispatcher.message.outer_middleware(gate)
    dispatcher.edited_message.outer_middleware(gate)
    dispatcher.callback_query.outer_middleware(gate)
    dispatcher.include_routers(*create_routers())
    return dispatcher
