"""The real `python -m bot`, talked to over HTTP exactly as Telegram does.

One process per backend runs through the whole module; the last test stops it with SIGTERM
and checks that everything the bot confirmed is in the database.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.config import DatabaseSettings
from bot.db import Task, User, create_engine
from tests.e2e.conftest import RunningBot
from tests.e2e.driver import TelegramUser
from tests.e2e.fake_telegram import User as TgUser


def person(bot: RunningBot, user_id: int, language: str = "en") -> TelegramUser:
    return TelegramUser(
        bot.server,
        TgUser(
            id=user_id,
            first_name=f"User{user_id}",
            username=f"user{user_id}",
            language_code=language,
        ),
    )


async def test_start_and_command_menu(running_bot: RunningBot) -> None:
    user = person(running_bot, 2001)
    [reply] = await user.send("/start")
    assert reply.text.startswith("👋 Hi, User2001! I keep your to-do list.")
    menu = {c["command"]: c["description"] for c in running_bot.server.commands(language_code="ru")}
    assert menu["add"] == "Добавить задачу"
    assert running_bot.server.commands()[0]["command"] == "add"


async def test_add_three_ways_and_undo(running_bot: RunningBot) -> None:
    user = person(running_bot, 2002)
    [added] = await user.send("/add Buy milk\n2 litres")
    assert added.text == "➕ #1 Buy milk\n📝 2 litres"
    running_bot.confirmed[(2002, 1)] = "Buy milk"

    [question] = await user.send("/add")
    assert question.text.startswith("What is the task?")
    [added] = await user.send("Call mum")
    assert added.text == "➕ #2 Call mum"
    running_bot.confirmed[(2002, 2)] = "Call mum"

    [added] = await user.send("Water the <plants> & herbs")
    assert added.text == "➕ #3 Water the <plants> & herbs"
    assert user.buttons(added) == [["↩️ Undo", "📂 Open"]]
    [undone] = await user.press("↩️ Undo", added)
    assert undone.text == "↩️ Undone: #3 «Water the <plants> & herbs» is removed."
    assert user.last_callback is not None
    assert user.last_callback.answered


async def test_list_paging_filters_card_and_statuses(running_bot: RunningBot) -> None:
    user = person(running_bot, 2003)
    for number in range(1, 24):  # 10 per page: three pages
        await user.send(f"/add Task {number}")
        running_bot.confirmed[(2003, number)] = f"Task {number}"
    [listing] = await user.send("/list")
    assert listing.text.startswith("📋 Open tasks (23) · page 1 of 3")
    await user.press("▶️", listing)
    [listing] = await user.press("▶️", listing)
    assert "page 3 of 3" in listing.text
    assert user.buttons(listing)[0] == ["#21", "#22", "#23"]

    [card] = await user.press("#22", listing)
    assert card.message_id == listing.message_id  # edited in place
    assert "Status: ⬜ To do" in card.text
    [card] = await user.press("🔄 In progress", card)
    assert "Status: 🔄 In progress" in card.text
    assert user.last_callback is not None
    assert user.last_callback.text == "#22: In progress"
    [card] = await user.press("✅ Done", card)
    assert "Status: ✅ Done" in card.text
    assert "Done: " in card.text
    assert await user.press("• ✅ Done •", card) == []  # a second press: nothing to edit
    assert user.last_callback is not None
    assert user.last_callback.answered
    [listing] = await user.press("⬅️ Back to the list", card)
    assert "page 3 of 3" in listing.text
    assert "#22" not in listing.text

    [listing] = await user.press("☑️ Done (1)", listing)
    assert listing.text.startswith("✅ Done tasks (1)")
    [listing] = await user.press("🗂 All (23)", listing)
    assert listing.text.startswith("🗂 All tasks (23)")


async def test_edit_and_delete(running_bot: RunningBot) -> None:
    user = person(running_bot, 2004)
    [added] = await user.send("/add Old title")
    [card] = await user.press("📂 Open", added)
    [prompt] = await user.press("✏️ Edit", card)
    assert prompt.text.startswith("Send the new text for #1.")
    saved = (await user.send("New title\nwith a description"))[-1]  # the card is refreshed too
    assert saved.text.startswith("✏️ Saved.\n\n#1 · New title\n\nwith a description")
    running_bot.confirmed[(2004, 1)] = "New title"

    [added] = await user.send("/add Doomed")
    [card] = await user.press("📂 Open", added)
    [question] = await user.press("🗑 Delete", card)
    assert question.text == "Delete #2 «Doomed» for good?"
    [listing] = await user.press("🗑 Yes, delete", question)
    assert listing.text.startswith("📋 Open tasks (1)")
    assert user.last_callback is not None
    assert user.last_callback.text == "Deleted #2."


async def test_done_with_numbers_and_picker_in_russian(running_bot: RunningBot) -> None:
    user = person(running_bot, 2005, "ru")
    for number in range(1, 5):
        await user.send(f"/add Дело {number}")
        running_bot.confirmed[(2005, number)] = f"Дело {number}"
    [report] = await user.send("/done 1 3 #9 x")
    assert report.text.splitlines() == [
        "✅ #1 Дело 1: готово",
        "✅ #3 Дело 3: готово",
        "❓ #9: не найдена",
        "⚠️ x: это не номер задачи",
        "",
        "Отмечены готовыми 2 задачи.",
    ]
    [picker] = await user.send("/done")
    assert picker.text == "Нажмите на задачи, которые вы закончили:"
    [picker] = await user.press("⬜ #2 Дело 2", picker)
    assert user.last_callback is not None
    assert user.last_callback.text == "✅ #2 готова."
    assert user.buttons(picker) == [["⬜ #4 Дело 4"]]


async def test_due_dates_time_zone_and_today_in_both_languages(running_bot: RunningBot) -> None:
    user = person(running_bot, 2006)
    [set_zone] = await user.send("/tz Berlin")
    assert set_zone.text == "🕐 Done: I now read and show times in Europe/Berlin."
    [added] = await user.send("Call mom tomorrow at 9")
    title, due = added.text.split("\n")
    assert title == "➕ #1 Call mom"
    assert due.startswith("📅 ")
    assert due.endswith(", 09:00 · tomorrow")
    running_bot.confirmed[(2006, 1)] = "Call mom"
    [added] = await user.send("Dentist today at 23:59")
    assert "· today" in added.text
    running_bot.confirmed[(2006, 2)] = "Dentist"
    [today] = await user.send("/today")
    assert "#2 Dentist" in today.text
    assert "Call mom" not in today.text
    [upcoming] = await user.send("/upcoming")
    assert "23:59 #2 Dentist" in upcoming.text
    assert "09:00 #1 Call mom" in upcoming.text

    ivan = person(running_bot, 2007, "ru")
    [added] = await ivan.send("Позвонить маме послезавтра в 10 утра")
    assert added.text.startswith("➕ #1 Позвонить маме\n📅 ")
    assert ", 10:00\n🕐 Время я читаю в поясе UTC." in added.text
    running_bot.confirmed[(2007, 1)] = "Позвонить маме"
    [refusal] = await ivan.send("Оплатить 31.02")
    assert refusal.text.startswith("Такой даты не бывает")


async def test_a_reminder_written_ahead_arrives_once_on_time(running_bot: RunningBot) -> None:
    user = person(running_bot, 2008, "ru")
    await user.send("/tz Москва")
    [added] = await user.send("Полить цветы")
    assert added.text == "➕ #1 Полить цветы"
    running_bot.confirmed[(2008, 1)] = "Полить цветы"
    # Another process (or replica) writes the reminder, three seconds ahead.
    engine = create_engine(DatabaseSettings(database_url=running_bot.database_url))
    due = datetime.now(UTC) + timedelta(seconds=3)
    try:
        async with engine.begin() as connection:
            owner = select(User.username).where(User.telegram_id == 2008).scalar_subquery()
            await connection.execute(
                update(Task).where(Task.username == owner, Task.number == 1).values(remind_at=due)
            )
    finally:
        await engine.dispose()
    server = running_bot.server

    def reminders() -> list[str]:
        return [m.text for m in server.messages(2008) if m.from_bot and m.text.startswith("⏰")]

    async with asyncio.timeout(15):
        while not reminders():
            await asyncio.sleep(0.2)
    arrived = datetime.now(UTC)
    assert arrived - due < timedelta(seconds=10)
    assert reminders() == ["⏰ #1 Полить цветы"]
    reminder = user.last_message()
    assert user.buttons(reminder) == [
        ["✅ Готово"],
        ["⏰ 15 мин", "⏰ 1 час", "🌅 Завтра утром"],
        ["📂 Открыть"],
    ]
    [snoozed] = await user.press("⏰ 15 мин", reminder)
    assert snoozed.text.startswith("⏰ #1 Полить цветы: напомню ")
    await asyncio.sleep(4)  # two more rounds of the worker: nothing is sent twice
    assert len(reminders()) == 1


async def test_priorities_and_tags_in_both_languages(running_bot: RunningBot) -> None:
    user = person(running_bot, 2009)
    [added] = await user.send("Call the bank !1 #work")
    assert added.text == "➕ #1 🔴 Call the bank #work"
    await user.send("Water plants #home")
    await user.send("Fix the shelf !3 #Home")
    for number, title in ((1, "Call the bank"), (2, "Water plants"), (3, "Fix the shelf")):
        running_bot.confirmed[(2009, number)] = title
    [listing] = await user.send("/list")
    # High first, low next, none last; tags after the titles.
    assert listing.text.splitlines()[2:5] == [
        "⬜ #1 🔴 Call the bank #work",
        "⬜ #3 🔵 Fix the shelf #home",
        "⬜ #2 Water plants #home",
    ]
    [tags] = await user.press("🏷 Tags", listing)
    assert "#home — open: 2, done: 0" in tags.text
    [listing] = await user.press("#home (2)", tags)
    assert listing.text.startswith("🏷 #home · 📋 Open tasks (2)")
    assert user.buttons(listing)[0] == ["#3", "#2"]

    russian = person(running_bot, 2010, "ru")
    [added] = await russian.send("Отчёт !важно #Работа")
    assert added.text == "➕ #1 🔴 Отчёт #работа"
    running_bot.confirmed[(2010, 1)] = "Отчёт"
    [card] = await russian.press("📂 Открыть", added)
    assert "Важность: 🔴 высокий" in card.text
    assert "Теги: #работа" in card.text
    [prompt] = await russian.press("🏷 Теги", card)
    assert prompt.text.startswith("🏷 Пришлите теги для #1 «Отчёт»")
    replies = await russian.send("#работа #срочно")
    assert "Теги: #работа #срочно" in replies[-1].text
    [tags] = await russian.send("/tags")
    assert tags.text.startswith("🏷 Ваши теги (2)")
    [listing] = await russian.send("/list #срочно")
    assert listing.text.startswith("🏷 #срочно · 📋 Открытые задачи (1)")


async def test_an_exported_file_imports_into_another_persons_list(
    running_bot: RunningBot,
) -> None:
    ann = person(running_bot, 2011)
    await ann.send("/add Call mom tomorrow at 9 !1\nabout the weekend")
    await ann.send("/add Pay rent 25.12")
    running_bot.confirmed.update({(2011, 1): "Call mom", (2011, 2): "Pay rent"})
    sent = await ann.send("/export")
    assert [m.document["file_name"] for m in sent if m.document] == [
        "tasks.json",
        "tasks.csv",
        "tasks.ics",
    ]
    [exported] = [m for m in sent if m.document and m.document["file_name"] == "tasks.json"]
    assert exported.document is not None
    content = running_bot.server.file_content(exported.document["file_id"])

    ben = person(running_bot, 2012, "ru")
    await ben.send("/add Уже есть")
    [preview] = await ben.send_document(content, "tasks.json", mime_type="application/json")
    assert preview.text.startswith(
        "📥 tasks.json: файл JSON из /export\nДобавлю 2 задачи, с номера #2:"
    )
    [result] = await ben.press("📥 Импортировать 2 задачи", preview)
    assert result.message_id == preview.message_id  # the preview becomes the result
    assert result.text == "✅ Добавлено 2 задачи: #2–#3."
    assert ben.buttons(result) == [["📋 Мои задачи"]]
    running_bot.confirmed.update(
        {(2012, 1): "Уже есть", (2012, 2): "Call mom", (2012, 3): "Pay rent"}
    )
    [card] = await ben.send("/list")
    assert "🔴 Call mom" in card.text
    [refusal] = await ben.send_document("Молоко".encode("cp1251"), "tasks.csv")
    assert refusal.text.startswith("Не могу прочитать этот файл: это не текст в UTF-8.")
    downloads = [r.params["file_path"] for r in running_bot.server.calls("GET /file")]
    assert len(downloads) == 3  # the preview, the Import tap, the refused file


async def test_find_pages_opens_a_card_and_asks_when_alone(running_bot: RunningBot) -> None:
    user = person(running_bot, 2020)
    lines = [f"Buy milk {number}" for number in range(1, 12)]
    await user.send("/add\n" + "\n".join(lines))  # a task per line
    [added] = await user.send("/add Купить молоко\nи ёлку")
    assert added.text.startswith("➕ #12 Купить молоко")
    for number, title in enumerate([*lines, "Купить молоко"], start=1):
        running_bot.confirmed[(2020, number)] = title

    [results] = await user.send("/find milk")
    assert results.text.startswith("🔎 11 tasks found for «milk» · page 1 of 2\n\n⬜ #11 Buy milk")
    [results] = await user.press("▶️", results)
    assert results.text.startswith("🔎 11 tasks found for «milk» · page 2 of 2\n\n⬜ #1 Buy milk 1")
    [card] = await user.press("#1", results)
    assert card.message_id == results.message_id
    assert card.text.startswith("#1 · Buy milk 1")

    [question] = await user.send("/find")
    assert question.text.startswith("What should I look for?")
    [found] = await user.send("молока елки")  # other forms, е for ё, in the description too
    assert found.text.startswith("🔎 1 task found for «молока елки»\n\n⬜ #12 Купить молоко")
    assert user.buttons(found) == [["#12"]]


async def test_sigterm_stops_cleanly_and_keeps_everything(running_bot: RunningBot) -> None:
    code = await running_bot.process.stop(signal.SIGTERM)
    log = running_bot.process.log()
    assert code == 0, log
    assert running_bot.server.token.split(":")[1] not in log
    assert "todo-bot 0.1.0 starting" in log
    engine = create_engine(DatabaseSettings(database_url=running_bot.database_url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(User.telegram_id, Task.number, Task.title).join(
                    Task, Task.username == User.username
                )
            )
            stored = {(telegram_id, number): title for telegram_id, number, title in rows}
    finally:
        await engine.dispose()
    assert stored == running_bot.confirmed
