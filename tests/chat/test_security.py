"""Forged and garbage callbacks change nothing; people's text renders as text, within limits."""

from __future__ import annotations

from itertools import count

import pytest
from aiogram.types import Chat, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat.callbacks import (
    DonePickerCallback,
    ListCallback,
    PickAction,
    TaskAction,
    TaskCallback,
)
from bot.schemas import TaskFilter, TaskStatus
from bot.services import TaskService
from tests.chat.harness import ChatHarness, TgUser, texts
from tests.chat.people import ALICE, BOB, person
from tests.e2e.fake_telegram import parse_html
from tests.service.test_task_service import snapshot

SERVICE = TgUser(777000, "Telegram", None, None)
UPDATE_IDS = count(10_000)

FORGED = [
    # Alice's own buttons for a number only Bob has:
    *(
        TaskCallback(action=action, number=3, view=TaskFilter.OPEN, page=0, owner=ALICE.id).pack()
        for action in TaskAction
    ),
    DonePickerCallback(action=PickAction.TICK, number=3, page=0, owner=ALICE.id).pack(),
    # Bob's buttons, pressed by Alice:
    *(
        TaskCallback(action=action, number=3, view=TaskFilter.OPEN, page=0, owner=BOB.id).pack()
        for action in TaskAction
    ),
    ListCallback(view=TaskFilter.ALL, page=0, owner=BOB.id).pack(),
    DonePickerCallback(action=PickAction.TICK, number=3, page=0, owner=BOB.id).pack(),
    # Garbage, and buttons of an older version (no owner):
    "t:d:-1:open:0:1001",
    "t:d:99999999999999999999999999:open:0:1001",
    "t:q:1:open:0:1001",
    "t:d:abc:open:0:1001",
    "l:secret:0:1001",
    "l:open:-5:1001",
    "l:open:999999999999999999999:1001",
    "d:t:3:0:1001",
    "t:d:3:open:0",
    "zzz",
    "",
    "t:d:3:open:0:1001:extra",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_callbacks_change_nothing(
    chat: ChatHarness,
    task_service: TaskService,
    session_maker: async_sessionmaker[AsyncSession],
    data: str,
) -> None:
    for title in ("Bob 1", "Bob 2", "Bob's secret"):
        await chat.send(BOB, f"/add {title}")
    await chat.send(ALICE, "/add Alice 1")
    before = await snapshot(session_maker)
    alice_card = chat.last(ALICE)

    requests = await chat.press_data(ALICE, data, alice_card)  # asserts it was answered

    assert await snapshot(session_maker) == before
    for text in [*texts(requests), str(chat.callback_answer(requests).get("text", ""))]:
        assert "secret" not in text
    assert (await task_service.get_task(person(BOB), 3)).status is TaskStatus.PENDING


async def test_someone_elses_buttons_in_a_group(chat: ChatHarness) -> None:
    group = -100
    await chat.send(BOB, "/add Bob's")
    await chat.send(ALICE, "/add Alice's", chat_id=group, chat_type="group")
    [added] = chat.messages(group)
    assert added.button_texts() == ["↩️ Undo", "📂 Open"]
    before = added.text
    # Bob presses a button on Alice's add: declined, whether or not it is a reply.
    for button in (0, 1):
        requests = await chat.press_data(
            BOB, added.buttons[0][button]["callback_data"], added, chat_type="group"
        )
        assert [r.method for r in requests] == ["answerCallbackQuery"]
        assert (
            requests[0].params["text"]
            == "Это чужая кнопка. Отправьте /list, чтобы увидеть свои задачи."
        )
    assert added.text == before
    # Alice herself may use it: the card goes to her private chat, not to the group.
    await chat.press_data(ALICE, added.buttons[0][1]["callback_data"], added, chat_type="group")
    assert added.text == before
    assert chat.last(ALICE).text.startswith("<b>#1</b> · <b>Alice")


async def test_a_borrowed_delete_confirmation_deletes_nothing(
    chat: ChatHarness, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await chat.send(ALICE, "/add Alice's first")
    await chat.send(BOB, "/add Bob's first")
    await chat.press(ALICE, "📂 Open")
    await chat.press(ALICE, "🗑 Delete")
    confirmation = chat.last_with_buttons(ALICE)
    assert confirmation.text.startswith("Delete #1")
    before = await snapshot(session_maker)
    # A copy of Alice's "delete #1?" (forwarded, or the edit prompt's fallback message),
    # pressed by Bob in a group and in private: his own #1 is not touched.
    data = confirmation.buttons[0][0]["callback_data"]
    for chat_type in ("group", "private"):
        requests = await chat.press_data(BOB, data, confirmation, chat_type=chat_type)
        assert [r.method for r in requests] == ["answerCallbackQuery"]
    assert await snapshot(session_maker) == before


HOSTILE_TITLES = [
    "<b>bold</b>",
    '<a href="https://evil.example">click</a>',
    "Tom & Jerry &amp; friends",
    "</code> and <code>",
    "1 < 2 > 0",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
async def test_titles_render_as_text_everywhere(chat: ChatHarness, title: str) -> None:
    rendered: list[str] = []
    rendered += texts(await chat.send(ALICE, f"/add {title}"))
    rendered += texts(await chat.send(ALICE, "/list"))
    rendered += texts(await chat.press(ALICE, "#1"))
    rendered += texts(await chat.press(ALICE, "🗑 Delete"))
    await chat.press(ALICE, "Keep it")
    rendered += texts(await chat.press(ALICE, "✏️ Edit"))
    await chat.send(ALICE, "/cancel")
    rendered += texts(await chat.send(ALICE, "/done 1"))
    for html in rendered:
        plain, entities = parse_html(html)  # what Telegram would show
        assert title in plain, html
        assert not any(entity.type == "text_link" for entity in entities)


async def test_longest_task_fits_in_one_message(chat: ChatHarness) -> None:
    # 256 astral-plane emoji and 3000 more: 6512 UTF-16 units, far past Telegram's 4096.
    title, description = "🧪" * 256, "🦄" * 3000
    texts(await chat.send(ALICE, f"/add {title}\n{description}"))  # validated on send
    await chat.press(ALICE, "📂 Open")  # the card as an edit, validated the same way
    plain, _ = parse_html(chat.last(ALICE).text)
    assert title in plain
    assert plain.count("🦄") > 1000
    assert "…" in plain


async def test_callback_data_fits_in_64_bytes() -> None:
    biggest = 2**63 - 1
    owner = 2**53  # Telegram's ids fit in 52 bits
    for action in TaskAction:
        for view in TaskFilter:
            data = TaskCallback(
                action=action, number=biggest, view=view, page=99_999, owner=owner
            ).pack()
            assert len(data.encode()) <= 64, data
    assert len(ListCallback(view=TaskFilter.DONE, page=99_999, owner=owner).pack()) <= 64
    picker = DonePickerCallback(action=PickAction.TICK, number=biggest, page=99_999, owner=owner)
    assert len(picker.pack()) <= 64


async def test_telegrams_service_account_and_chat_posts_are_nobody(
    chat: ChatHarness, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    group = -100500
    forwarded = chat.user_message(SERVICE, "Channel post", chat_id=group, chat_type="supergroup")
    forwarded = forwarded.model_copy(update={"is_automatic_forward": True})
    on_behalf = chat.user_message(
        ALICE, "/add posted as the group", chat_id=group, chat_type="group"
    )
    on_behalf = on_behalf.model_copy(
        update={"sender_chat": Chat(id=group, type="group", title="Team")}
    )
    service_command = chat.user_message(SERVICE, "/add shared", chat_id=group, chat_type="group")
    for message in (forwarded, on_behalf, service_command):
        requests = await chat.feed(Update(update_id=next(UPDATE_IDS), message=message))
        assert requests == []
    assert await snapshot(session_maker) == ((), ())


async def test_a_huge_page_number_shows_the_last_page(
    chat: ChatHarness, task_service: TaskService
) -> None:
    for number in range(1, 8):
        await chat.send(ALICE, f"/add Task {number}")
    listing = chat.last(ALICE)
    for page in (10**18, 2**63 - 1, 10**30):
        data = ListCallback(view=TaskFilter.OPEN, page=page, owner=ALICE.id).pack()
        await chat.press_data(ALICE, data, listing)
        assert "page 2 of 2" in listing.text
    last = await task_service.list_tasks(person(ALICE), TaskFilter.ALL, 10**18)
    assert (last.page, [task.number for task in last.items]) == (1, [6, 7])


async def test_an_overlong_language_code_does_not_lock_anyone_out(
    chat: ChatHarness, task_service: TaskService
) -> None:
    odd = TgUser(1010, "Odd", "odd", "x-" + "verylong" * 8)
    [reply] = texts(await chat.send(odd, "/add Still works"))
    assert reply.startswith("➕ <b>#")
    user = await task_service.sync_user(person(odd))
    assert user.language == ("x-" + "verylong" * 8)[:16]
