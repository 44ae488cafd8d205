"""The bot under test and its floors: the real dispatcher from `create_dispatcher`, a bare
one whose handlers only answer, a minimal one whose handlers run a raw statement and answer,
and one whose handlers send a recorded reply, all on one bot with the canned Bot API
session."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.session import BOT_TOKEN, CannedSession
from bench.updates import UpdateFactory
from bot.config import Settings
from bot.db import create_session_maker
from bot.factory import create_bot, create_dispatcher
from bot.services import TaskService


@dataclass(frozen=True)
class Harness:
    bot: Bot
    session: CannedSession
    real: Dispatcher
    bare: Dispatcher
    updates: UpdateFactory


def build_harness(engine: AsyncEngine, settings: Settings | None = None) -> Harness:
    # As bot.app does: aiogram logs every handled update at INFO otherwise.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    session = CannedSession()
    settings = settings or bench_settings()
    bot = create_bot(settings, session=session)
    real = create_dispatcher(TaskService(create_session_maker(engine)), settings)
    return Harness(bot, session, real, bare_dispatcher(), UpdateFactory(bot))


def default_settings() -> Settings:
    """The bot's defaults. No `.env` is read, so a developer's settings can't skew a run."""
    return Settings(_env_file=None, bot_token=BOT_TOKEN, allowed_users="")


def bench_settings() -> Settings:
    """The defaults, except that nobody is refused: a benchmark person sends hundreds of
    updates a second, which the per-person rate limit exists to stop. Its middleware still
    runs on every update."""
    return default_settings().model_copy(
        update={"rate_limit_updates": 10_000, "rate_limit_seconds": 0.001}
    )


def bare_dispatcher() -> Dispatcher:
    """Dispatch and answer, nothing else: the least any aiogram bot does per update."""
    return _one_router("bare", _answer_message, _answer_press)


def minimal_dispatcher(statement: Callable[[], Awaitable[object]]) -> Dispatcher:
    """Dispatch, run `statement` (the use case's raw SQL), answer: the least a bot with a
    database does per update, dispatch and round trip measured together."""

    async def on_message(message: Message) -> None:
        await statement()
        await message.answer("ok")

    async def on_press(query: CallbackQuery) -> None:
        await statement()
        await query.answer()

    return _one_router("minimal", on_message, on_press)


def replay_dispatcher(replies: Sequence[TelegramMethod[Any]]) -> Dispatcher:
    """Dispatch and send `replies` (one real update's Bot API calls, recorded): what aiogram
    alone costs for the very same reply, with nothing of ours in between."""

    async def replay(_event: Message | CallbackQuery, bot: Bot) -> None:
        for method in replies:
            await bot(method)

    return _one_router("replay", replay, replay)


def _one_router(
    name: str, on_message: Callable[..., Awaitable[None]], on_press: Callable[..., Awaitable[None]]
) -> Dispatcher:
    router = Router(name=name)
    router.message.register(on_message)
    router.callback_query.register(on_press)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def _answer_message(message: Message) -> None:
    await message.answer("ok")


async def _answer_press(query: CallbackQuery) -> None:
    await query.answer()
