"""Turns the sender into a `Person` for handlers; the service syncs them in each use case,
inside the use case's own transaction, so this costs no database round trip."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.schemas import Person


class PersonMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None  # channel posts and other bots have no to-do list here
        data["person"] = Person(
            telegram_id=user.id, username=user.username, language=user.language_code
        )
        return await handler(event, data)
