"""A Bot API session that does all of the bot's own work per call except the HTTP exchange.

It is the bot's own session class (bot.session.TelegramSession) with `make_request` replaced:
like the real one it builds the request body (JSON, or aiogram's form for uploads) and turns
it into the payload aiohttp would send; then it parses a canned answer through aiogram's
response checking. It keeps nothing per request, so memory measurements stay flat.
"""

from __future__ import annotations

import json
from typing import Any, cast

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.session import TelegramSession

BOT_TOKEN = "4242:BENCH-token-for-the-canned-session"
_BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Todo", "username": "todo_bench_bot"}
# What Telegram returns for a sent or edited message; the handlers never read it back, but
# aiogram parses and validates it, as it would the real one.
_MESSAGE_ANSWER = json.dumps(
    {
        "ok": True,
        "result": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 1, "type": "private"},
            "from": _BOT_USER,
            "text": "ok",
        },
    }
)
_TRUE_ANSWER = json.dumps({"ok": True, "result": True})
_MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText"})


class CannedSession(TelegramSession):
    """Counts calls per method (a handful of names, so constant memory) for sanity checks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: dict[str, int] = {}
        self.last_text = ""
        # A list while the harness records one update's replies (for the reply floor).
        self.recording: list[TelegramMethod[Any]] | None = None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        name = method.__api_method__
        if self.recording is not None:
            self.recording.append(method)
        self.api.api_url(token=bot.token, method=name)
        form = self.build_form_data(bot=bot, method=method)
        form()  # the payload aiohttp sends (a form is encoded here)
        self.calls[name] = self.calls.get(name, 0) + 1
        answer = _TRUE_ANSWER
        if name in _MESSAGE_METHODS:
            self.last_text = str(getattr(method, "text", ""))
            answer = _MESSAGE_ANSWER
        response = self.check_response(bot=bot, method=method, status_code=200, content=answer)
        return cast(TelegramType, response.result)

    async def close(self) -> None:
        return None  # no aiohttp session was ever opened
