"""What is known of people (bot.services.people), shared by replicas through Redis.

Every replica reads and writes the same entry, so a zone changed through one replica is the
zone the next update sees on any other. An entry lives `LIFETIME` seconds after it was
written, which also bounds any disagreement with the database after a crash between a
commit and the write here.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis

from bot.scale.redis import Keys
from bot.services.people import KnownPerson

LIFETIME = 3600


class SharedPeople:
    def __init__(self, redis: Redis, keys: Keys, lifetime: int = LIFETIME) -> None:
        self._redis = redis
        self._keys = keys
        self._lifetime = lifetime

    async def get(self, telegram_id: int) -> KnownPerson | None:
        raw = await self._redis.get(self._keys.person(telegram_id))
        if raw is None:
            return None
        try:
            key, language, zone, chosen = json.loads(raw)
        except (ValueError, TypeError):  # written by another version: read the row again
            return None
        return KnownPerson(str(key), language, str(zone), bool(chosen))

    async def put(self, telegram_id: int, known: KnownPerson) -> None:
        await self._redis.set(
            self._keys.person(telegram_id), json.dumps(list(known)), ex=self._lifetime
        )

    async def forget(self, telegram_id: int) -> None:
        await self._redis.delete(self._keys.person(telegram_id))
