"""Graceful shutdown: updates already being handled finish before the session closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

log = logging.getLogger(__name__)


class InFlightUpdates(BaseMiddleware):
    """Counts updates in handling (an outer middleware on `update`), so shutdown can wait.

    aiogram stops polling on SIGTERM but does not wait for the update tasks it started;
    without this a reply could be lost, or a task saved without its confirmation.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.tracking():
            return await handler(event, data)

    @contextlib.asynccontextmanager
    async def tracking(self) -> AsyncIterator[None]:
        """Counts what runs inside as one update in flight; in webhook mode the request that
        carries it, from its first byte (bot.webhook)."""
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drain(self, seconds: float) -> bool:
        """Wait until nothing is in flight, at most `seconds`; False if time ran out."""
        if self._count:
            log.info("waiting for %d update(s) in flight", self._count)
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except TimeoutError:
            log.warning("%d update(s) still in flight after %.0f s; stopping", self._count, seconds)
            return False
        return True
