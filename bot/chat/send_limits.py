"""Telegram's send limits, kept by the sender: about 30 messages a second per bot and one a
second per chat. A 429 that gets through anyway is waited out by RetryRequests.

`LimitSends` holds every send of the bot to the per-bot rate; what the bot sends unasked
(reminders, digests) also keeps one a second per chat, through `SendLimiter.wait`. Replies
are not spaced per chat: a person who just pressed a button should not wait a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType


class Pacing(Protocol):
    """What the senders need of a limiter: this process's (SendLimiter), or the one all
    replicas share through Redis (bot.scale.send_limits)."""

    async def wait_turn(self) -> None: ...

    async def wait(self, chat_id: int) -> None: ...


class SendLimiter:
    def __init__(
        self,
        per_second: float = 25.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._clock = clock
        self._next_send = 0.0
        self._next_in_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait_turn(self) -> None:
        """Until a message keeps the per-bot rate; then it counts as sent."""
        async with self._lock:
            now = self._clock()
            start = max(now, self._next_send)
            self._next_send = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)

    async def wait(self, chat_id: int) -> None:
        """Until a message to `chat_id` keeps both limits; then it counts as sent."""
        async with self._lock:
            now = self._clock()
            start = max(now, self._next_send, self._next_in_chat.get(chat_id, 0.0))
            self._next_send = start + self._interval
            self._next_in_chat[chat_id] = start + self._per_chat
            if len(self._next_in_chat) > 10_000:  # forget chats whose turn has passed
                self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}
        if start > now:
            await asyncio.sleep(start - now)


class LimitSends(BaseRequestMiddleware):
    """Every message the bot sends, replies and reminders alike, within one shared rate (a
    Bot API session middleware, like RetryRequests): Telegram's limit is per bot."""

    def __init__(self, limiter: Pacing) -> None:
        self._limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage):
            await self._limiter.wait_turn()
        return await make_request(bot, method)
