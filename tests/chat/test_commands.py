"""/start, /help, /add (all three ways), /cancel, Undo, and the fallbacks, in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.schemas import TaskFilter
from bot.services import TaskNotFound, TaskService
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, NONAME, person
from tests.service.test_task_service import snapshot


async def open_titles(service: TaskService, user: object) -> list[str]:
    page = await service.list_tasks(person(user), TaskFilter.ALL)  # type: ignore[arg-type]
    return [task.title for task in page.items]


async def test_start_greets_registers_and_explains(
    chat: ChatHarness, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    [reply] = texts(await chat.send(ALICE, "/start"))
    assert reply.startswith("👋 Hi, Alice!")
    assert "/add" in reply
    assert "/done 3 5 #7" in reply
    users, _ = await snapshot(session_maker)
    assert [(u.username, u.telegram_id, u.language) for u in users] == [("alice", 1001, "en")]


async def test_start_and_help_in_russian(chat: ChatHarness) -> None:
    [greeting] = texts(await chat.send(BOB, "/start"))
    assert greeting.startswith("👋 Привет, Боб!")
    [help_text] = texts(await chat.send(BOB, "/help"))
    assert "<b>Команды</b>" in help_text
    assert "/add <i>текст</i>" in help_text


async def test_unknown_language_gets_english(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(NONAME, "/help"))
    assert reply.startswith("<b>Commands</b>")


async def test_add_with_text(chat: ChatHarness, task_service: TaskService) -> None:
    [reply] = texts(await chat.send(ALICE, "/add Buy milk\n2 litres"))
    assert reply == "➕ <b>#1</b> Buy milk\n📝 <i>2 litres</i>"  # two lines, two buttons
    assert chat.last(ALICE).button_texts() == ["↩️ Undo", "📂 Open"]
    task = await task_service.get_task(person(ALICE), 1)
    assert (task.title, task.description) == ("Buy milk", "2 litres")


async def test_add_with_bot_mention(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(ALICE, "/add@todo_test_bot Call mum")
    assert (await task_service.get_task(person(ALICE), 1)).title == "Call mum"


async def test_add_alone_asks_for_the_text(chat: ChatHarness, task_service: TaskService) -> None:
    [question] = texts(await chat.send(ALICE, "/add"))
    assert question.startswith("What is the task?")
    [reply] = texts(await chat.send(ALICE, "Water the plants"))
    assert reply == "➕ <b>#1</b> Water the plants"
    # The dialogue is over: the next text is an ordinary quick add.
    [reply] = texts(await chat.send(ALICE, "Next one"))
    assert reply == "➕ <b>#2</b> Next one"
    assert chat.last(ALICE).button_texts() == ["↩️ Undo", "📂 Open"]
    assert await open_titles(task_service, ALICE) == ["Water the plants", "Next one"]


async def test_add_dialogue_waits_on_after_refused_text(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(BOB, "/add")
    [refusal] = texts(await chat.send(BOB, "x" * 3300))
    assert "Текст слишком длинный: 3300 символов, а помещается не больше 3256." in refusal
    assert "Ничего не сохранено" in refusal
    assert await open_titles(task_service, BOB) == []
    await chat.send(BOB, "Короче")
    assert await open_titles(task_service, BOB) == ["Короче"]


async def test_cancel_leaves_the_dialogue(chat: ChatHarness, task_service: TaskService) -> None:
    [nothing] = texts(await chat.send(ALICE, "/cancel"))
    assert nothing == "Nothing to cancel."
    await chat.send(ALICE, "/add")
    [cancelled] = texts(await chat.send(ALICE, "/cancel"))
    assert cancelled == "Cancelled. Nothing was changed."
    assert await open_titles(task_service, ALICE) == []
    await chat.send(ALICE, "after cancel")
    assert "↩️ Undo" in chat.last(ALICE).button_texts()  # a plain add, not the dialogue


async def test_another_command_leaves_the_dialogue(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add")
    [listing] = texts(await chat.send(ALICE, "/list"))
    assert listing.startswith("📋 <b>Open tasks</b>")
    await chat.send(ALICE, "plain")
    assert "↩️ Undo" in chat.last(ALICE).button_texts()


async def test_plain_text_adds_and_undo_removes(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "Pay the rent")
    added = chat.last(ALICE)
    requests = await chat.press(ALICE, "↩️ Undo")
    [edited] = texts(requests)
    assert edited == "↩️ Undone: #1 «Pay the rent» is removed."
    assert chat.last(ALICE).message_id == added.message_id  # edited in place, no buttons
    assert chat.last(ALICE).buttons == []
    with pytest.raises(TaskNotFound):
        await task_service.get_task(person(ALICE), 1)
    # Pressing Undo again on an old copy of the message is answered, and changes nothing.
    stale = await chat.press_data(ALICE, "t:u:1:open:0:1001:0", added)
    assert chat.callback_answer(stale)["text"] == "Task #1 no longer exists."


async def test_plain_text_in_a_group_is_not_a_task(
    chat: ChatHarness, task_service: TaskService
) -> None:
    assert await chat.send(ALICE, "just chatting", chat_id=-100, chat_type="group") == []
    await chat.send(ALICE, "/add from the group", chat_id=-100, chat_type="group")
    assert await open_titles(task_service, ALICE) == ["from the group"]


async def test_same_update_twice_makes_one_task(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "/add Once", update_id=500, message_id=77)
    again = texts(await chat.send(ALICE, "/add Once", update_id=500, message_id=77))
    assert again == ["➕ <b>#1</b> Once"]
    assert await open_titles(task_service, ALICE) == ["Once"]


@pytest.mark.parametrize(
    ("text", "english", "russian"),
    [
        ("/add " + "y" * 3300, "The text is too long: 3300 characters, at most 3256 fit.", "3300"),
        ("/add T\n" + "d" * 3001, "The description is too long: 3001 characters", "3001"),
        ("/add \x00", "a character I cannot store", "символ"),
    ],
)
async def test_refused_add_is_explained_and_stores_nothing(
    chat: ChatHarness,
    session_maker: async_sessionmaker[AsyncSession],
    text: str,
    english: str,
    russian: str,
) -> None:
    before = (await snapshot(session_maker))[1]
    [reply] = texts(await chat.send(ALICE, text))
    assert english in reply
    [reply] = texts(await chat.send(BOB, text))
    assert russian in reply
    assert "Ничего не сохранено" in reply
    assert (await snapshot(session_maker))[1] == before


async def test_unknown_command_and_non_text(chat: ChatHarness) -> None:
    [reply] = texts(await chat.send(ALICE, "/frobnicate"))
    assert reply == "I don't know that command. Send /help to see what I can do."
    [reply] = texts(await chat.send(BOB, None))
    assert reply == "Я умею хранить только текст. Пришлите задачу текстовым сообщением."
