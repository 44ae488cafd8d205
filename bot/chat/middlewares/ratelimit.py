"""A per-person rate limit that answers once when it trips and then ignores the flood,
without touching the database."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _


class RateLimit:
    """At most `limit` updates per person in any `window` seconds (a sliding window)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        # Recent update times per person, least recently active first, so people who went
        # quiet are dropped from the front and memory stays bounded by the active ones.
        self._recent: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: set[int] = set()

    def _forget_idle(self, now: float) -> None:
        while self._recent:
            user_id, times = next(iter(self._recent.items()))
            if times and times[-1] > now - self._window:
                break
            del self._recent[user_id]
            self._warned.discard(user_id)

    def admit(self, user_id: int) -> bool:
        now = self._clock()
        self._forget_idle(now)
        times = self._recent.setdefault(user_id, deque())
        self._recent.move_to_end(user_id)
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) >= self._limit:
            return False
        times.append(now)
        self._warned.discard(user_id)
        return True

    async def refuse(self, user: User, event: TelegramObject) -> None:
        """Say so the first time the limit trips; after that, only stop the button's spinner."""
        first_time = user.id not in self._warned
        self._warned.add(user.id)
        notice = _("🐢 That is too fast for me. I'll ignore your messages for a few seconds.")
        if isinstance(event, CallbackQuery):
            await event.answer(notice if first_time else None)  # never leave a spinner
        elif first_time and isinstance(event, Message):
            await event.answer(notice)
