"""One answer for a person's burst of messages: forwards, or a batch pasted as many messages.

The first message of a burst is answered as usual. What follows within `gap` seconds of the
one before is saved as usual but answered once, when the person has paused for `gap`
seconds: "➕ Saved 34 more tasks: ...". Messages that the flood limit refused are named in
that same answer, so nothing a person meant to keep is dropped without saying which.

The summary is sent from a task started in the update that added to it (so it speaks the
person's language); `close()` sends what is pending at shutdown.

With several replicas, each groups the messages it receives: bursts stay in process. A
person's messages are handled one at a time across replicas (RedisEventIsolation), and in
webhook mode an update is acknowledged when its handler returns, so sharing a batch would
mean holding Telegram's requests open for the gap, or a summary sent by a replica that did
not receive the messages. Instead a burst spread over N replicas is answered by at most N
summaries (each naming what that replica saved or refused), every message is still saved
once and named in one answer, and a replica that is killed loses only its pending summary,
never a task (a graceful stop sends it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import gettext as _

from bot.chat.dates import Calendar
from bot.chat.i18n import _n
from bot.chat.keyboards import added_keyboard, open_list_keyboard
from bot.chat.rendering import clip, render_added, render_batch
from bot.schemas import TaskRead

log = logging.getLogger(__name__)

DEFAULT_GAP = 1.0
REFUSED_SHOWN = 10


@dataclass
class _Batch:
    bot: Bot
    chat_id: int
    user_id: int
    added: list[TaskRead] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    calendar: Calendar | None = None
    timer: asyncio.Task[None] | None = None
    sending: bool = False


class Bursts:
    def __init__(self, gap: float = DEFAULT_GAP, clock: Callable[[], float] = time.monotonic):
        self._gap = gap
        self._clock = clock
        self._last: dict[int, float] = {}  # person -> when their last message was added
        self._batches: dict[int, _Batch] = {}
        self._sending: set[asyncio.Task[None]] = set()

    def in_burst(self, user_id: int) -> bool:
        """Whether this message follows the person's last one within the gap (and so
        joins a batch instead of getting an answer of its own)."""
        now = self._clock()
        last = self._last.get(user_id)
        self._last[user_id] = now
        if len(self._last) > 1000:  # forget people who paused long ago
            self._last = {k: t for k, t in self._last.items() if now - t < self._gap}
        batch = self._batches.get(user_id)
        return (batch is not None and not batch.sending) or (
            last is not None and now - last < self._gap
        )

    def added(
        self,
        bot: Bot,
        chat_id: int,
        user_id: int,
        tasks: Sequence[TaskRead],
        calendar: Calendar | None = None,
    ) -> None:
        batch = self._batch(bot, chat_id, user_id)
        batch.added.extend(tasks)
        batch.calendar = calendar or batch.calendar
        self._restart(user_id)

    def refused(self, bot: Bot, chat_id: int, user_id: int, text: str) -> None:
        self._batch(bot, chat_id, user_id).refused.append(text)
        self._restart(user_id)

    def _batch(self, bot: Bot, chat_id: int, user_id: int) -> _Batch:
        batch = self._batches.get(user_id)
        if batch is None or batch.sending:
            batch = self._batches[user_id] = _Batch(bot, chat_id, user_id)
        return batch

    def _restart(self, user_id: int) -> None:
        batch = self._batches[user_id]
        if batch.timer is not None:
            batch.timer.cancel()
        batch.timer = asyncio.create_task(self._send_after_pause(batch))

    async def _send_after_pause(self, batch: _Batch) -> None:
        await asyncio.sleep(self._gap)
        await self._send(batch)

    async def _send(self, batch: _Batch) -> None:
        batch.sending = True
        if self._batches.get(batch.user_id) is batch:
            del self._batches[batch.user_id]
        markup = open_list_keyboard(owner=batch.user_id) if batch.added else None
        if len(batch.added) == 1 and not batch.refused:  # one more: answered as any add
            markup = added_keyboard(batch.added[0], owner=batch.user_id)
        try:
            await batch.bot.send_message(
                batch.chat_id,
                summary(batch.added, batch.refused, batch.calendar),
                reply_markup=markup,
            )
        except TelegramAPIError as error:  # the tasks are saved; only the summary is lost
            log.warning("burst summary to %s not sent: %s", batch.chat_id, error)

    async def close(self) -> None:
        """Send every pending summary now (shutdown)."""
        for batch in list(self._batches.values()):
            if batch.timer is not None and not batch.sending:
                batch.timer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await batch.timer
                await self._send(batch)


def summary(
    added: Sequence[TaskRead], refused: Sequence[str], calendar: Calendar | None = None
) -> str:
    parts = []
    if len(added) == 1 and not refused:
        return render_added(added[0], calendar)
    if added:
        count = len(added)
        intro = _n("➕ Saved {count} more task:", "➕ Saved {count} more tasks:", count)
        parts.append(render_batch(added, calendar, intro=intro.format(count=count)))
    if refused:
        count = len(refused)
        lines = [f"• {escape(clip(text, 40))}" for text in refused[:REFUSED_SHOWN]]
        if count > REFUSED_SHOWN:
            lines.append("…")
        parts.append(
            "\n".join(
                [
                    _n(
                        "⚠️ Not saved, {count} message came too fast:",
                        "⚠️ Not saved, {count} messages came too fast:",
                        count,
                    ).format(count=count),
                    *lines,
                    _("Send them again in a minute."),
                ]
            )
        )
    return "\n\n".join(parts)
