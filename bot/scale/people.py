"""What is known of people (bot.services.people), shared by replicas through Redis.

Every replica reads and writes the same entry, so a zone changed through one replica is the
zone the next update sees on any other. An entry lives `LIFETIME` seconds after it was
written, which also bounds any disagreement with the database after a crash between a
commit and the write here.

Within one update, an entry read or written is remembered (`PeoplePerUpdate` opens the
memo): the use case and the reply's calendar both ask for the person, and the second asking
costs no round trip. Only the person's own updates change their entry, and those in one
chat are handled one at a time across replicas (RedisEventIsolation). A change made at the
same moment from another chat reaches their next update; the one in flight keeps one zone
from start to end, which is what it should show anyway.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from redis.asyncio import Redis

from bot.scale.redis import Keys
from bot.services.people import KnownPerson

LIFETIME = 3600

# The update's memo, by Redis key (so two caches under different prefixes never mix); None
# outside an update (the reminder worker, tests calling the service): every read goes to Redis.
_THIS_UPDATE: ContextVar[dict[str, KnownPerson | None] | None] = ContextVar(
    "people_this_update", default=None
)


class SharedPeople:
    def __init__(self, redis: Redis, keys: Keys, lifetime: int = LIFETIME) -> None:
        self._redis = redis
        self._keys = keys
        self._lifetime = lifetime

    async def get(self, telegram_id: int) -> KnownPerson | None:
        name = self._keys.person(telegram_id)
        memo = _THIS_UPDATE.get()
        if memo is not None and name in memo:
            return memo[name]
        known = self._parse(await self._redis.get(name))
        if memo is not None:
            memo[name] = known
        return known

    @staticmethod
    def _parse(raw: bytes | None) -> KnownPerson | None:
        if raw is None:
            return None
        try:
            key, language, zone, chosen = json.loads(raw)
        except (ValueError, TypeError):  # written by another version: read the row again
            return None
        return KnownPerson(str(key), language, str(zone), bool(chosen))

    async def put(self, telegram_id: int, known: KnownPerson) -> None:
        name = self._keys.person(telegram_id)
        await self._redis.set(name, json.dumps(list(known)), ex=self._lifetime)
        self._remember(name, known)

    async def forget(self, telegram_id: int) -> None:
        name = self._keys.person(telegram_id)
        await self._redis.delete(name)
        self._remember(name, None)

    @staticmethod
    def _remember(name: str, known: KnownPerson | None) -> None:
        memo = _THIS_UPDATE.get()
        if memo is not None:
            memo[name] = known


class PeoplePerUpdate(BaseMiddleware):
    """An outer middleware on `update`: what SharedPeople reads or writes while the update
    is handled is remembered until it ends (see the module's docstring)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        token = _THIS_UPDATE.set({})
        try:
            return await handler(event, data)
        finally:
            _THIS_UPDATE.reset(token)
