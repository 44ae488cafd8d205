"""Everyday use as a newcomer tries it: light answers, lists and pastes, bursts of messages,
edits of the message that made a task, stale messages, and privacy in groups; both
languages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiogram.types import Update

from bot.chat.bursts import Bursts
from bot.schemas import TaskFilter
from bot.services import TaskService
from tests.chat.harness import ChatHarness, TgUser, texts
from tests.chat.people import ALICE, BOB, person
from tests.conftest import make_chat

GROUP = -100777


async def titles(service: TaskService, user: TgUser) -> list[str]:
    page = await service.list_tasks(person(user), TaskFilter.ALL)
    return [task.title for task in page.items]


# -- lists and pastes -----------------------------------------------------------------------


async def test_a_bulleted_list_is_one_task_per_line(
    chat: ChatHarness, task_service: TaskService
) -> None:
    [reply] = texts(await chat.send(ALICE, "- milk\n- eggs\n* bread"))
    assert reply == "➕ Added 3 tasks:\n<b>#1</b> milk\n<b>#2</b> eggs\n<b>#3</b> bread"
    assert chat.last(ALICE).button_texts() == ["📋 My tasks"]
    [reply] = texts(await chat.send(BOB, "/add\n1. хлеб\n2. соль"))
    assert reply.startswith("➕ Добавлено 2 задачи:")
    assert await titles(task_service, ALICE) == ["milk", "eggs", "bread"]
    assert await titles(task_service, BOB) == ["хлеб", "соль"]


async def test_add_alone_on_its_line_takes_a_task_per_line(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add\nCall the bank\nBook a table")
    assert await titles(task_service, ALICE) == ["Call the bank", "Book a table"]
    # The same message again (a re-delivered update) makes nothing twice.
    await chat.send(BOB, "/add\nраз\nдва", message_id=4242, update_id=4242)
    await chat.send(BOB, "/add\nраз\nдва", message_id=4242, update_id=4242)
    assert await titles(task_service, BOB) == ["раз", "два"]


async def test_a_pasted_list_asks_one_task_or_one_per_line(
    chat: ChatHarness, task_service: TaskService
) -> None:
    [question] = texts(await chat.send(ALICE, "milk\neggs\nbread"))
    assert question.startswith("This message has 3 lines. One task")
    assert "• milk\n• eggs\n• bread" in question
    asked = chat.last(ALICE)
    assert asked.button_texts() == ["📝 One task", "📋 3 tasks"]
    await chat.press(ALICE, "📋 3 tasks", asked)
    assert asked.text.startswith("➕ Added 3 tasks:")
    assert await titles(task_service, ALICE) == ["milk", "eggs", "bread"]
    # Pressing again (a second tap on the old question) adds nothing.
    await chat.press_data(ALICE, asked.buttons[0][0]["callback_data"], asked)
    assert len(await titles(task_service, ALICE)) == 3

    [question] = texts(await chat.send(BOB, "Позвонить в банк\nспросить про комиссию"))
    assert question.startswith("В сообщении 2 строки.")
    await chat.press(BOB, "📝 Одна задача")
    task = await task_service.get_task(person(BOB), 1)
    assert (task.title, task.description) == ("Позвонить в банк", "спросить про комиссию")
    assert chat.last(BOB).text == ("➕ <b>#1</b> Позвонить в банк\n📝 <i>спросить про комиссию</i>")


# -- light answers --------------------------------------------------------------------------


async def test_an_add_answers_in_a_line_with_undo_and_open(
    chat: ChatHarness, task_service: TaskService
) -> None:
    [reply] = texts(await chat.send(BOB, "Купить молоко"))
    assert reply == "➕ <b>#1</b> Купить молоко"
    added = chat.last(BOB)
    assert added.button_texts() == ["↩️ Отменить", "📂 Открыть"]
    await chat.press(BOB, "📂 Открыть", added)
    assert added.text.startswith("<b>#1</b> · <b>Купить молоко</b>")
    await chat.send(ALICE, "Buy milk")
    await chat.press(ALICE, "↩️ Undo")
    assert chat.last(ALICE).text == "↩️ Undone: #1 «Buy milk» is removed."
    assert await titles(task_service, ALICE) == []


async def test_pressing_the_status_a_task_has_costs_no_edit(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/add Steady")
    await chat.press(ALICE, "📂 Open")
    card = chat.last(ALICE)
    requests = await chat.press(ALICE, "To do", card)
    assert [r.method for r in requests] == ["answerCallbackQuery"]
    assert chat.callback_answer(requests)["text"] == "#1: To do"
    requests = await chat.press(ALICE, "🔄 In progress", card)
    assert [r.method for r in requests] == ["editMessageText", "answerCallbackQuery"]


async def test_unknown_arguments_are_explained(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(ALICE, "/list foo"))
    assert reply == (
        "I don't know «foo» here. Try <code>/list</code>, <code>/list done</code>, "
        "<code>/list all</code> or <code>/list #home</code>."
    )
    [reply] = texts(await chat.send(BOB, "/list ерунда"))
    assert reply.startswith("Не понимаю «ерунда».")
    [reply] = texts(await chat.send(ALICE, "/done abc"))
    assert "<code>/done 3</code>" in reply
    [reply] = texts(await chat.send(BOB, "/done что-то"))
    assert reply.startswith("Пришлите номера выполненных задач")


# -- editing ----------------------------------------------------------------------------------


async def edit_message(chat: ChatHarness, user: TgUser, message_id: int, text: str) -> list[str]:
    original = chat.user_message(user, text)
    edited = original.model_copy(
        update={"message_id": message_id, "edit_date": int(datetime.now(UTC).timestamp())}
    )
    return texts(await chat.feed(Update(update_id=90_000 + message_id, edited_message=edited)))


async def test_editing_the_message_edits_its_task(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "Buy milk", message_id=501)
    [reply] = await edit_message(chat, ALICE, 501, "Buy oat milk\n1 litre")
    assert reply == "✏️ #1 now reads: Buy oat milk"
    task = await task_service.get_task(person(ALICE), 1)
    assert (task.title, task.description) == ("Buy oat milk", "1 litre")
    # One line clears the description: the message is the whole text.
    await edit_message(chat, ALICE, 501, "Buy oat milk")
    assert (await task_service.get_task(person(ALICE), 1)).description is None

    await chat.send(BOB, "/add Купить хлеб", message_id=502)
    [reply] = await edit_message(chat, BOB, 502, "/add Купить чёрный хлеб")
    assert reply == "✏️ #1 теперь: Купить чёрный хлеб"
    # A message that made no task (a command) is left alone.
    await chat.send(BOB, "/list", message_id=503)
    assert await edit_message(chat, BOB, 503, "/list done") == []


async def test_the_description_can_be_removed(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(BOB, "/add Отчёт\nдо пятницы")
    await chat.press(BOB, "📂 Открыть")
    await chat.press(BOB, "✏️ Изменить")
    await chat.press(BOB, "🧹 Убрать описание")
    assert (await task_service.get_task(person(BOB), 1)).description is None
    assert chat.last(BOB).text.startswith("🧹 Описание убрано.")
    # The edit is over: the next text is a new task.
    await chat.send(BOB, "Новая")
    assert await titles(task_service, BOB) == ["Отчёт", "Новая"]


# -- bursts -----------------------------------------------------------------------------------


async def test_a_burst_of_messages_is_saved_and_answered_once(task_service: TaskService) -> None:
    chat = make_chat(task_service, burst_gap=0.5, rate_limit_updates=5)
    for number in range(1, 36):
        await chat.send(ALICE, f"Forwarded {number}")
    bursts = chat.dispatcher["bursts"]
    assert isinstance(bursts, Bursts)
    await asyncio.sleep(0.7)  # the person paused: the summary goes out
    sent = [r.params["text"] for r in chat.session.requests if r.method == "sendMessage"]
    assert len(sent) == 2, sent
    assert sent[0] == "➕ <b>#1</b> Forwarded 1"
    assert sent[1].startswith("➕ Saved 34 more tasks:\n<b>#2</b> Forwarded 2")
    assert "…and 5 more" in sent[1]
    assert (await task_service.list_tasks(person(ALICE), TaskFilter.ALL)).total == 35


async def test_past_the_burst_limit_the_answer_names_what_was_not_saved(
    task_service: TaskService,
) -> None:
    chat = make_chat(task_service, burst_gap=0.3, burst_limit=3, rate_limit_seconds=60)
    for text in ("раз", "два", "три", "четыре", "пять"):
        await chat.send(BOB, text)
    await asyncio.sleep(0.5)
    summary = [r.params["text"] for r in chat.session.requests if r.method == "sendMessage"][-1]
    assert summary.startswith("➕ Сохранено ещё 2 задачи:")
    assert "⚠️ Не сохранено: 2 сообщения пришли слишком быстро:\n• четыре\n• пять" in summary
    assert await titles(task_service, BOB) == ["раз", "два", "три"]


# -- groups -------------------------------------------------------------------------------------


async def test_lists_and_reports_go_to_the_person_not_the_group(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add Secret plan")
    await chat.send(ALICE, "/list", chat_id=GROUP, chat_type="group")
    [ack] = chat.messages(GROUP)
    assert ack.text == "📬 I sent it to you in a private chat."
    assert chat.last(ALICE).text.startswith("📋 <b>Open tasks</b> (1)")
    await chat.send(ALICE, "/done 1", chat_id=GROUP, chat_type="group")
    assert [m.text for m in chat.messages(GROUP)][-1] == "📬 I sent it to you in a private chat."
    assert "✅ #1 Secret plan: done" in chat.last(ALICE).text
    assert all("Secret plan" not in m.text for m in chat.messages(GROUP))

    # Someone who never started the bot: a button to open the private chat, in their language.
    chat.session.fail_next("sendMessage", 403, "Forbidden: bot can't initiate conversation")
    await chat.send(BOB, "/list", chat_id=GROUP, chat_type="group")
    invite = chat.messages(GROUP)[-1]
    assert invite.text.startswith("Я не могу написать вам первым.")
    [[button]] = invite.buttons
    assert button["url"] == "https://t.me/todo_test_bot?start=group"


async def test_a_burst_of_two_answers_the_second_like_any_add(task_service: TaskService) -> None:
    chat = make_chat(task_service, burst_gap=0.3)
    await chat.send(BOB, "Купить хлеб")
    await chat.send(BOB, "Позвонить маме завтра в 9")
    await asyncio.sleep(0.5)
    sent = [r.params["text"] for r in chat.session.requests if r.method == "sendMessage"]
    assert sent[0] == "➕ <b>#1</b> Купить хлеб"
    assert sent[1].startswith("➕ <b>#2</b> Позвонить маме\n📅 ")
    assert chat.last(BOB).button_texts() == ["↩️ Отменить", "📂 Открыть"]
