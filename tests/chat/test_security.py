"""Forged and garbage callbacks change nothing; people's text renders as text, within limits."""

from __future__ import annotations

import pytest
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
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person
from tests.e2e.fake_telegram import parse_html
from tests.service.test_task_service import snapshot

FORGED = [
    *(TaskCallback(action=action, number=3).pack() for action in TaskAction),
    DonePickerCallback(action=PickAction.TICK, number=3).pack(),
    "t:d:-1:open:0",
    "t:d:99999999999999999999999999:open:0",
    "t:q:1:open:0",
    "t:d:abc:open:0",
    "l:secret:0",
    "l:open:-5",
    "d:t:3:0",
    "zzz",
    "",
    "t:d:3:open:0:extra",
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


async def test_someone_elses_list_in_a_group(chat: ChatHarness) -> None:
    await chat.send(ALICE, "/add Alice's")
    await chat.send(BOB, "/add Bob's")
    command = chat.user_message(ALICE, "/list", chat_id=-100, chat_type="group")
    await chat.send(ALICE, "/list", chat_id=-100, chat_type="group")
    [listing] = chat.messages(-100)
    before = listing.text
    # Bob presses a button on the bot's reply to Alice's /list.
    requests = await chat.press_data(
        BOB, listing.buttons[0][0]["callback_data"], listing, chat_type="group", reply_to=command
    )
    assert [r.method for r in requests] == ["answerCallbackQuery"]
    assert requests[0].params["text"] == "Это чужой список. Отправьте /list, чтобы увидеть свой."
    assert listing.text == before
    # Alice herself may use it.
    await chat.press_data(
        ALICE, listing.buttons[0][0]["callback_data"], listing, chat_type="group", reply_to=command
    )
    assert listing.text.startswith("<b>#1</b> · <b>Alice")


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
    [reply] = texts(await chat.send(ALICE, f"/add {title}\n{description}"))  # validated on send
    plain, _ = parse_html(reply)
    assert title in plain
    assert plain.count("🦄") > 1000
    assert "…" in plain
    await chat.send(ALICE, "/list")
    await chat.press(ALICE, "#1")  # the card as an edit, validated the same way


async def test_callback_data_fits_in_64_bytes() -> None:
    biggest = 2**63 - 1
    for action in TaskAction:
        for view in TaskFilter:
            data = TaskCallback(action=action, number=biggest, view=view, page=99_999).pack()
            assert len(data.encode()) <= 64, data
    assert len(ListCallback(view=TaskFilter.DONE, page=99_999).pack()) <= 64
    assert len(DonePickerCallback(action=PickAction.TICK, number=biggest, page=99_999).pack()) <= 64
