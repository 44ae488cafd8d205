"""Retries of outgoing Bot API calls: aiogram does not retry a 429 or a 5xx by itself.

Polling (getUpdates) is left alone: aiogram's polling loop already backs off and recovers.
A 403 (the person blocked the bot) and other 4xx are final and are not retried.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)

# A 429 asking for longer than this is not waited out inside one update.
MAX_RETRY_AFTER = 30.0
BACKOFF = (0.5, 1.0, 2.0, 4.0)


class RetryRequests(BaseRequestMiddleware):
    def __init__(self, retries: int = 3, max_retry_after: float = MAX_RETRY_AFTER) -> None:
        self._retries = retries
        self._max_retry_after = max_retry_after

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)
        for attempt in range(1, self._retries + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if error.retry_after > self._max_retry_after:
                    raise
                delay, reason = float(error.retry_after), "429"
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as error:
                # ClientDecodeError: a proxy's HTML error page (502) instead of Telegram's JSON.
                delay, reason = BACKOFF[min(attempt - 1, len(BACKOFF) - 1)], type(error).__name__
            log.warning(
                "%s failed (%s); retry %d of %d in %.1f s",
                method.__api_method__,
                reason,
                attempt,
                self._retries,
                delay,
            )
            await asyncio.sleep(delay)
        return await make_request(bot, method)  # the last try: its error is the caller's
