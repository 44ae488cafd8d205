"""Updates as the polling loop hands them to the dispatcher: parsed and bound to the bot.

Building them through `Update.model_validate(..., context={"bot": bot})` is what aiogram's
polling does; an unbound update would make `feed_update` re-create it through a JSON round
trip on every call, a cost the real bot never pays.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from bench.people import username_of

_DATE = 1_700_000_000
# Seeded tasks use message ids 1..number of tasks; updates start far above, so the
# (chat_id, message_id) pair that makes `/add` idempotent never collides with them.
_FIRST_MESSAGE_ID = 1_000_000_000


def _user(telegram_id: int) -> dict[str, Any]:
    return {
        "id": telegram_id,
        "is_bot": False,
        "first_name": "Bench",
        "username": username_of(telegram_id),
        "language_code": "en",
    }


def _private_chat(telegram_id: int) -> dict[str, Any]:
    return {"id": telegram_id, "type": "private", "first_name": "Bench"}


class UpdateFactory:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._update_ids = count(1)
        self._message_ids = count(_FIRST_MESSAGE_ID)
        self._query_ids = count(1)

    def message(self, telegram_id: int, text: str) -> Update:
        """The person sends `text` in their private chat with the bot."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": _DATE,
            "chat": _private_chat(telegram_id),
            "from": _user(telegram_id),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._bound({"update_id": next(self._update_ids), "message": message})

    def press(self, telegram_id: int, data: str) -> Update:
        """The person presses a button carrying `data` under one of the bot's messages."""
        query = {
            "id": str(next(self._query_ids)),
            "from": _user(telegram_id),
            "chat_instance": str(telegram_id),
            "data": data,
            "message": {
                "message_id": 1,
                "date": _DATE,
                "chat": _private_chat(telegram_id),
                "from": {"id": self._bot.id, "is_bot": True, "first_name": "Todo"},
                "text": "a list or a card",
            },
        }
        return self._bound({"update_id": next(self._update_ids), "callback_query": query})

    def _bound(self, payload: dict[str, Any]) -> Update:
        return Update.model_validate(payload, context={"bot": self._bot})
