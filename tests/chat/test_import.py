"""Importing a file through the real dispatcher: a preview, Import or Cancel, taps that come
twice or late, a round trip of /export's JSON into another person's list, and a clear answer
for every file refused (nothing changes then)."""

from __future__ import annotations

import asyncio
import codecs
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.schemas import TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person
from tests.chat.test_export import files
from tests.conftest import make_chat
from tests.service.test_task_service import snapshot

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wednesday, 14:30 in Moscow
CSV_HEADER = "number,title,description,status,due,repeat,priority,created,done\n"
# Built once for the module: 100 000 rows, refused whole.
HUGE_CSV = (CSV_HEADER + "1,x,,pending,,,,,\n" * 100_000).encode()


def clock() -> datetime:
    return NOW


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession]) -> TaskService:
    return TaskService(session_maker, default_timezone="Europe/Moscow", clock=clock)


@pytest.fixture
def chat(service: TaskService) -> ChatHarness:
    return make_chat(service, clock=clock)


async def test_exported_json_imports_into_another_person_as_the_same_tasks(
    chat: ChatHarness, service: TaskService
) -> None:
    alice, bob = person(ALICE), person(BOB)
    await chat.send(ALICE, "/add Call <mom> tomorrow at 9 !1 #family\nabout the weekend")
    await chat.send(ALICE, "/add Gym every monday at 8 !3 #health #Sport")
    await chat.send(ALICE, "/add Pay rent 25.12")
    await chat.send(ALICE, "/add Water plants in 2 hours")
    await chat.send(ALICE, "/add Old bill yesterday")
    await chat.send(ALICE, "/add Bread")
    await service.remind_at(alice, 2, NOW + timedelta(days=3))
    await service.remind_at(alice, 4, NOW - timedelta(minutes=5))  # a reminder long gone
    await service.set_nag(alice, 1, 15)
    await service.set_status(alice, 5, TaskStatus.IN_PROGRESS)
    await service.set_status(alice, 6, TaskStatus.DONE)
    await chat.send(ALICE, "/export")
    exported = files(chat)["tasks.json"]

    await chat.send(BOB, "/add Уже есть")  # Bob's numbers go on from #1
    [preview] = texts(await chat.send_document(BOB, exported, "tasks.json"))
    assert preview.startswith(
        "📥 <b>tasks.json</b>: файл JSON из /export\n"
        "Добавлю 6 задач, с номера #2:\n"
        "⬜ <b>#2</b> 🔴 Call &lt;mom&gt; <i>#family</i> · 📅 чт 3 дек., 09:00 · завтра\n"
    )
    assert "…и ещё 1" in preview
    assert chat.last(BOB).button_texts() == ["📥 Импортировать 6 задач", "✖️ Отмена"]
    assert (await service.list_tasks(bob)).open_count == 1  # nothing added before the tap

    preview_message = chat.last(BOB)
    import_data = preview_message.buttons[0][0]["callback_data"]
    [result] = texts(await chat.press(BOB, "Импортировать"))
    assert result == "✅ Добавлено 6 задач: #2–#7."
    assert chat.last(BOB).button_texts() == ["📋 Мои задачи"]

    theirs = (await service.export(alice)).tasks
    mine = (await service.export(bob)).tasks[1:]
    assert [task.number for task in mine] == [2, 3, 4, 5, 6, 7]
    for original, imported in zip(theirs, mine, strict=True):
        fields = {"number", "created_at", "updated_at", "remind_at"}
        assert imported.model_dump(exclude=fields) == original.model_dump(exclude=fields)
    # Reminders still ahead come along; one whose moment has passed does not.
    assert [task.remind_at for task in mine] == [
        theirs[0].remind_at,
        NOW + timedelta(days=3),
        None,
        None,
        None,
        None,
    ]
    assert mine[0].remind_at is not None
    # Tags come along, linked: Bob's /tags counts them.
    assert [tag.name for tag in await service.tags(bob)] == ["family", "health", "sport"]

    # The tap again, and the same file again: nothing is added twice.
    requests = await chat.press_data(BOB, import_data, preview_message)
    assert chat.callback_answer(requests)["text"] == "Уже импортирован."
    assert len((await service.export(bob)).tasks) == 7
    [again] = texts(await chat.send_document(BOB, exported, "tasks.json"))
    assert "Добавлять нечего." in again
    assert "♻️ Пропущены как повторы: 6 уже в вашем списке." in again
    assert len((await service.export(bob)).tasks) == 7


