"""The reminder worker: started beside polling, it sends each due reminder once.

The database is the schedule. Every few seconds the worker claims the reminders that are
due (one statement that moves each row's `remind_at` to a short lease, skipping rows another
worker holds), sends them within Telegram's limits, and then clears the fired `remind_at`
(unless a snooze set a new one meanwhile). A worker that dies between claim and send leaves
its firings to be claimed again once the lease passes, so nothing is lost; a duplicate is
possible only if it dies after Telegram accepted a message and before the clear.
A person who blocked the bot gets no more attempts: all their reminders are cleared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.chat.dates import Calendar, Clock
from bot.chat.handlers.due import render_today
from bot.chat.keyboards import numbers_keyboard, reminder_keyboard
from bot.chat.middlewares.locale import locale_for
from bot.chat.rendering import render_reminder
from bot.chat.send_limits import Pacing, SendLimiter
from bot.db.base import utcnow
from bot.db.repositories.tasks import ClaimedReminder
from bot.db.repositories.users import ClaimedDigest
from bot.services import StorageUnavailable, TaskService
from bot.services.schedule import quiet_until

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 2.0
BATCH = 100


class ReminderWorker:
    def __init__(
        self,
        service: TaskService,
        bot: Bot,
        i18n: I18n,
        *,
        limiter: Pacing | None = None,
        interval: float = DEFAULT_INTERVAL,
        clock: Clock = utcnow,
        batch: int = BATCH,
    ) -> None:
        self._service = service
        self._bot = bot
        self._i18n = i18n
        self._limiter: Pacing = limiter or SendLimiter()
        self._interval = interval
        # A round must be sent before its claims' lease passes, or another worker could
        # claim and send them again: the app sizes it to the send rate.
        self._batch = batch
        self._clock = clock
        self._stopping = asyncio.Event()
        # Chats found blocked (or gone): not tried again, and logged once.
        self._unreachable: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminders")

    async def stop(self) -> None:
        """Finish the sends in flight, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        log.info("reminders: checking every %.0f s", self._interval)
        while not self._stopping.is_set():
            try:
                sent = await self.run_once()
            except StorageUnavailable:
                sent = 0  # logged by the service; the next round tries again
            except Exception:
                log.exception("reminders: a round failed; the next one tries again")
                sent = 0
            if sent < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def run_once(self) -> int:
        """Claim what is due and send it; how many reminders and digests were claimed."""
        await self._service.schedule_digests(self._batch)
        claimed = await self._service.claim_reminders(self._batch)
        digests = await self._service.claim_digests(self._batch)
        outcomes = await asyncio.gather(
            *(self._deliver(reminder) for reminder in claimed),
            *(self._digest(digest) for digest in digests),
            return_exceptions=True,  # one failed send must not abandon the others mid-way
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                log.error("reminders: a send failed", exc_info=outcome)
        return len(claimed) + len(digests)

    async def _send(self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None) -> bool:
        """False when the message was not delivered. A person who blocked the bot (or whose
        chat is gone) loses every pending reminder, and is logged once."""
        if chat_id in self._unreachable:  # already stopped; other firings of a batch
            await self._service.stop_reminders(chat_id)
            return False
        await self._limiter.wait(chat_id)
        try:
            await self._bot.send_message(chat_id, text, reply_markup=keyboard)
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            if len(self._unreachable) > 100_000:
                self._unreachable.clear()
            self._unreachable.add(chat_id)
            log.info("reminders for %s stopped: %s", chat_id, error.message)
            await self._service.stop_reminders(chat_id)
            return False
        except Exception as error:  # network, 5xx after retries: the lease brings it back
            log.warning("message to %s not sent (%s); retried later", chat_id, type(error).__name__)
            return False
        return True

    async def _deliver(self, reminder: ClaimedReminder) -> None:
        chat_id = reminder.telegram_id
        zone = ZoneInfo(reminder.timezone)
        until = quiet_until(self._clock(), zone, *reminder.quiet)
        if until is not None:  # quiet hours: it waits until they end
            await self._service.postpone_reminder(reminder, until)
            return
        locale = locale_for(self._i18n, reminder.language)
        with self._i18n.context(), self._i18n.use_locale(locale):
            cal = Calendar(zone, self._clock().astimezone(zone).date())
            text = render_reminder(reminder.task, cal)
            keyboard = reminder_keyboard(reminder.task, owner=chat_id)
        if await self._send(chat_id, text, keyboard):
            await self._service.reminder_sent(reminder)

    async def _digest(self, digest: ClaimedDigest) -> None:
        due = await self._service.digest_tasks(digest)
        if due.tasks:  # nothing due: no message
            zone = ZoneInfo(digest.timezone)
            locale = locale_for(self._i18n, digest.language)
            with self._i18n.context(), self._i18n.use_locale(locale):
                cal = Calendar(zone, due.today)
                text = render_today(due, cal)
                keyboard = numbers_keyboard(due.tasks, owner=digest.telegram_id)
            if not await self._send(digest.telegram_id, text, keyboard):
                return
        await self._service.digest_sent(digest)
