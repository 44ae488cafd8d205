"""/done with numbers, and the /done picker."""

from __future__ import annotations

from bot.schemas import TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person


async def test_done_reports_each_number(chat: ChatHarness, task_service: TaskService) -> None:
    for title in ("Milk", "Bread", "Eggs"):
        await chat.send(ALICE, f"/add {title}")
    for title in ("Bob 1", "Bob 2", "Bob 3", "Bob 4", "Bob 5"):
        await chat.send(BOB, f"/add {title}")
    await task_service.set_status(person(ALICE), 2, TaskStatus.DONE)

    [report] = texts(await chat.send(ALICE, "/done 1 2, #5 abc 1 99999999999999999999999"))
    assert report.splitlines() == [
        "✅ #1 Milk: done",
        "☑️ #2 Bread: was already done",
        "❓ #5: not found",  # Bob's #5 is not Alice's
        "❓ #99999999999999999999999: not found",
        "⚠️ abc: not a task number",
        "",
        "Marked 1 task done.",
    ]
    assert (await task_service.get_task(person(BOB), 5)).status is TaskStatus.PENDING
    assert (await task_service.get_task(person(ALICE), 3)).status is TaskStatus.PENDING


async def test_done_in_russian_with_plurals(chat: ChatHarness) -> None:
    for number in range(1, 6):
        await chat.send(BOB, f"/add Дело {number}")
    [report] = texts(await chat.send(BOB, "/done 1 2"))
    assert report.endswith("Отмечены готовыми 2 задачи.")
    [report] = texts(await chat.send(BOB, "/done 3 4 5"))
    assert report.endswith("Отмечены готовыми 3 задачи.")
    [report] = texts(await chat.send(BOB, "/done 1"))
    assert report.splitlines()[0] == "☑️ #1 Дело 1: уже была готова"
    assert report.endswith("Отмечено готовыми 0 задач.")


async def test_done_refuses_too_many_numbers(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(ALICE, "/add one")
    [reply] = texts(await chat.send(ALICE, "/done " + " ".join(["1"] * 51)))
    assert "at most 50 numbers" in reply
    assert (await task_service.get_task(person(ALICE), 1)).status is TaskStatus.PENDING


async def test_done_picker(chat: ChatHarness, task_service: TaskService) -> None:
    for number in range(1, 8):
        await chat.send(ALICE, f"/add Job {number}")
    [prompt] = texts(await chat.send(ALICE, "/done"))
    picker = chat.last(ALICE)
    assert prompt == "Tap the tasks you have finished: page 1 of 2"
    assert picker.button_texts() == [*(f"⬜ #{n} Job {n}" for n in range(1, 6)), "▶️"]

    answer = chat.callback_answer(await chat.press(ALICE, "#3", picker))
    assert answer["text"] == "✅ #3 done."
    assert (await task_service.get_task(person(ALICE), 3)).status is TaskStatus.DONE
    assert "⬜ #3 Job 3" not in picker.button_texts()

    await chat.press(ALICE, "▶️", picker)
    assert picker.button_texts() == ["⬜ #7 Job 7", "◀️"]
    await chat.press(ALICE, "#7", picker)
    for number in (1, 2, 4, 5, 6):
        await chat.press(ALICE, f"#{number} ", picker)
    assert picker.text == "🎉 Nothing left to do."
    assert picker.buttons == []


async def test_done_picker_on_a_task_done_elsewhere(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add Only")
    await chat.send(ALICE, "/done")
    picker = chat.last(ALICE)
    await task_service.set_status(person(ALICE), 1, TaskStatus.DONE)
    answer = chat.callback_answer(await chat.press(ALICE, "#1", picker))
    assert answer["text"] == "#1 was already done."
