"""Factories for the Bot and the Dispatcher: nothing connects at import time, and tests
build the very same objects with a fake Telegram server or a test database."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import LinkPreviewOptions
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware

from bot.config import Settings
from bot.handlers import create_router
from bot.i18n import create_i18n
from bot.middlewares import ForeignPressGuard, LeaveDialogueOnCommand, PersonMiddleware
from bot.services import TaskService


def telegram_server(settings: Settings) -> TelegramAPIServer:
    if settings.telegram_api_url is None:
        return PRODUCTION
    return TelegramAPIServer.from_base(str(settings.telegram_api_url))


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session or AiohttpSession(api=telegram_server(settings)),
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML,
            link_preview=LinkPreviewOptions(is_disabled=True),
        ),
    )


def create_dispatcher(
    task_service: TaskService,
    *,
    storage: BaseStorage | None = None,
    i18n: I18n | None = None,
) -> Dispatcher:
    """The dispatcher with every router and middleware; handlers get `task_service` injected."""
    dispatcher = Dispatcher(storage=storage or MemoryStorage(), task_service=task_service)
    # Outer middlewares run in registration order: language first, so everything after
    # (the guard's notice, error answers) speaks the person's language.
    SimpleI18nMiddleware(i18n or create_i18n()).setup(dispatcher)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(PersonMiddleware())
    dispatcher.message.outer_middleware(LeaveDialogueOnCommand())
    dispatcher.callback_query.outer_middleware(ForeignPressGuard())
    dispatcher.include_router(create_router())
    return dispatcher
