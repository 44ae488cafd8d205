"""Due dates in the chat, both languages: what an add shows, /tz, /today, /upcoming, the
card's due picker, and refusals. "Now" is Wednesday 2 December 2026, 14:30 in Moscow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.types import Location, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person
from tests.conftest import make_chat
from tests.service.test_task_service import snapshot

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession]) -> TaskService:
    return TaskService(session_maker, page_size=5, clock=clock)


@pytest.fixture
def chat(service: TaskService) -> ChatHarness:
    return make_chat(service, clock=clock)


async def test_an_add_shows_the_understood_date_and_the_assumed_zone(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(ALICE, "Call mom tomorrow at 9"))
    assert reply == (
        "➕ <b>#1</b> Call mom\n📅 Thu 3 Dec, 09:00 · tomorrow\n"
        "🕐 I read times in UTC. To use yours: /tz Moscow, /tz +3 or share a location."
    )
    await chat.send(BOB, "/tz Москва")
    [reply] = texts(await chat.send(BOB, "Позвонить маме завтра в 9"))
    assert reply == "➕ <b>#1</b> Позвонить маме\n📅 чт 3 дек., 09:00 · завтра"
    [reply] = texts(await chat.send(BOB, "Купить 2 литра молока"))
    assert reply == "➕ <b>#2</b> Купить 2 литра молока"  # no date in it


async def test_time_zones(chat: ChatHarness, service: TaskService) -> None:
    [reply] = texts(await chat.send(ALICE, "/tz"))
    assert reply.startswith("🕐 Your time zone: <b>UTC</b>.")
    [reply] = texts(await chat.send(ALICE, "/tz +3"))
    assert reply == "🕐 Done: I now read and show times in <b>Etc/GMT-3</b>."
    [reply] = texts(await chat.send(BOB, "/tz Марс"))
    assert reply.startswith("Не знаю часовой пояс «Марс».")
    assert (await service.zone_of(person(BOB))).name == "UTC"  # nothing changed
    location = chat.user_message(BOB, None).model_copy(
        update={"location": Location(latitude=55.75, longitude=37.62)}
    )
    [reply] = texts(await chat.feed(Update(update_id=7001, message=location)))
    assert reply == "🕐 Готово: теперь я читаю и показываю время в поясе <b>Europe/Moscow</b>."


async def test_today_and_upcoming(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/tz Moscow")
    await chat.send(ALICE, "Pay bills 30.11.2026")
    await chat.send(ALICE, "Dentist today at 18:00")
    await chat.send(ALICE, "Report on friday")
    [today] = texts(await chat.send(ALICE, "/today"))
    assert today.startswith(
        "☀️ <b>Today</b>, Wed 2 Dec\n\n⏰ <b>Overdue</b>\n⬜ <b>#1</b> Pay bills"
    )
    assert "⬜ <b>#2</b> Dentist · 📅 Wed 2 Dec, 18:00 · today" in today
    assert "Report" not in today
    assert chat.last(ALICE).button_texts() == ["#1", "#2"]
    [upcoming] = texts(await chat.send(ALICE, "/upcoming"))
    assert upcoming == (
        "🗓 <b>The next 7 days</b>\n\n<b>Wed 2 Dec</b>\n18:00 <b>#2</b> Dentist\n\n"
        "<b>Fri 4 Dec</b>\n<b>#3</b> Report"
    )
    [empty] = texts(await chat.send(BOB, "/today"))
    assert empty == "☀️ На сегодня ничего. /upcoming покажет следующие дни."


async def test_the_cards_due_picker(chat: ChatHarness, service: TaskService) -> None:
    await chat.send(BOB, "/tz Moscow")
    await chat.send(BOB, "Отчёт")
    await chat.press(BOB, "📂 Открыть")
    card = chat.last(BOB)
    await chat.press(BOB, "📅 Срок", card)
    assert card.text.startswith("Когда срок у #1 «Отчёт»? Сейчас: без срока.")
    assert card.button_texts() == [
        "Сегодня",
        "Завтра",
        "На след. неделе",
        "🔁 Каждый день",
        "🔁 По будням",
        "🔁 Каждую неделю",
        "🔁 Каждый месяц",
        "⬅️ Назад",
    ]
    answer = chat.callback_answer(await chat.press(BOB, "Завтра", card))
    assert answer["text"] == "📅 чт 3 дек."
    assert "Срок: 📅 чт 3 дек. · завтра" in card.text

    await chat.press(BOB, "📅 Срок", card)
    [saved] = texts(await chat.send(BOB, "в пятницу в 18:00"))[-1:]
    assert saved.startswith("📅 Сохранено.")
    assert "Срок: 📅 пт 4 дек., 18:00" in card.text  # the card it began on is up to date
    task = await service.get_task(person(BOB), 1)
    assert task.remind_at == task.due_at

    await chat.press(BOB, "📅 Срок", chat.last(BOB))
    [refusal] = texts(await chat.send(BOB, "когда-нибудь"))
    assert refusal.startswith("Не понял дату в «когда-нибудь».")
    await chat.press(BOB, "🚫 Без срока", chat.last_with_buttons(BOB))
    assert (await service.get_task(person(BOB), 1)).due_at is None


async def test_a_date_that_does_not_exist_is_refused(
    chat: ChatHarness, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    before = await snapshot(session_maker)
    [reply] = texts(await chat.send(ALICE, "/add Pay rent 31.02"))
    assert reply.startswith("That date does not exist, so I did not guess one.")
    [reply] = texts(await chat.send(BOB, "/add Заплатить 30 февраля"))
    assert reply.startswith("Такой даты не бывает")
    tasks = (await snapshot(session_maker))[1]
    assert tasks == before[1]


async def test_the_list_shows_due_dates(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/tz Moscow")
    await chat.send(ALICE, "Someday")
    await chat.send(ALICE, "Call tomorrow at 9")
    [listing] = texts(await chat.send(ALICE, "/list"))
    assert "⬜ <b>#2</b> Call · 📅 Thu 3 Dec, 09:00 · tomorrow\n⬜ <b>#1</b> Someday" in listing


async def test_repeat_presets_on_the_card(chat: ChatHarness, service: TaskService) -> None:
    await chat.send(ALICE, "/tz Moscow")
    await chat.send(ALICE, "Review on friday 10:00")
    await chat.press(ALICE, "📂 Open")
    card = chat.last(ALICE)
    await chat.press(ALICE, "📅 Due", card)
    answer = chat.callback_answer(await chat.press(ALICE, "🔁 Weekly", card))
    assert answer["text"] == "📅 Fri 4 Dec, 10:00 · 🔁 every Friday"
    task = await service.get_task(person(ALICE), 1)
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=FR"
    await chat.press(ALICE, "📅 Due", card)
    await chat.press(ALICE, "🚫 No repeat", card)
    assert (await service.get_task(person(ALICE), 1)).recurrence is None
    # With no due date, a repeat starts today.
    await chat.send(BOB, "Зарядка")
    await chat.press(BOB, "📂 Открыть")
    await chat.press(BOB, "📅 Срок")
    await chat.press(BOB, "🔁 По будням")
    task = await service.get_task(person(BOB), 1)
    assert (task.recurrence, task.due_has_time) == ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", False)
    assert "Срок: 📅 ср 2 дек. · сегодня · 🔁 по будням" in chat.last(BOB).text
