"""Each update handled once, though Telegram may deliver it again to another replica.

Telegram re-sends an update whose delivery got no 2xx answer: the replica died, the proxy
timed out, the answer was lost. Before any handler runs, a replica claims the update id in
Redis (`OncePerUpdate`, an outer middleware on `update`):

- no claim yet: the key becomes this replica's id, and the update is handled;
- "done": handled already; nothing runs, and the delivery is acknowledged;
- another replica's id, and that replica is alive (its heartbeat key exists): it is still
  handling it; this delivery waits until it is done (then does nothing) or the owner dies;
- another replica's id, and no heartbeat: that replica died mid-update without answering
  Telegram, so this delivery takes the claim over and handles the update.

Handled, the key becomes "done" for `REMEMBER` seconds; a handler that failed gives the
claim back (Telegram gets a 500 and re-sends). A replica killed mid-update therefore never
turns Telegram's re-delivery into a no-op: its claim outlives it by at most the heartbeat's
lifetime. What can happen twice is only the part of an update done before a crash (a task
is still saved once: its source message is a unique key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from redis.asyncio import Redis

from bot.scale.redis import Keys

log = logging.getLogger(__name__)

# How long a handled update id is remembered: Telegram re-sends within minutes.
REMEMBER = 600
# A replica's heartbeat: renewed every BEAT seconds, gone LIFETIME seconds after it stopped.
BEAT = 1.0
LIFETIME = 5
# How often a delivery waiting for another replica's claim looks again.
WAIT_STEP = 0.25
DONE = "done"

# KEYS[1] the update's key; ARGV: this replica's id, the claim's lifetime (s), the heartbeat
# keys' prefix, "done". The reads and the write are one step, so two replicas cannot both
# win. It reads the holder's heartbeat key, which it cannot name in advance: a standalone
# Redis (or a single shard), not Redis Cluster.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[4] then return 'done' end
if holder and redis.call('EXISTS', ARGV[3] .. holder) == 1 then return 'busy' end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 'run'
"""
# Give a claim back, if it is still this replica's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

Claim = Literal["run", "done", "busy"]


class UpdateClaims:
    def __init__(self, redis: Redis, keys: Keys, replica_id: str | None = None) -> None:
        self._redis = redis
        self._keys = keys
        self.replica_id = replica_id or uuid.uuid4().hex
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)

    async def try_claim(self, update_id: int) -> Claim:
        outcome = await self._claim(
            keys=[self._keys.update(update_id)],
            args=[self.replica_id, REMEMBER, self._keys.replica(), DONE],
        )
        answer = outcome.decode() if isinstance(outcome, bytes) else str(outcome)
        return "run" if answer == "run" else "done" if answer == "done" else "busy"

    async def claim(self, update_id: int) -> Literal["run", "done"]:
        """Wait while a live replica handles the update; then handle it or skip it."""
        while True:  # a rare wait (after a crash, or a proxy's timeout): polling is enough
            outcome = await self.try_claim(update_id)
            if outcome != "busy":
                return outcome
            await asyncio.sleep(WAIT_STEP)

    async def done(self, update_id: int) -> None:
        await self._redis.set(self._keys.update(update_id), DONE, ex=REMEMBER)

    async def release(self, update_id: int) -> None:
        await self._release(keys=[self._keys.update(update_id)], args=[self.replica_id])

    async def beat(self) -> None:
        await self._redis.set(self._keys.replica(self.replica_id), 1, ex=LIFETIME)

    async def stop_beating(self) -> None:
        await self._redis.delete(self._keys.replica(self.replica_id))


class Heartbeat:
    """Tells the other replicas this one is alive, so they leave its claims alone."""

    def __init__(self, claims: UpdateClaims, beat: float = BEAT) -> None:
        self._claims = claims
        self._beat = beat
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._claims.beat()  # alive before the first update can arrive
        self._task = asyncio.create_task(self._run(), name="heartbeat")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._beat)
            try:
                await self._claims.beat()
            except Exception as error:  # Redis away: others may take over our updates
                log.warning("heartbeat not renewed: %s", error)

    async def stop(self) -> None:
        """After the updates in flight are done: this replica's claims are free to take."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            await self._claims.stop_beating()
        except Exception as error:  # it lapses by itself within LIFETIME
            log.warning("heartbeat not removed: %s", error)


class OncePerUpdate(BaseMiddleware):
    """An outer middleware on `update`, first of all: see the module's docstring."""

    def __init__(self, claims: UpdateClaims) -> None:
        self._claims = claims

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        if await self._claims.claim(event.update_id) == "done":
            log.info("update %d was handled already; delivered again, skipped", event.update_id)
            return None
        try:
            result = await handler(event, data)
        except BaseException:
            await self._claims.release(event.update_id)
            raise
        await self._claims.done(event.update_id)
        return result
