"""/list paging and filters, the task card's buttons, edit and delete dialogues."""

from __future__ import annotations

from bot.schemas import TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person


async def add_many(chat: ChatHarness, user: object, count: int) -> None:
    for number in range(1, count + 1):
        await chat.send(user, f"/add Task {number}")  # type: ignore[arg-type]


async def test_list_pages_are_edited_in_place(chat: ChatHarness) -> None:
    await add_many(chat, ALICE, 12)  # page size is 5 in the tests: 3 pages
    [first] = texts(await chat.send(ALICE, "/list"))
    listing = chat.last(ALICE)
    assert first.startswith("📋 <b>Open tasks</b> (12) · page 1 of 3")
    assert listing.button_texts()[:5] == [f"#{n}" for n in range(1, 6)]  # the text names them
    assert "◀️" not in listing.button_texts()

    await chat.press(ALICE, "▶️", listing)
    await chat.press(ALICE, "▶️", listing)
    assert listing.text.startswith("📋 <b>Open tasks</b> (12) · page 3 of 3")
    assert listing.button_texts()[:2] == ["#11", "#12"]
    assert "▶️" not in listing.button_texts()
    assert chat.last(ALICE).message_id == listing.message_id  # no new messages
    assert listing.edits == 2

    await chat.press(ALICE, "◀️", listing)
    assert "page 2 of 3" in listing.text
    assert "⬜ <b>#6</b> Task 6" in listing.text


async def test_filters_show_done_and_all(chat: ChatHarness, task_service: TaskService) -> None:
    await add_many(chat, ALICE, 3)
    await task_service.set_status(person(ALICE), 2, TaskStatus.DONE)
    await task_service.set_status(person(ALICE), 3, TaskStatus.IN_PROGRESS)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    assert listing.button_texts() == [
        "#3",
        "#1",
        "• 📂 Open (2) •",
        "☑️ Done (1)",
        "🗂 All (3)",
        "🏷 Tags",
    ]
    await chat.press(ALICE, "☑️ Done", listing)
    assert listing.text.startswith("✅ <b>Done tasks</b> (1)")
    assert listing.button_texts()[0] == "#2"
    await chat.press(ALICE, "🗂 All", listing)
    assert listing.text.startswith("🗂 <b>All tasks</b> (3)")
    [again] = texts(await chat.send(ALICE, "/list done"))
    assert again.startswith("✅ <b>Done tasks</b>")


async def test_empty_list_in_russian(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(BOB, "/list"))
    assert reply == (
        "📋 <b>Открытые задачи</b> (0)\n\nДел нет. Напишите мне сообщение, чтобы добавить задачу."
    )


async def test_card_status_buttons(chat: ChatHarness, task_service: TaskService) -> None:
    await add_many(chat, ALICE, 7)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    await chat.press(ALICE, "▶️", listing)
    await chat.press(ALICE, "#6", listing)
    assert listing.text.startswith("<b>#6</b> · <b>Task 6</b>")
    assert "Status: ⬜ To do" in listing.text
    assert "• ⬜ To do •" in listing.button_texts()

    answer = chat.callback_answer(await chat.press(ALICE, "🔄 In progress", listing))
    assert answer["text"] == "#6: In progress"
    assert "• 🔄 In progress •" in listing.button_texts()
    assert (await task_service.get_task(person(ALICE), 6)).status is TaskStatus.IN_PROGRESS

    await chat.press(ALICE, "✅ Done", listing)
    task = await task_service.get_task(person(ALICE), 6)
    assert task.status is TaskStatus.DONE
    assert task.done_at is not None
    assert "Done: " in listing.text

    # A second quick press on the same button changes nothing and is not an error.
    edits = listing.edits
    answer = chat.callback_answer(await chat.press(ALICE, "• ✅ Done •", listing))
    assert answer["text"] == "#6: Done"
    assert listing.edits == edits

    await chat.press(ALICE, "To do", listing)
    assert (await task_service.get_task(person(ALICE), 6)).done_at is None

    await chat.press(ALICE, "⬅️ Back to the list", listing)
    assert "page 2 of 2" in listing.text  # back to the page the card came from


async def test_card_in_russian(chat: ChatHarness) -> None:
    await chat.send(BOB, "/add Купить хлеб")
    await chat.press(BOB, "📂 Открыть")
    card = chat.last(BOB)
    assert "Статус: ⬜ К выполнению" in card.text
    assert "Создана: " in card.text
    assert card.button_texts() == [
        "• ⬜ К выполнению •",
        "🔄 В работе",
        "✅ Готово",
        "📅 Срок",
        "⏰ Напомнить",
        "❗ Важность",
        "✏️ Изменить",
        "🏷 Теги",
        "🗑 Удалить",
        "⬅️ К списку",
    ]


