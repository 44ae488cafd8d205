"""The daily digest, quiet hours, nagging and /settings, both languages; the worker sends
through the real bot, with "now" set through the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person
from tests.chat.test_reminders import worker
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


def sent_to(chat: ChatHarness, user_id: int) -> list[str]:
    return [
        r.params["text"]
        for r in chat.session.requests
        if r.method == "sendMessage" and int(r.params["chat_id"]) == user_id
    ]


async def test_settings_digest_and_quiet_commands(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(ALICE, "/settings"))
    assert "🕐 Time zone: <b>Europe/Moscow</b>" in reply
    assert "☀️ Daily digest: <b>09:00</b>" in reply
    assert "🌙 Quiet hours: <b>none</b>" in reply
    [reply] = texts(await chat.send(ALICE, "/digest 8:30"))
    assert "☀️ Daily digest: <b>08:30</b>" in reply
    [reply] = texts(await chat.send(ALICE, "/quiet 23:00-08:00"))
    assert "🌙 Quiet hours: <b>23:00–08:00</b>" in reply
    [reply] = texts(await chat.send(BOB, "/digest выкл"))
    assert "☀️ Ежедневная сводка: <b>выкл</b>" in reply
    [reply] = texts(await chat.send(BOB, "/quiet когда-нибудь"))
    assert reply.startswith("Какие часы тихие?")
    [reply] = texts(await chat.send(BOB, "/digest 25:00"))
    assert reply.startswith("Когда присылать ежедневную сводку?")


async def test_the_digest_comes_at_its_time_with_overdue_and_todays_tasks(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(BOB, "Оплатить счёт 30.11.2026")
    await chat.send(BOB, "Созвон сегодня в 18:00")
    await chat.send(BOB, "На потом 25.12")
    await chat.send(ALICE, "Nothing dated")
    sender = worker(service, chat, clock)
    await sender.run_once()  # schedules the digests: tomorrow 09:00 in Moscow
    clock.now = datetime(2026, 12, 3, 6, 0, 30, tzinfo=UTC)  # Thursday 09:00:30 in Moscow
    await sender.run_once()  # also the missed 18:00 reminder, late but not lost
    [digest] = [text for text in sent_to(chat, BOB.id) if text.startswith("☀️")]
    assert digest.startswith("☀️ <b>Сегодня</b>, чт 3 дек.\n\n⏰ <b>Просрочено</b>")
    assert "Оплатить счёт" in digest
    assert "Созвон" in digest  # yesterday's 18:00, now overdue
    assert "На потом" not in digest
    assert sent_to(chat, ALICE.id)[-1] == "➕ <b>#1</b> Nothing dated"  # nothing due: no digest
    clock.now += timedelta(hours=2)
    await sender.run_once()
    assert len([text for text in sent_to(chat, BOB.id) if text.startswith("☀️")]) == 1


async def test_quiet_hours_hold_a_reminder_until_they_end(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(ALICE, "/quiet 22:00-08:00")
    await chat.send(ALICE, "Late call today at 23:30")
    sender = worker(service, chat, clock)
    clock.now = datetime(2026, 12, 2, 20, 31, tzinfo=UTC)  # 23:31 in Moscow: quiet
    await sender.run_once()
    assert not any(text.startswith("⏰") for text in sent_to(chat, ALICE.id))
    task = await service.get_task(person(ALICE), 1)
    assert task.remind_at == datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    clock.now = datetime(2026, 12, 3, 5, 0, 5, tzinfo=UTC)
    await sender.run_once()
    assert sent_to(chat, ALICE.id)[-1].startswith("⏰ <b>#1</b> Late call")


async def test_nagging_repeats_until_done(
    chat: ChatHarness, service: TaskService, clock: Clock
) -> None:
    await chat.send(BOB, "Выпить таблетку сегодня в 15:00")
    await chat.press(BOB, "📂 Открыть")
    card = chat.last(BOB)
    await chat.press(BOB, "⏰ Напомнить", card)
    await chat.press(BOB, "🔁 Каждые 15 мин", card)
    assert "Напоминает каждые 15 мин, пока не готово" in card.text
    sender = worker(service, chat, clock)
    clock.now = datetime(2026, 12, 2, 12, 0, 5, tzinfo=UTC)  # 15:00:05
    await sender.run_once()
    clock.now += timedelta(minutes=15)
    await sender.run_once()
    reminders = [text for text in sent_to(chat, BOB.id) if text.startswith("⏰")]
    assert len(reminders) == 2
    await chat.press(BOB, "✅ Готово", chat.last(BOB))
    clock.now += timedelta(minutes=15)
    await sender.run_once()
    assert len([text for text in sent_to(chat, BOB.id) if text.startswith("⏰")]) == 2


async def test_settings_buttons_change_digest_and_quiet_hours(
    chat: ChatHarness, service: TaskService
) -> None:
    await chat.send(BOB, "/settings")
    settings = chat.last(BOB)
    assert settings.button_texts() == [
        "☀️ 08:00",
        "☀️ 09:00",
        "☀️ Без сводки",
        "🌙 22:00–07:00",
        "🌙 23:00–08:00",
        "🌙 Без тихих часов",
    ]
    await chat.press(BOB, "☀️ 08:00", settings)
    await chat.press(BOB, "🌙 22:00–07:00", settings)
    assert "☀️ Ежедневная сводка: <b>08:00</b>" in settings.text
    assert "🌙 Тихие часы: <b>22:00–07:00</b>" in settings.text
    user = await service.settings_of(person(BOB))
    assert (user.digest_minute, user.quiet_from, user.quiet_to) == (480, 1320, 420)
    await chat.press(BOB, "☀️ Без сводки", settings)
    assert (await service.settings_of(person(BOB))).digest_minute is None