async def test_the_preview_counts_what_it_skips_and_cancel_adds_nothing(
    chat: ChatHarness, service: TaskService, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.send(ALICE, "/add Buy milk")
    rows = [
        "1,buy  MILK,,pending,,,,,",
        "2,<b>Bold</b> & co,,pending,,,,,",
        *(f"{n},Task {n},,pending,,,,," for n in range(3, 9)),
        "9,Task 3,,pending,,,,,",
        "10,,only a description,pending,,,,,",
        "11,Odd,,pending,someday,,,,",
    ]
    content = codecs.BOM_UTF8 + (CSV_HEADER + "\n".join(rows) + "\n").encode()
    before = await snapshot(session_maker)
    [preview] = texts(await chat.send_document(ALICE, content, "My <list>.csv"))
    assert preview == (
        "📥 <b>My &lt;list&gt;.csv</b>: a CSV file from /export\n"
        "I will add 7 tasks, numbered from #2:\n"
        "⬜ <b>#2</b> &lt;b&gt;Bold&lt;/b&gt; &amp; co\n"
        "⬜ <b>#3</b> Task 3\n"
        "⬜ <b>#4</b> Task 4\n"
        "⬜ <b>#5</b> Task 5\n"
        "⬜ <b>#6</b> Task 6\n"
        "…and 2 more\n"
        "\n"
        "♻️ Skipped as duplicates: 1 already in your list, 1 repeated in the file.\n"
        "⚠️ 2 entries skipped (where they are in the file):\n"
        "• no title: 11\n"
        "• a date I can't read: 12\n"
        "\n"
        "Import them? Nothing is added until you tap Import."
    )
    [cancelled] = texts(await chat.press(ALICE, "Cancel"))
    assert cancelled == "Import cancelled: nothing was added."
    assert await snapshot(session_maker) == before
    # The same preview's Import, tapped late (a copy in the chat's history): nothing happens.
    stale = await chat.press_data(ALICE, "i:y:2:1001", chat.messages(ALICE.id)[-1])
    assert texts(stale) == [
        "This file is no longer waiting (it was a while ago, or another came after it). "
        "Nothing was added; send it again to import it."
    ]
    assert await snapshot(session_maker) == before


async def test_a_calendar_file_says_what_it_leaves_out(chat: ChatHarness) -> None:
    calendar = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Concert\r\nEND:VEVENT\r\n"
        b"BEGIN:VTODO\r\nUID:2\r\nSUMMARY:Pack\r\nDUE;VALUE=DATE:20261205\r\nEND:VTODO\r\n"
        b"END:VCALENDAR\r\n"
    )
    [preview] = texts(await chat.send_document(ALICE, calendar, None))
    assert preview.startswith("📥 <b>…</b>: a calendar file (ICS)\nI will add 1 task, numbered #1:")
    assert "ℹ️ 1 event, section or note left out: not a task." in preview
    [result] = texts(await chat.press(ALICE, "Import"))
    assert result == "✅ Added 1 task: #1.\nℹ️ 1 event, section or note left out: not a task."


