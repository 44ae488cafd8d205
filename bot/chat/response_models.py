"""Keeps aiogram's answer models alive between garbage collections.

aiogram reads every Bot API answer with `Response[method.__returning__]`. pydantic caches a
parametrised generic model only weakly, and a model class lives in reference cycles, so each
full collection frees it and the next answer builds it again: about 3 ms per method, which
a busy replica paid several times a second (7 % of its CPU, profiled under load). Holding a
reference to each model the bot has used keeps pydantic's cache warm; nothing else changes.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType


class KeepResponseModels(BaseRequestMiddleware):
    def __init__(self) -> None:
        # One entry per Bot API method the bot has called: a few dozen at most.
        self._models: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._models:
            # A runtime parametrisation, as aiogram makes it: not a type mypy can name.
            self._models[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
