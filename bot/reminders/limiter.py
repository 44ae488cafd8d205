"""Telegram's send limits, kept by the sender: about 30 messages a second per bot and one a
second per chat. A 429 that gets through anyway is waited out by RetryRequests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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
