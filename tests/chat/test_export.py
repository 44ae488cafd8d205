"""/export: the files are read back with the libraries a person's tools use (json, csv,
icalendar); both languages; from a group, the files go to the private chat."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.schemas import TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness
from tests.chat.people import ALICE, BOB, person
from tests.conftest import make_chat

NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wednesday, 14:30 in Moscow


def clock() -> datetime:
    return NOW


@pytest.fixture
def service(session_maker: async_sessionmaker[AsyncSession]) -> TaskService:
    return TaskService(session_maker, default_timezone="Europe/Moscow", clock=clock)


@pytest.fixture
def chat(service: TaskService) -> ChatHarness:
    return make_chat(service, clock=clock)


def files(chat: ChatHarness) -> dict[str, bytes]:
    found = {}
    for request in chat.session.requests:
        if request.method == "sendDocument":
            [(name, content)] = request.files.values()
            found[name] = content
    return found


async def test_export_reads_back_in_json_csv_and_ics(
    chat: ChatHarness, service: TaskService
) -> None:
    await chat.send(BOB, "/add Позвонить маме завтра в 9\nпро выходные")
    await chat.send(BOB, "/add Зарядка каждый понедельник в 8")
    await chat.send(BOB, "/add Купить хлеб !1 #дом #Магазин")
    await service.set_status(person(BOB), 3, TaskStatus.DONE)
    await chat.send(BOB, "/export")
    captions = [
        r.params.get("caption") for r in chat.session.requests if r.method == "sendDocument"
    ]
    assert captions[0] == "📦 Ваши задачи (3): JSON (всё), CSV (для таблиц) и ICS (для календаря)."
    exported = files(chat)

    document = json.loads(exported["tasks.json"])
    assert document["timezone"] == "Europe/Moscow"
    [call, gym, bread] = document["tasks"]
    assert (call["title"], call["description"], call["due_at"]) == (
        "Позвонить маме",
        "про выходные",
        "2026-12-03T06:00:00+00:00",
    )
    assert gym["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    assert (bread["status"], bread["done_at"] is not None) == ("done", True)
    assert (call["priority"], bread["priority"]) == (None, 1)
    assert (call["tags"], bread["tags"]) == ([], ["дом", "магазин"])

    text = exported["tasks.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["title"] for row in rows] == ["Позвонить маме", "Зарядка", "Купить хлеб"]
    assert rows[0]["due"] == "2026-12-03 09:00"  # the person's zone
    assert rows[2]["status"] == "done"
    assert [row["priority"] for row in rows] == ["", "", "1"]
    assert [row["tags"] for row in rows] == ["", "", "#дом #магазин"]

    calendar = Calendar.from_ical(exported["tasks.ics"])
    todos = calendar.walk("VTODO")
    assert [str(todo["summary"]) for todo in todos] == ["Позвонить маме", "Зарядка", "Купить хлеб"]
    assert todos[0].decoded("due") == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert str(todos[0]["status"]) == "NEEDS-ACTION"
    assert todos[1]["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    assert str(todos[2]["status"]) == "COMPLETED"
    assert "priority" not in todos[0]
    assert todos[2]["priority"] == 1  # RFC 5545: 1 is the highest
    assert "categories" not in todos[0]
    assert todos[2]["categories"].to_ical() == "дом,магазин".encode()
    assert str(todos[0]["uid"]) == f"{BOB.id}-1@todo-bot"


async def test_a_date_without_time_exports_as_a_date_and_groups_get_a_note(
    chat: ChatHarness,
) -> None:
    await chat.send(ALICE, "/add Pay rent 25.12")
    await chat.send(ALICE, "/export", chat_id=-100_77, chat_type="group")
    assert [m.text for m in chat.messages(-100_77)] == ["📬 I sent it to you in a private chat."]
    todos = Calendar.from_ical(files(chat)["tasks.ics"]).walk("VTODO")
    assert todos[0].decoded("due") == date(2026, 12, 25)
    requests = [r for r in chat.session.requests if r.method == "sendDocument"]
    assert {int(r.params["chat_id"]) for r in requests} == {ALICE.id}
