"""What an update has saved, so an error after the save is not answered with "nothing was
changed" (the person would send it again and get a duplicate)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject


class Changes:
    """Handlers call `saved()` once their use case has committed; handlers get it as
    `changes`, and so do error handlers."""

    def __init__(self) -> None:
        self.committed = False

    def saved(self) -> None:
        self.committed = True


class TrackChanges(BaseMiddleware):
    """An outer middleware on `update`: one fresh `Changes` per update."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["changes"] = Changes()
        return await handler(event, data)
