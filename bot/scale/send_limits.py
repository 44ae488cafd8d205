"""Telegram's send limits kept by all replicas together: the same pacing as
bot.chat.send_limits.SendLimiter, with its "next free moment" kept in Redis.

One Lua script reads Redis's own clock and the next free moment (for the bot, and for the
chat when there is one), takes the later of them, moves them on by an interval and returns
how long to wait: atomic, so N replicas together send SEND_RATE a second, not N times it.
A clock shared by every replica also means no two hosts' clocks have to agree.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.scale.redis import Keys

# KEYS[1] the bot's next free moment, KEYS[2] (when given) the chat's, in microseconds of
# Redis's clock; ARGV[1] the bot's interval, ARGV[2] the chat's, in microseconds.
_TAKE_TURN = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
if KEYS[2] then start = math.max(start, tonumber(redis.call('GET', KEYS[2]) or '0')) end
local function advance(key, interval)
  local next_free = start + interval
  local keep_ms = math.floor((next_free - now) / 1000) + 1000
  redis.call('SET', key, string.format('%d', next_free), 'PX', keep_ms)
end
advance(KEYS[1], tonumber(ARGV[1]))
if KEYS[2] then advance(KEYS[2], tonumber(ARGV[2])) end
return start - now
"""


class SharedSendLimiter:
    """`scope` names the budget: replies and reminders each keep their own pacing, as the
    in-process limiters do (the bot's session for every send, the worker's per chat)."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        scope: str,
        per_second: float = 25.0,
        per_chat_interval: float = 1.0,
    ) -> None:
        self._keys = keys
        self._scope = scope
        self._interval_us = round(1_000_000 / per_second)
        self._per_chat_us = round(per_chat_interval * 1_000_000)
        self._take_turn = redis.register_script(_TAKE_TURN)

    async def _wait(self, keys: list[str]) -> None:
        waited_us = await self._take_turn(keys=keys, args=[self._interval_us, self._per_chat_us])
        if int(waited_us) > 0:
            await asyncio.sleep(int(waited_us) / 1_000_000)

    async def wait_turn(self) -> None:
        """Until a message keeps the per-bot rate; then it counts as sent."""
        await self._wait([self._keys.sends(self._scope)])

    async def wait(self, chat_id: int) -> None:
        """Until a message to `chat_id` keeps both limits; then it counts as sent."""
        await self._wait([self._keys.sends(self._scope), self._keys.sends_to(self._scope, chat_id)])
