"""Delivered reminders and their buttons, /remind, both languages: the worker sends through
the real bot (a recording Bot API session); "now" is set through the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat.i18n import create_i18n
from bot.reminders import ReminderWorker, SendLimiter
from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person
from tests.conftest import make_chat
from tests.service.test_due_dates import Clock

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wednesday, 14:30 in Moscow


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession], clock: Clock) -> TaskService:
    return TaskService(session_maker, default_timezone="Europe/Moscow", clock=clock)


@pytest.fixture
def chat(service: TaskService, clock: Clock) -> ChatHarness:
    return make_chat(service, clock=clock)


def worker(service: TaskService, chat: ChatHarness, clock: Clock) -> ReminderWorker:
    limiter = SendLimiter(per_second=1000, per_chat_interval=0)
    return ReminderWorker(service, chat.bot, create_i18n(), limiter=limiter, clock=clock)


async def test_a_reminder_arrives_once_with_its_buttons(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(BOB, "Позвонить маме сегодня в 15:00")
    await chat.send(ALICE, "Call the bank at 15:00")
    sender = worker(service, chat, clock)
    assert await sender.run_once() == 0
    clock.now = NOW + timedelta(minutes=30, seconds=5)
    assert await sender.run_once() == 2
    reminder = chat.last(BOB)
    assert reminder.text == "⏰ <b>#1</b> Позвонить маме\n📅 ср 2 дек., 15:00 · сегодня"
    assert reminder.button_texts() == [
        "✅ Готово",
        "⏰ 15 мин",
        "⏰ 1 час",
        "🌅 Завтра утром",
        "📂 Открыть",
    ]
    assert chat.last(ALICE).text.startswith("⏰ <b>#1</b> Call the bank")
    clock.now += timedelta(minutes=10)
    assert await sender.run_once() == 0  # sent once


async def test_snooze_and_done_from_a_reminder(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(ALICE, "Stretch every day at 15:00")
    sender = worker(service, chat, clock)
    clock.now = NOW + timedelta(minutes=31)
    await sender.run_once()
    reminder = chat.last(ALICE)
    answer = chat.callback_answer(await chat.press(ALICE, "⏰ 15 min", reminder))
    assert answer["text"] == "Snoozed until Wed 2 Dec, 15:16"
    assert reminder.text == "⏰ #1 Stretch: I'll remind you Wed 2 Dec, 15:16."
    clock.now += timedelta(minutes=16)
    assert await sender.run_once() == 1  # the snoozed firing
    reminder = chat.last(ALICE)
    await chat.press(ALICE, "✅ Done", reminder)
    assert reminder.text.startswith("🔁 #1 Stretch: done; next 📅 Thu 3 Dec, 15:00")
    task = await service.get_task(person(ALICE), 1)
    assert task.remind_at == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def test_tomorrow_morning_is_nine_in_the_persons_zone(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(BOB, "Отчёт сегодня в 15:00")
    clock.now = NOW + timedelta(hours=1)
    await worker(service, chat, clock).run_once()
    await chat.press(BOB, "🌅 Завтра утром", chat.last(BOB))
    assert chat.last(BOB).text == "⏰ #1 Отчёт: напомню чт 3 дек., 09:00."
    task = await service.get_task(person(BOB), 1)
    assert task.remind_at == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


async def test_a_person_who_blocked_the_bot_gets_no_more_attempts(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(ALICE, "One at 15:00")
    await chat.send(ALICE, "Two at 15:00")
    clock.now = NOW + timedelta(hours=1)
    chat.session.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    sender = worker(service, chat, clock)
    await sender.run_once()
    clock.now += timedelta(minutes=5)
    assert await sender.run_once() == 0
    assert (await service.get_task(person(ALICE), 2)).remind_at is None
    assert (await service.settings_of(person(ALICE))).digest_minute is None  # no digest either


async def test_remind_command(chat: ChatHarness, service: TaskService) -> None:
    await chat.send(ALICE, "Water the plants")
    [reply] = texts(await chat.send(ALICE, "/remind 1 in 2 hours"))
    assert reply == "⏰ #1 Water the plants: I'll remind you Wed 2 Dec, 16:30."
    [reply] = texts(await chat.send(BOB, "/remind 7 завтра"))
    assert reply == "Задачи #7 нет. Отправьте /list, чтобы увидеть свои задачи."
    [reply] = texts(await chat.send(BOB, "/remind"))
    assert reply.startswith("Какую задачу и когда?")
    [reply] = texts(await chat.send(ALICE, "/remind 1 off"))
    assert reply == "🔕 #1: no reminder."
    assert (await service.get_task(person(ALICE), 1)).remind_at is None


async def test_the_cards_reminder_picker(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(BOB, "Созвон завтра в 10")
    await chat.press(BOB, "📂 Открыть")
    card = chat.last(BOB)
    assert "Напоминание: ⏰ чт 3 дек., 10:00" in card.text  # at the due time, by default
    await chat.press(BOB, "⏰ Напомнить", card)
    assert card.text.startswith("Когда напомнить о #1 «Созвон»? Сейчас: чт 3 дек., 10:00.")
    assert card.button_texts() == [
        "В срок",
        "За 10 минут",
        "За час",
        "За день",
        "🔕 Без напоминания",
        "🔁 Каждые 15 мин",
        "🔁 Каждый час",
        "⬅️ Назад",
    ]
    await chat.press(BOB, "За час", card)
    assert "Напоминание: ⏰ чт 3 дек., 09:00" in card.text
    await chat.press(BOB, "⏰ Напомнить", card)
    [saved] = texts(await chat.send(BOB, "через 2 часа"))[-1:]
    assert saved.startswith("⏰ Напоминание: ср 2 дек., 16:30")
    assert "Напоминание: ⏰ ср 2 дек., 16:30" in card.text  # the card it began on, updated
    await chat.press(BOB, "⏰ Напомнить", chat.last(BOB))
    await chat.press(BOB, "🔕 Без напоминания", chat.last_with_buttons(BOB))
    assert (await service.get_task(person(BOB), 1)).remind_at is None


async def test_a_429_is_waited_out_and_the_reminder_sent_once(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(ALICE, "Ping at 15:00")
    clock.now = NOW + timedelta(hours=1)
    chat.session.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    sender = worker(service, chat, clock)
    await sender.run_once()
    reminders = [
        r for r in chat.session.requests if r.method == "sendMessage" and "⏰" in r.params["text"]
    ]
    assert len(reminders) == 2  # the refused try, and the one after retry_after
    assert chat.last(ALICE).text.startswith("⏰ <b>#1</b> Ping")
    clock.now += timedelta(minutes=5)
    assert await sender.run_once() == 0


async def test_remind_and_settings_in_a_group_answer_privately(chat: ChatHarness) -> None:
    group = -100_4242
    await chat.send(ALICE, "Secret errand")
    await chat.send(ALICE, "/remind 1 in 2 hours", chat_id=group, chat_type="group")
    await chat.send(ALICE, "/settings", chat_id=group, chat_type="group")
    assert [m.text for m in chat.messages(group)] == ["📬 I sent it to you in a private chat."] * 2
    private = [m.text for m in chat.messages(ALICE.id)]
    assert "⏰ #1 Secret errand: I'll remind you Wed 2 Dec, 16:30." in private
    assert private[-1].startswith("⚙️ <b>Settings</b>")