async def test_edit_dialogue(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(ALICE, "/add Old title\nold description")
    await chat.press(ALICE, "📂 Open")
    card = chat.last(ALICE)
    [prompt] = texts(await chat.press(ALICE, "✏️ Edit", card))
    assert prompt.startswith("Send the new text for #1.")
    assert "<code>Old title\nold description</code>" in prompt  # the whole text, to copy
    assert chat.last(ALICE).button_texts() == ["🧹 Remove the description"]

    [refusal] = texts(await chat.send(ALICE, "   "))
    assert "needs a title" in refusal
    saved = texts(await chat.send(ALICE, "New title"))[-1]
    assert saved.startswith("✏️ Saved.")
    task = await task_service.get_task(person(ALICE), 1)
    assert (task.title, task.description) == ("New title", "old description")
    assert "<b>New title</b>" in card.text  # the card the edit began on is up to date

    await chat.press(ALICE, "✏️ Edit")
    await chat.send(ALICE, "Newer\nnew description")
    task = await task_service.get_task(person(ALICE), 1)
    assert (task.title, task.description) == ("Newer", "new description")

    await chat.press(ALICE, "✏️ Edit")
    await chat.send(ALICE, "/cancel")
    await chat.send(ALICE, "a quick add, not an edit")
    assert (await task_service.get_task(person(ALICE), 1)).title == "Newer"
    assert (await task_service.get_task(person(ALICE), 2)).title == "a quick add, not an edit"


async def test_back_to_the_list_after_an_edit_keeps_the_list_it_came_from(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await add_many(chat, ALICE, 3)
    await task_service.set_status(person(ALICE), 2, TaskStatus.DONE)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    await chat.press(ALICE, "☑️ Done", listing)
    await chat.press(ALICE, "#2", listing)
    await chat.press(ALICE, "✏️ Edit", listing)
    saved = texts(await chat.send(ALICE, "Task two, renamed"))[-1]
    assert saved.startswith("✏️ Saved.")
    assert "<b>Task two, renamed</b>" in listing.text  # the old card shows the new text
    card = chat.last(ALICE)
    await chat.press(ALICE, "⬅️ Back to the list", card)
    assert card.text.startswith("✅ <b>Done tasks</b> (1)")
    assert "✅ <b>#2</b> Task two, renamed" in card.text


async def test_edit_of_a_task_deleted_meanwhile(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add Soon gone")
    await chat.press(ALICE, "📂 Open")
    await chat.press(ALICE, "✏️ Edit")
    await task_service.delete_task(person(ALICE), 1)
    [reply] = texts(await chat.send(ALICE, "new text"))
    assert reply == "There is no task #1. Send /list to see yours."
    await chat.send(ALICE, "then a plain add")
    assert (await task_service.get_task(person(ALICE), 2)).title == "then a plain add"


async def test_delete_asks_first(chat: ChatHarness, task_service: TaskService) -> None:
    await add_many(chat, ALICE, 2)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    await chat.press(ALICE, "#2", listing)
    await chat.press(ALICE, "🗑 Delete", listing)
    assert listing.text == "Delete #2 «Task 2» for good?"
    await chat.press(ALICE, "Keep it", listing)
    assert listing.text.startswith("<b>#2</b> · <b>Task 2</b>")

    await chat.press(ALICE, "🗑 Delete", listing)
    answer = chat.callback_answer(await chat.press(ALICE, "Yes, delete", listing))
    assert answer["text"] == "Deleted #2."
    assert listing.text.startswith("📋 <b>Open tasks</b> (1)")
    page = await task_service.list_tasks(person(ALICE))
    assert [task.number for task in page.items] == [1]


async def test_stale_list_after_delete(chat: ChatHarness, task_service: TaskService) -> None:
    await add_many(chat, ALICE, 1)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    await task_service.delete_task(person(ALICE), 1)
    answer = chat.callback_answer(await chat.press(ALICE, "#1", listing))
    assert answer["text"] == "Task #1 no longer exists."
    # The stale message says so, with the list one tap away.
    assert listing.text == "🗑 #1 is gone."
    assert listing.button_texts() == ["📋 My tasks"]
    await chat.press(ALICE, "📋 My tasks", listing)
    assert listing.text.startswith("📋 <b>Open tasks</b> (0)")


async def test_message_that_cannot_be_edited_gets_a_new_one(chat: ChatHarness) -> None:
    await add_many(chat, ALICE, 1)
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    del chat.session.messages[(ALICE.id, listing.message_id)]  # too old for Telegram to edit
    requests = await chat.press(ALICE, "#1", listing)
    assert [r.method for r in requests] == ["editMessageText", "sendMessage", "answerCallbackQuery"]
    assert chat.last(ALICE).text.startswith("<b>#1</b> · <b>Task 1</b>")
