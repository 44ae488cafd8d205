"""aiogram's RedisStorage, closed only once the updates in flight are done.

aiogram registers the storage's close as the dispatcher's first shutdown handler. Polling
stops and runs it at once, while updates it has started are still being handled: their
next command on the closing client failed ("Connection lost" on a get_state, seen in the
SIGTERM-under-load test). Webhook mode drains before the dispatcher's shutdown, so there
the wait is over at once.
"""

from __future__ import annotations

from aiogram.fsm.storage.base import KeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.chat.middlewares.in_flight import InFlightUpdates


class RedisDialogues(RedisStorage):
    def __init__(
        self,
        redis: Redis,
        *,
        key_builder: KeyBuilder,
        ttl: int,
        in_flight: InFlightUpdates,
        drain_timeout: float,
    ) -> None:
        super().__init__(redis, key_builder=key_builder, state_ttl=ttl, data_ttl=ttl)
        self._in_flight = in_flight
        self._drain_timeout = drain_timeout

    async def close(self) -> None:
        await self._in_flight.drain(self._drain_timeout)
        await super().close()
