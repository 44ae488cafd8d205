"""The Redis connection replicas share, and the names of the keys the bot writes there.

aiogram's storage and isolation build their own keys with `DefaultKeyBuilder(prefix=...)`;
ours go under the same REDIS_PREFIX, so several bots (or test runs) can share one server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiogram.fsm.storage.base import DefaultKeyBuilder
from redis.asyncio import Redis

from bot.config import Settings

# Seconds to wait for Redis to accept a connection, and for an answer.
CONNECT_TIMEOUT = 5.0
SOCKET_TIMEOUT = 10.0


def create_redis(settings: Settings) -> Redis:
    """A client with its own pool; it connects on first use."""
    assert settings.redis_url is not None
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        health_check_interval=30,
    )


def describe_redis(settings: Settings) -> str:
    """Host, port and database number: no password, ever."""
    assert settings.redis_url is not None
    url = urlsplit(settings.redis_url)
    if url.scheme == "unix":
        return f"redis ({url.path})"
    return f"redis ({url.hostname or 'localhost'}:{url.port or 6379}{url.path or '/0'})"


def key_builder(settings: Settings) -> DefaultKeyBuilder:
    """For aiogram's RedisStorage and RedisEventIsolation: keys under REDIS_PREFIX. With the
    destiny: beside a person's dialogue the bot keeps pasted texts and a waiting import."""
    return DefaultKeyBuilder(
        prefix=f"{settings.redis_prefix}:fsm", with_bot_id=True, with_destiny=True
    )


class Keys:
    """Our own keys, each under the prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def update(self, update_id: int) -> str:
        return f"{self.prefix}:update:{update_id}"

    def replica(self, replica_id: str = "") -> str:
        return f"{self.prefix}:replica:{replica_id}"

    def person(self, telegram_id: int) -> str:
        return f"{self.prefix}:person:{telegram_id}"

    def sends(self, scope: str) -> str:
        return f"{self.prefix}:sends:{scope}"

    def sends_to(self, scope: str, chat_id: int) -> str:
        return f"{self.prefix}:sends:{scope}:chat:{chat_id}"
