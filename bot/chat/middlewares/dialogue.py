"""Any command but /cancel leaves a dialogue, so `/list` after `/add` is not taken as a task."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message


async def leave_on_command(message: Message, data: dict[str, Any]) -> None:
    # aiogram's FSM middleware has already read the state into `raw_state`.
    state: FSMContext | None = data.get("state")
    if (
        state is not None
        and data.get("raw_state") is not None
        and message.text
        and message.text.startswith("/")
        and not message.text[1:].lower().startswith("cancel")
    ):
        await state.clear()
        data["raw_state"] = None
