"""Priorities: a mark in the text or a tap on the card, shown in lists and on the card; both
languages."""

from __future__ import annotations

import pytest

from bot.services import TaskService
from bot.services.text import read_priority
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person


@pytest.mark.parametrize(
    ("text", "title", "priority"),
    [
        ("Pay taxes !1", "Pay taxes", 1),
        ("!high Pay taxes", "Pay taxes", 1),
        ("Отчёт !важно", "Отчёт", 1),
        ("Tidy up !low", "Tidy up", 3),
        ("Полить цветы !3", "Полить цветы", 3),
        ("Wow!great", "Wow!great", None),
        ("Say hi !", "Say hi !", None),
        ("!9 lives", "!9 lives", None),
    ],
)
def test_priority_marks(text: str, title: str, priority: int | None) -> None:
    assert read_priority(text) == (title, priority)


async def test_priorities_from_text_and_from_the_card(
    chat: ChatHarness, task_service: TaskService
) -> None:
    [reply] = texts(await chat.send(BOB, "Отчёт !важно"))
    assert reply == "➕ <b>#1</b> 🔴 Отчёт"
    await chat.send(BOB, "Полить цветы")
    await chat.send(BOB, "Купить хлеб !низкий")

    await chat.send(BOB, "/list")
    listing = chat.last(BOB)
    # Higher priority first; a task with none after low.
    assert (
        "⬜ <b>#1</b> 🔴 Отчёт\n⬜ <b>#3</b> 🔵 Купить хлеб\n⬜ <b>#2</b> Полить цветы"
        in listing.text
    )
    await chat.press(BOB, "#2", listing)
    await chat.press(BOB, "❗ Важность", listing)
    assert listing.text == "Насколько важна #2 «Полить цветы»?"
    await chat.press(BOB, "🟡 средний", listing)
    assert "Важность: 🟡 средний" in listing.text
    assert (await task_service.get_task(person(BOB), 2)).priority == 2
    await chat.send(BOB, "/list")
    assert (
        "⬜ <b>#1</b> 🔴 Отчёт\n⬜ <b>#2</b> 🟡 Полить цветы\n⬜ <b>#3</b> 🔵 Купить хлеб"
        in chat.last(BOB).text
    )

    await chat.send(ALICE, "Call the bank !1")
    await chat.press(ALICE, "📂 Open")
    card = chat.last(ALICE)
    assert "Priority: 🔴 high" in card.text
    await chat.press(ALICE, "❗ Priority", card)
    await chat.press(ALICE, "No priority", card)
    assert (await task_service.get_task(person(ALICE), 1)).priority is None
