"""/find through the real dispatcher: results, pages, cards, the dialogue, bad input."""

from __future__ import annotations

from bot.chat.callbacks import SearchCallback
from bot.schemas import TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person

GROUP = -100500


async def test_results_page_in_place_and_open_cards(
    chat: ChatHarness, task_service: TaskService
) -> None:
    for number in range(1, 8):
        await chat.send(ALICE, f"/add Buy milk {number}")
    await chat.send(ALICE, "/add Buy bread")
    await task_service.set_status(person(ALICE), 7, TaskStatus.DONE)
    [first] = texts(await chat.send(ALICE, "/find MILK"))
    results = chat.last(ALICE)
    assert first.startswith("🔎 7 tasks found for «milk» · page 1 of 2\n\n⬜ <b>#6</b> Buy milk")
    assert first.endswith("Tap a number to open its task.")
    assert results.button_texts() == ["#6", "#5", "#4", "#3", "#2", "▶️"]  # page size 5

    await chat.press(ALICE, "▶️", results)
    assert results.text.startswith("🔎 7 tasks found for «milk» · page 2 of 2")
    assert "✅ <b>#7</b> Buy milk 7" in results.text  # done ones too, after the open ones
    assert results.button_texts() == ["#1", "#7", "◀️"]
    assert results.edits == 1
    assert chat.last(ALICE).message_id == results.message_id  # no new messages

    await chat.press(ALICE, "#7", results)
    assert results.text.startswith("<b>#7</b> · <b>Buy milk 7</b>")
    await chat.press(ALICE, "⬅️ Back to the list", results)
    assert results.text.startswith("📋 <b>Open tasks</b> (7)")


async def test_find_alone_asks_and_the_next_message_is_the_query(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/add Call the dentist")
    [question] = texts(await chat.send(ALICE, "/find"))
    assert question.startswith("What should I look for?")
    [refused] = texts(await chat.send(ALICE, "?!"))
    assert refused.startswith("There are no words to look for in «?!»")
    [found] = texts(await chat.send(ALICE, "dentist"))  # still waiting: this is the query
    assert found.startswith("🔎 1 task found for «dentist»")
    [added] = texts(await chat.send(ALICE, "dentist"))  # the dialogue is over: a new task
    assert added.startswith("➕ <b>#2</b> dentist")

    await chat.send(ALICE, "/find")
    [cancelled] = texts(await chat.send(ALICE, "/cancel"))
    assert cancelled == "Cancelled. Nothing was changed."


async def test_nothing_found_says_what_was_looked_for(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/add Buy milk")
    [none] = texts(await chat.send(ALICE, '/find "zebra*" <b>'))
    assert none == (
        "🔎 Nothing found for «zebra». I looked in the titles, descriptions and tags of all "
        "your tasks, done ones too."
    )
    assert chat.last(ALICE).buttons == []
    [refused] = texts(await chat.send(ALICE, "/find <&> ***"))  # echoed escaped
    assert refused.startswith("There are no words to look for in «&lt;&amp;&gt; ***»")


async def test_in_russian_with_inflections(chat: ChatHarness) -> None:
    await chat.send(BOB, "/add Купить молоко")
    await chat.send(BOB, "/add Позвонить маме\nпро молоко и ёлку")
    [found] = texts(await chat.send(BOB, "/find молока"))
    assert found.startswith("🔎 Нашлись 2 задачи по запросу «молока»\n\n⬜ <b>#1</b> Купить")
    [one] = texts(await chat.send(BOB, "/find елки"))
    assert one.startswith("🔎 Нашлась 1 задача по запросу «елки»")


async def test_a_long_query_is_cut_and_its_buttons_fit(chat: ChatHarness) -> None:
    for number in range(1, 7):
        await chat.send(BOB, f"/add Позвонить маме {number}")
    [found] = texts(await chat.send(BOB, "/find позвонить маме насчёт билетов на поезд"))
    assert found.startswith(
        "🔎 Нашлось 6 задач по запросу «позвонить маме» · страница 1 из 2\n"
        "(Запрос длинный: поиск шёл только по его первым словам.)"
    )
    # The recording Bot API refuses callback data over 64 bytes, as Telegram does.
    await chat.press(BOB, "▶️")
    assert "страница 2 из 2" in chat.last(BOB).text


async def test_a_search_in_a_group_is_answered_privately(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/add Secret plan")
    await chat.send(ALICE, "/find secret", chat_id=GROUP, chat_type="group")
    [ack] = chat.messages(GROUP)
    assert ack.text == "📬 I sent it to you in a private chat."
    assert chat.last(ALICE).text.startswith("🔎 1 task found for «secret»")


async def test_old_forged_and_foreign_page_buttons(
    chat: ChatHarness, task_service: TaskService
) -> None:
    for number in range(1, 8):
        await chat.send(ALICE, f"/add Buy milk {number}")
    await chat.send(ALICE, "/find milk")
    results = chat.last(ALICE)
    for number in range(1, 6):
        await task_service.delete_task(person(ALICE), number)
    await chat.press(ALICE, "▶️", results)  # page 2 of what is now one page
    assert results.text.startswith("🔎 2 tasks found for «milk»\n")
    assert results.button_texts() == ["#7", "#6"]

    forged = SearchCallback(page=0, owner=ALICE.id, query="** --").pack()
    answer = chat.callback_answer(await chat.press_data(ALICE, forged, results))
    assert answer["text"].startswith("There are no words to look for in «** --»")

    theirs = SearchCallback(page=0, owner=BOB.id, query="milk").pack()
    answer = chat.callback_answer(await chat.press_data(ALICE, theirs, results))
    assert answer["text"] == "This button is someone else's. Send /list to see your tasks."
