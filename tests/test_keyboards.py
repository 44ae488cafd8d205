"""Keyboards: what each one shows, in which language, and callback data Telegram accepts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.callbacks import (
    DonePickerCallback,
    ImportAction,
    ImportCallback,
    ListCallback,
    PickAction,
    SearchCallback,
    TagsCallback,
    TaskAction,
    TaskCallback,
)
from bot.chat.i18n import create_i18n
from bot.chat.keyboards import (
    card_keyboard,
    delete_confirmation_keyboard,
    done_picker_keyboard,
    import_keyboard,
    list_keyboard,
    search_keyboard,
)
from bot.chat.rendering import clip
from bot.schemas import SearchPage, TaskFilter, TaskPage, TaskRead, TaskStatus
from bot.services.search import read_query

BIGGEST = 2**63 - 1
OWNER = 1001
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
TITLES = (
    "Buy milk",
    "A title well past the thirty-two units a button shows",
    "🧪" * 40,
    "  spaces\n and\ttabs  ",
    "Кириллица и ещё немного текста, чтобы обрезать",
    "",
)
PREFIXES: dict[str, type[CallbackData]] = {
    cls.__prefix__: cls
    for cls in (TaskCallback, ListCallback, DonePickerCallback, TagsCallback, ImportCallback)
}


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n()


def make_task(number: int, status: TaskStatus, title: str) -> TaskRead:
    return TaskRead(
        number=number,
        title=title,
        description=None,
        status=status,
        created_at=NOW,
        updated_at=NOW,
        done_at=NOW if status is TaskStatus.DONE else None,
    )


def tasks() -> Iterator[TaskRead]:
    numbers = (1, 7, 12_345, BIGGEST)
    for index, (number, status) in enumerate(itertools.product(numbers, TaskStatus)):
        yield make_task(number, status, TITLES[index % len(TITLES)])


def make_page(task_filter: TaskFilter, page: int, total: int, size: int = 10) -> TaskPage:
    shown = min(size, max(total - page * size, 0))
    items = tuple(
        make_task(page * size + index + 1, list(TaskStatus)[index % 3], TITLES[index % 6])
        for index in range(shown)
    )
    return TaskPage(
        items=items,
        filter=task_filter,
        page=page,
        page_size=size,
        total=total,
        open_count=total,
        done_count=page * 3,
    )


def texts(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    assert markup is not None
    return [[button.text for button in row] for row in markup.inline_keyboard]


def unpacked(markup: InlineKeyboardMarkup | None) -> list[list[CallbackData]]:
    """Every button's callback data, checked against Telegram's 64 bytes and unpacked."""
    assert markup is not None
    rows = []
    for row in markup.inline_keyboard:
        unpacked_row = []
        for button in row:
            data = button.callback_data
            assert data is not None
            assert len(data.encode()) <= 64
            unpacked_row.append(PREFIXES[data.split(":")[0]].unpack(data))
        rows.append(unpacked_row)
    return rows


def test_card_keyboard(i18n: I18n) -> None:
    task = make_task(7, TaskStatus.IN_PROGRESS, "Buy milk")
    with i18n.context(), i18n.use_locale("en"):
        markup = card_keyboard(task, TaskFilter.DONE, 3, owner=OWNER, undo=True)
    assert texts(markup) == [
        ["↩️ Undo"],
        ["⬜ To do", "• 🔄 In progress •", "✅ Done"],
        ["📅 Due", "⏰ Remind", "❗ Priority"],
        ["✏️ Edit", "🏷 Tags", "🗑 Delete"],
        ["⬅️ Back to the list"],
    ]
    actions = [TaskAction.UNDO, TaskAction.TO_PENDING, TaskAction.TO_IN_PROGRESS]
    actions += [TaskAction.TO_DONE, TaskAction.DUE, TaskAction.REMIND, TaskAction.PRIORITY]
    actions += [TaskAction.EDIT, TaskAction.TAGS, TaskAction.DELETE]
    data = list(itertools.chain.from_iterable(unpacked(markup)))
    assert data[:-1] == [
        TaskCallback(action=action, number=7, view=TaskFilter.DONE, page=3, owner=OWNER)
        for action in actions
    ]
    assert data[-1] == ListCallback(view=TaskFilter.DONE, page=3, owner=OWNER)


def test_delete_confirmation(i18n: I18n) -> None:
    task = make_task(4, TaskStatus.PENDING, "x")
    with i18n.context(), i18n.use_locale("ru"):
        markup = delete_confirmation_keyboard(task, TaskFilter.ALL, 1, owner=OWNER)
    assert texts(markup) == [["🗑 Да, удалить", "Оставить"]]
    assert unpacked(markup) == [
        [
            TaskCallback(
                action=TaskAction.DELETE_CONFIRMED,
                number=4,
                view=TaskFilter.ALL,
                page=1,
                owner=OWNER,
            ),
            TaskCallback(
                action=TaskAction.OPEN, number=4, view=TaskFilter.ALL, page=1, owner=OWNER
            ),
        ]
    ]


def test_list_keyboard_pages_and_filters(i18n: I18n) -> None:
    page = make_page(TaskFilter.OPEN, 1, 25)
    with i18n.context(), i18n.use_locale("en"):
        markup = list_keyboard(page, owner=OWNER)
    rows = texts(markup)
    # The list's text names the tasks; its buttons are their numbers, five to a row.
    assert rows[:2] == [[f"#{n}" for n in range(11, 16)], [f"#{n}" for n in range(16, 21)]]
    assert rows[-3] == ["◀️", "▶️"]
    assert rows[-2] == ["• 📂 Open (25) •", "☑️ Done (3)", "🗂 All (28)"]
    assert rows[-1] == ["🏷 Tags"]
    data = unpacked(markup)
    assert data[0][0] == TaskCallback(
        action=TaskAction.OPEN, number=11, view=TaskFilter.OPEN, page=1, owner=OWNER
    )
    assert data[-3] == [
        ListCallback(view=TaskFilter.OPEN, page=0, owner=OWNER),
        ListCallback(view=TaskFilter.OPEN, page=2, owner=OWNER),
    ]
    assert data[-2] == [ListCallback(view=view, page=0, owner=OWNER) for view in TaskFilter]
    assert data[-1] == [TagsCallback(owner=OWNER)]


def test_list_keyboard_without_tasks_still_filters(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("en"):
        rows = texts(list_keyboard(make_page(TaskFilter.DONE, 0, 0), owner=OWNER))
    assert rows == [["📂 Open (0)", "• ☑️ Done (0) •", "🗂 All (0)"], ["🏷 Tags"]]


def test_done_picker(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("en"):
        assert done_picker_keyboard(make_page(TaskFilter.OPEN, 0, 0), owner=OWNER) is None
        markup = done_picker_keyboard(make_page(TaskFilter.OPEN, 0, 12), owner=OWNER)
    data = unpacked(markup)
    assert data[0] == [DonePickerCallback(action=PickAction.TICK, number=1, page=0, owner=OWNER)]
    assert data[-1] == [DonePickerCallback(action=PickAction.PAGE, number=0, page=1, owner=OWNER)]


def test_every_keyboard_fits_telegram_at_the_largest_numbers(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("ru"):
        for task, view in itertools.product(tasks(), TaskFilter):
            unpacked(card_keyboard(task, view, 99_999, owner=2**53, undo=True))
            unpacked(delete_confirmation_keyboard(task, view, 99_999, owner=2**53))
        for view, (page, total) in itertools.product(TaskFilter, ((0, 3), (2, 25), (4, 50))):
            unpacked(list_keyboard(make_page(view, page, total), owner=2**53))
            unpacked(done_picker_keyboard(make_page(view, page, total), owner=2**53))
        [[confirm, cancel]] = unpacked(import_keyboard(32_767, 2**53, owner=2**53))
        assert confirm == ImportCallback(action=ImportAction.CONFIRM, message=2**53, owner=2**53)
        assert isinstance(cancel, ImportCallback)
        assert cancel.action is ImportAction.CANCEL


def test_labels_follow_the_current_language(i18n: I18n) -> None:
    task = make_task(1, TaskStatus.PENDING, "Buy milk")
    labels = {}
    with i18n.context():
        for locale in ("en", "ru", "en", "ru"):
            with i18n.use_locale(locale):
                labels[locale] = texts(card_keyboard(task, owner=OWNER))
    assert labels["en"] != labels["ru"]
    assert labels["ru"][1:3] == [
        ["📅 Срок", "⏰ Напомнить", "❗ Важность"],
        ["✏️ Изменить", "🏷 Теги", "🗑 Удалить"],
    ]


def test_button_titles_are_clipped_to_one_line(i18n: I18n) -> None:
    task = make_task(BIGGEST, TaskStatus.DONE, "  spaces\n and\ttabs  " + "x" * 60)
    page = TaskPage(
        items=(task,),
        filter=TaskFilter.ALL,
        page=0,
        page_size=10,
        total=1,
        open_count=0,
        done_count=1,
    )
    with i18n.context(), i18n.use_locale("en"):
        [[button]] = texts(done_picker_keyboard(page, owner=OWNER))
    assert button == f"✅ #{BIGGEST} spaces and tabs " + "x" * 15 + "…"


def test_too_long_callback_data_is_refused() -> None:
    too_big = 10**40
    with pytest.raises(ValueError, match="too long"):
        TaskCallback(
            action=TaskAction.OPEN, number=too_big, view=TaskFilter.OPEN, page=too_big, owner=1
        ).pack()


def _clip_by_units(text: str, limit: int) -> str:
    """`clip` walking every character; its fast path must agree."""
    text = " ".join(text.split())
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit - 1:
            return text[:index].rstrip() + "…"
    return text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab c\n\té€Ж🧪🦄\u00a0\u2003", max_size=60), st.integers(0, 50))
def test_clip_cuts_where_it_did(text: str, limit: int) -> None:
    assert clip(text, limit) == _clip_by_units(text, limit)


def test_search_keyboard_fits_telegram_with_the_longest_query(i18n: I18n) -> None:
    words = read_query("щ" * 100 + " и ещё слова").words  # as long as a query gets, in bytes
    found = SearchPage(
        words=words,
        cut=True,
        items=tuple(make_task(number, TaskStatus.DONE, "x") for number in (1, BIGGEST)),
        page=99_999,
        page_size=2,
        total=2 * 200_000,
    )
    with i18n.context(), i18n.use_locale("ru"):
        markup = search_keyboard(found, owner=2**53)
    assert texts(markup) == [["#1", f"#{BIGGEST}"], ["◀️", "▶️"]]
    assert markup is not None
    rows = markup.inline_keyboard
    [numbers, pages] = [[button.callback_data or "" for button in row] for row in rows]
    assert max(len(data.encode()) for data in numbers + pages) <= 64
    assert TaskCallback.unpack(numbers[1]) == TaskCallback(
        action=TaskAction.OPEN, number=BIGGEST, view=TaskFilter.OPEN, page=0, owner=2**53
    )
    assert [SearchCallback.unpack(data) for data in pages] == [
        SearchCallback(page=page, owner=2**53, query=" ".join(words)) for page in (99_998, 100_000)
    ]
