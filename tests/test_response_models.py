"""The answer models aiogram parametrises per call survive a full garbage collection."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import Message

from bot.chat.response_models import KeepResponseModels

TOKEN = "123456:KEEP-models-token-0123456789"


def answer_model_ref() -> weakref.ref[type[Response[Message]]]:
    # The model aiogram's check_response builds for sendMessage's answer.
    assert SendMessage.__returning__ is Message
    return weakref.ref(Response[Message])


async def echo(bot: Bot, method: TelegramMethod[Any]) -> Response[Any]:
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
        await keep(echo, bot, SendMessage(chat_id=1, text="hi"))
        model = answer_model_ref()
        gc.collect()
        assert model() is not None
        assert model() is Response[Message]
    finally:
        await bot.session.close()
