"""Benchmark people: Telegram ids handed out once per run, and the key the bot stores."""

from __future__ import annotations

from itertools import count

# Far from the ids the test suite uses; any positive id is a private chat.
_FIRST_ID = 7_000_000_000


def username_of(telegram_id: int) -> str:
    """The Telegram username (and so the bot's `users.username` key) of a benchmark person."""
    return f"bench{telegram_id}"


class People:
    """Hands out distinct people, so no two runs share a row lock or a to-do list."""

    def __init__(self) -> None:
        self._ids = count(_FIRST_ID)

    def take(self, number: int) -> list[int]:
        return [next(self._ids) for _ in range(number)]
