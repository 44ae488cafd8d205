"""Tags: typed in a task's text or set on its card, shown in lists and on the card, listed by
/tags, and a filter of /list; both languages, each person's own."""

from __future__ import annotations

import pytest

from bot.chat.callbacks import ListCallback
from bot.schemas import TaskFilter, TaskStatus
from bot.services import TaskService
from bot.services.text import parse_tag_list, read_tags
from tests.chat.harness import ChatHarness, texts
from tests.chat.people import ALICE, BOB, person


@pytest.mark.parametrize(
    ("text", "title", "tags"),
    [
        ("Buy milk #Home #shop", "Buy milk", ("home", "shop")),
        ("#работа Отчёт", "Отчёт", ("работа",)),
        ("Call #mom, then rest", "Call, then rest", ("mom",)),
        ("Fix #3 first", "Fix #3 first", ()),  # a task number, not a tag
        ("See example.com/#top", "See example.com/#top", ()),
        ("C#sharp", "C#sharp", ()),
        ("#home", "#home", ("home",)),  # nothing but a tag: the words stay the title
        ("Plan #to-do #To-Do", "Plan", ("to-do",)),
        ("Long #" + "x" * 65, "Long #" + "x" * 65, ()),
    ],
)
def test_tags_in_a_title(text: str, title: str, tags: tuple[str, ...]) -> None:
    assert read_tags(text) == (title, tags)


def test_typed_tag_lists() -> None:
    assert parse_tag_list("#Home, work #дом") == ("home", "work", "дом")
    assert parse_tag_list("-") == ()
    assert parse_tag_list("#3") is None
    assert parse_tag_list("home !!") is None


async def test_tags_from_text_in_lists_cards_and_tags(
    chat: ChatHarness, task_service: TaskService
) -> None:
    await chat.send(ALICE, "Buy milk #Home #shop")
    await chat.send(ALICE, "Fix the shelf #home")
    await chat.send(ALICE, "Write report #work")
    await chat.send(ALICE, "Call <Bob> #home")

    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    assert "⬜ <b>#1</b> Buy milk <i>#home #shop</i>" in listing.text
    assert "⬜ <b>#4</b> Call &lt;Bob&gt; <i>#home</i>" in listing.text

    # The list's 🏷 button shows the tags; a tag's button, its tasks.
    [tags_text] = texts(await chat.press(ALICE, "🏷 Tags", listing))
    assert "#home — open: 3, done: 0" in tags_text
    assert "#shop — open: 1, done: 0" in tags_text
    await chat.press(ALICE, "#home (3)", listing)
    assert listing.text.startswith("🏷 <b>#home</b> · 📋 <b>Open tasks</b> (3)")
    assert "#3" not in listing.button_texts()
    assert "Write report" not in listing.text

    # Done with one: the filter keeps to the tag, and its counts follow.
    await task_service.set_status(person(ALICE), 2, TaskStatus.DONE)
    await chat.press(ALICE, "☑️ Done", listing)
    assert listing.text.startswith("🏷 <b>#home</b> · ✅ <b>Done tasks</b> (1)")
    assert "Fix the shelf" in listing.text
    await chat.press(ALICE, "✖️ Every tag", listing)
    assert listing.text.startswith("✅ <b>Done tasks</b> (1)")

    # /list #tag, any case, and an unknown tag explained.
    await chat.send(ALICE, "/list #HOME")
    assert chat.last(ALICE).text.startswith("🏷 <b>#home</b> · 📋 <b>Open tasks</b> (2)")
    [answer] = texts(await chat.send(ALICE, "/list #garden"))
    assert answer == "None of your tasks has the tag «#garden». /tags lists yours."

    # The card shows them.
    tagged = chat.last_with_buttons(ALICE)
    await chat.press(ALICE, "#1", tagged)
    assert "Tags: #home #shop" in tagged.text


async def test_tags_dialogue_on_the_card(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(BOB, "Купить хлеб #дом")
    await chat.press(BOB, "📂 Открыть")
    card = chat.last(BOB)
    assert "Теги: #дом" in card.text
    [prompt] = texts(await chat.press(BOB, "🏷 Теги", card))
    assert prompt.startswith("🏷 Пришлите теги для #1 «Купить хлеб»")
    assert prompt.endswith("Сейчас: #дом")

    # Not tags: explained, nothing changed, the question stays.
    [refusal] = texts(await chat.send(BOB, "#3 !!"))
    assert refusal.startswith("«#3 !!» — не теги")
    assert (await task_service.get_task(person(BOB), 1)).tags == ("дом",)

    replies = texts(await chat.send(BOB, "#Магазин, дом"))
    assert replies[0].startswith("<b>#1</b> · <b>Купить хлеб</b>")  # the card, in place
    assert "🏷 Сохранено." in replies[-1]
    assert (await task_service.get_task(person(BOB), 1)).tags == ("дом", "магазин")

    # An edit with a new tag adds it; "-" in the dialogue removes them all.
    await task_service.edit_task(person(BOB), 1, "Купить батон #срочно")
    task = await task_service.get_task(person(BOB), 1)
    assert (task.title, task.tags) == ("Купить батон", ("дом", "магазин", "срочно"))
    await chat.press(BOB, "🏷 Теги", chat.last_with_buttons(BOB))
    await chat.send(BOB, "-")
    assert (await task_service.get_task(person(BOB), 1)).tags == ()
    [empty] = texts(await chat.send(BOB, "/tags"))
    assert empty.startswith("🏷 Тегов пока нет.")


async def test_tags_are_each_persons_own(chat: ChatHarness, task_service: TaskService) -> None:
    await chat.send(BOB, "Секрет #home")
    await chat.send(ALICE, "Mine #home")
    [bob_tag] = await task_service.tags(person(BOB))
    [alice_tag] = await task_service.tags(person(ALICE))
    assert bob_tag.id != alice_tag.id
    assert (alice_tag.open_count, bob_tag.open_count) == (1, 1)

    # Alice forges a press with Bob's tag id: her own whole list, never Bob's task.
    await chat.send(ALICE, "/list")
    listing = chat.last(ALICE)
    forged = ListCallback(view=TaskFilter.OPEN, page=0, owner=ALICE.id, tag=bob_tag.id)
    await chat.press_data(ALICE, forged.pack(), listing)
    assert "Секрет" not in listing.text
    assert "Mine" in listing.text


async def test_a_card_opened_from_a_tags_list_goes_back_to_it(chat: ChatHarness) -> None:
    for title in ("One #home", "Two", "Three #home", "Four #home"):
        await chat.send(ALICE, title)
    await chat.send(ALICE, "/list #home")
    listing = chat.last(ALICE)
    await chat.press(ALICE, "#3", listing)
    await chat.press(ALICE, "✅ Done", listing)
    await chat.press(ALICE, "🗑 Delete", listing)
    await chat.press(ALICE, "Keep it", listing)
    await chat.press(ALICE, "⬅️ Back to the list", listing)
    assert listing.text.startswith("🏷 <b>#home</b> · 📋 <b>Open tasks</b> (2)")
    await chat.press(ALICE, "#4", listing)
    await chat.press(ALICE, "🗑 Delete", listing)
    await chat.press(ALICE, "Yes, delete", listing)
    assert listing.text.startswith("🏷 <b>#home</b> · 📋 <b>Open tasks</b> (1)")
