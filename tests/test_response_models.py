"""The answer models aiogram parametrises per call survive a full garbage collection."""

from __future__ import annotations

import gc
import weakref
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Message

from bot.chat.response_models import KeepResponseModels

TOKEN = "123456:KEEP-models-token-0123456789"

# An answer type no other test (nor the bot) asks for, so nothing else keeps its model alive.
Answer = tuple[Message, int]


class Probe(TelegramMethod[Answer]):
    __returning__: ClassVar[Any] = Answer
    __api_method__: ClassVar[str] = "probe"


def answer_model_ref() -> weakref.ref[type[Response[Answer]]]:
    # Parametrised as aiogram's check_response does: Response[method.__returning__].
    return weakref.ref(Response[Probe.__returning__])


async def answer(bot: Bot, method: TelegramMethod[Any]) -> Response[Any]:
    return Response[bool](ok=True, result=True)


def test_without_it_a_full_collection_drops_the_model() -> None:
    """What the middleware is for: pydantic's cache holds the model only weakly."""
    model = answer_model_ref()
    gc.collect()
    assert model() is None


async def test_a_method_the_bot_called_keeps_its_model() -> None:
    keep = KeepResponseModels()
    bot = Bot(TOKEN)
    try:
        await keep(answer, bot, Probe())
        model = answer_model_ref()
        gc.collect()
        assert model() is not None
        assert model() is Response[Answer]
    finally:
        await bot.session.close()
