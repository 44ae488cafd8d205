"""Any command but /cancel leaves a dialogue, so `/list` after `/add` is not taken as a task."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject


class LeaveDialogueOnCommand(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # aiogram's FSM middleware has already read the state into `raw_state`.
        state: FSMContext | None = data.get("state")
        if (
            state is not None
            and data.get("raw_state") is not None
            and isinstance(event, Message)
            and event.text
            and event.text.startswith("/")
            and not event.text[1:].lower().startswith("cancel")
        ):
            await state.clear()
            data["raw_state"] = None
        return await handler(event, data)