async def test_refused_files_get_a_clear_answer_and_change_nothing(
    chat: ChatHarness, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.send(ALICE, "/add Buy milk")
    before = await snapshot(session_maker)
    cases = [
        (CSV_HEADER.encode() + "1,Молоко,,pending,,,,,\n".encode("cp1251"), "not UTF-8 text"),
        (b"", "The file is empty. Nothing was imported."),
        (b"%PDF-1.7\n", "I don't know this kind of file."),
        (b'{"format": "todo-bot", "version": 1, "tasks": [}', "This JSON file is damaged"),
        (HUGE_CSV, "The file has 100000 tasks; I import at most 10000 at once."),
    ]
    for content, answer in cases:
        [text] = texts(await chat.send_document(ALICE, content, "tasks.csv"))
        assert answer in text
        assert text.endswith("Nothing was imported.")
    assert chat.session.downloads == [f"documents/file_{n}" for n in range(1, 6)]

    # Over the size limit: refused from what the Document says, before any download.
    requests = await chat.send_document(BOB, b"{}", "big.json", file_size=11 * 1024 * 1024)
    assert texts(requests) == [
        "Этот файл весит 11 МБ, а я читаю файлы до 10 МБ. Ничего не импортировано."
    ]
    assert "getFile" not in [request.method for request in requests]
    assert len(chat.session.downloads) == 5
    assert await snapshot(session_maker) == before


async def test_more_new_tasks_than_room_under_the_cap_are_refused(
    session_maker: async_sessionmaker[AsyncSession],
) -> None:
    service = TaskService(session_maker, max_tasks=3, clock=clock)
    chat = make_chat(service, clock=clock)
    await chat.send(ALICE, "/add Buy milk")
    content = (CSV_HEADER + "".join(f"{n},Task {n},,,,,,,\n" for n in range(3))).encode()
    [text] = texts(await chat.send_document(ALICE, content, "tasks.csv"))
    refusal = (
        "That would add 3 tasks, but you keep 1 of the 3 I keep for one person: there is room "
        "for 2 more. Delete some, or import a smaller file. Nothing was imported."
    )
    assert text == refusal
    # Room when previewed, none left by the time of the tap: the tap is refused, the file
    # still waits (delete something, and tap again).
    await chat.send_document(ALICE, content.replace(b"2,Task 2,,,,,,,\n", b""), "tasks.csv")
    preview = chat.last(ALICE)
    await chat.send(ALICE, "/add Bread")
    requests = await chat.press(ALICE, "Import", preview)
    answer = chat.callback_answer(requests)
    assert answer["text"] == refusal.replace("add 3", "add 2").replace("keep 1", "keep 2").replace(
        "room for 2", "room for 1"
    )
    assert answer["show_alert"]
    await service.delete_task(person(ALICE), 2)
    [result] = texts(await chat.press(ALICE, "Import", preview))
    assert result == "✅ Added 2 tasks: #3–#4."


async def test_groups_and_other_people(chat: ChatHarness, service: TaskService) -> None:
    content = (CSV_HEADER + "1,Secret plan,,,,,,,\n").encode()
    # A file in a group is not read: the preview would show the person's tasks there.
    assert (
        await chat.send_document(ALICE, content, "tasks.csv", chat_id=-100_5, chat_type="group")
        == []
    )
    [privately, note] = texts(await chat.send(ALICE, "/import", chat_id=-100_5, chat_type="group"))
    assert privately.startswith("📥 Send me a file and I'll add its tasks")
    assert "Up to 10 MB and 10000 tasks." in privately
    assert chat.last(ALICE).text == privately
    assert [m.text for m in chat.messages(-100_5)] == [note]
    assert note == "📬 I sent it to you in a private chat."

    await chat.send_document(ALICE, content, "tasks.csv", caption="/import")  # still a file
    preview = chat.last(ALICE)
    assert preview.button_texts() == ["📥 Import 1 task", "✖️ Cancel"]
    # Bob presses Alice's Import (a forwarded copy, say): declined, nothing is added.
    requests = await chat.press_data(BOB, preview.buttons[0][0]["callback_data"], preview)
    assert chat.callback_answer(requests)["text"].startswith("Это чужая кнопка")
    assert (await service.list_tasks(person(ALICE))).total == 0
    assert (await service.list_tasks(person(BOB))).total == 0
    # A newer file replaces the one waiting: the older preview's Import no longer works.
    await chat.send_document(ALICE, content.replace(b"Secret", b"Open"), "tasks2.csv")
    stale = await chat.press_data(ALICE, preview.buttons[0][0]["callback_data"], preview)
    assert texts(stale)[0].startswith("This file is no longer waiting")
    [result] = texts(await chat.press(ALICE, "Import"))
    assert result == "✅ Added 1 task: #1."
    assert [task.title for task in (await service.export(person(ALICE))).tasks] == ["Open plan"]


async def test_a_file_waits_no_longer_than_a_dialogue(service: TaskService) -> None:
    chat = make_chat(service, clock=clock, dialogue_timeout=0.05)
    await chat.send_document(ALICE, (CSV_HEADER + "1,Later,,,,,,,\n").encode(), "tasks.csv")
    await asyncio.sleep(0.1)
    [late] = texts(await chat.press(ALICE, "Import"))
    assert late.startswith("This file is no longer waiting")
    assert (await service.list_tasks(person(ALICE))).total == 0
