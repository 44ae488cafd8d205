"""The fast keyboards are the very keyboards validation and `CallbackData.pack()` build.

`bot.keyboards` skips pydantic validation (buttons are copies of a validated template) and
packs callback data with f-strings (`XCallback.packed`), and caches fixed labels per
language. Here each keyboard is compared with one built the plain way, below, for many
tasks, pages, views and languages: the models, their dumps and the Bot API form aiogram
sends must all be equal, and every callback string must unpack to what it was packed from.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbacks import (
    DonePickerCallback,
    ListCallback,
    PickAction,
    TaskAction,
    TaskCallback,
)
from bot.i18n import create_i18n
from bot.keyboards import (
    card_keyboard,
    delete_confirmation_keyboard,
    done_picker_keyboard,
    list_keyboard,
)
from bot.rendering import BUTTON_TITLE_LIMIT, STATUS_ICONS, clip
from bot.schemas import TaskFilter, TaskPage, TaskRead, TaskStatus

BIGGEST = 2**63 - 1
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
TITLES = (
    "Buy milk",
    "A title well past the thirty-two units a button shows",
    "🧪" * 40,
    "  spaces\n and\ttabs  ",
    "Кириллица и ещё немного текста, чтобы обрезать",
    "",
)
# "de" has no catalog: gettext falls back to the English message ids.
LOCALES = ("en", "ru", "de", "en")
PREFIXES: dict[str, type[CallbackData]] = {
    cls.__prefix__: cls for cls in (TaskCallback, ListCallback, DonePickerCallback)
}


# The plain way: the keyboards as they were built before, every model validated.


def _status_label(status: TaskStatus) -> str:
    return {
        TaskStatus.PENDING: _("To do"),
        TaskStatus.IN_PROGRESS: _("In progress"),
        TaskStatus.DONE: _("Done"),
    }[status]


def _filter_label(task_filter: TaskFilter) -> str:
    return {
        TaskFilter.OPEN: _("📂 Open"),
        TaskFilter.DONE: _("☑️ Done"),
        TaskFilter.ALL: _("🗂 All"),
    }[task_filter]


def _button(text: str, callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=callback_data)


def _task_button(task: TaskRead, callback_data: str) -> InlineKeyboardButton:
    title = clip(task.title, BUTTON_TITLE_LIMIT)
    return _button(f"{STATUS_ICONS[task.status]} #{task.number} {title}", callback_data)


def reference_list(page: TaskPage) -> InlineKeyboardMarkup:
    rows = [
        [
            _task_button(
                task,
                TaskCallback(
                    action=TaskAction.OPEN, number=task.number, view=page.filter, page=page.page
                ).pack(),
            )
        ]
        for task in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(_button("◀️", ListCallback(view=page.filter, page=page.page - 1).pack()))
    if page.page < page.pages - 1:
        navigation.append(_button("▶️", ListCallback(view=page.filter, page=page.page + 1).pack()))
    if navigation:
        rows.append(navigation)
    counts = {
        TaskFilter.OPEN: page.open_count,
        TaskFilter.DONE: page.done_count,
        TaskFilter.ALL: page.open_count + page.done_count,
    }
    filters = []
    for task_filter in TaskFilter:
        label = f"{_filter_label(task_filter)} ({counts[task_filter]})"
        if task_filter is page.filter:
            label = f"• {label} •"
        filters.append(_button(label, ListCallback(view=task_filter, page=0).pack()))
    rows.append(filters)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def reference_card(
    task: TaskRead, task_filter: TaskFilter, page: int, *, undo: bool
) -> InlineKeyboardMarkup:
    def callback(action: TaskAction) -> str:
        return TaskCallback(action=action, number=task.number, view=task_filter, page=page).pack()

    actions = {
        TaskStatus.PENDING: TaskAction.TO_PENDING,
        TaskStatus.IN_PROGRESS: TaskAction.TO_IN_PROGRESS,
        TaskStatus.DONE: TaskAction.TO_DONE,
    }
    statuses = []
    for status, action in actions.items():
        label = f"{STATUS_ICONS[status]} {_status_label(status)}"
        if status is task.status:
            label = f"• {label} •"
        statuses.append(_button(label, callback(action)))
    rows = [
        statuses,
        [
            _button(_("✏️ Edit"), callback(TaskAction.EDIT)),
            _button(_("🗑 Delete"), callback(TaskAction.DELETE)),
        ],
        [_button(_("⬅️ Back to the list"), ListCallback(view=task_filter, page=page).pack())],
    ]
    if undo:
        rows.insert(0, [_button(_("↩️ Undo"), callback(TaskAction.UNDO))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def reference_delete_confirmation(
    task: TaskRead, task_filter: TaskFilter, page: int
) -> InlineKeyboardMarkup:
    def callback(action: TaskAction) -> str:
        return TaskCallback(action=action, number=task.number, view=task_filter, page=page).pack()

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(_("🗑 Yes, delete"), callback(TaskAction.DELETE_CONFIRMED)),
                _button(_("Keep it"), callback(TaskAction.OPEN)),
            ]
        ]
    )


def reference_done_picker(page: TaskPage) -> InlineKeyboardMarkup | None:
    rows = [
        [
            _task_button(
                task,
                DonePickerCallback(
                    action=PickAction.TICK, number=task.number, page=page.page
                ).pack(),
            )
        ]
        for task in page.items
    ]
    navigation = []
    if page.page > 0:
        navigation.append(
            _button("◀️", DonePickerCallback(action=PickAction.PAGE, page=page.page - 1).pack())
        )
    if page.page < page.pages - 1:
        navigation.append(
            _button("▶️", DonePickerCallback(action=PickAction.PAGE, page=page.page + 1).pack())
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


# Inputs.


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


def pages() -> Iterator[TaskPage]:
    for task_filter, (page, total, size) in itertools.product(
        TaskFilter, ((0, 0, 10), (0, 3, 10), (0, 25, 10), (1, 25, 10), (2, 25, 10), (4, 50, 10))
    ):
        shown = min(size, max(total - page * size, 0))
        items = tuple(
            make_task(
                page * size + index + 1,
                list(TaskStatus)[index % 3],
                TITLES[index % len(TITLES)],
            )
            for index in range(shown)
        )
        yield TaskPage(
            items=items,
            filter=task_filter,
            page=page,
            page_size=size,
            total=total,
            open_count=total,
            done_count=page * 3,
        )


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return create_i18n()


def assert_same(fast: InlineKeyboardMarkup | None, plain: InlineKeyboardMarkup | None) -> None:
    assert (fast is None) == (plain is None)
    if fast is None or plain is None:
        return
    assert fast.model_dump() == plain.model_dump()
    assert fast.model_dump(exclude_unset=True) == plain.model_dump(exclude_unset=True)
    assert fast.model_dump_json() == plain.model_dump_json()
    assert fast == plain  # fields, extra and private attributes
    assert fast.model_fields_set == plain.model_fields_set
    pairs = zip(
        itertools.chain.from_iterable(fast.inline_keyboard),
        itertools.chain.from_iterable(plain.inline_keyboard),
        strict=True,
    )
    for fast_button, plain_button in pairs:
        assert type(fast_button) is InlineKeyboardButton
        assert fast_button.model_fields_set == plain_button.model_fields_set
        assert fast_button.bot is None
        data = fast_button.callback_data
        assert data is not None
        assert len(data.encode()) <= 64
        callback = PREFIXES[data.split(":")[0]]
        assert callback.unpack(data).pack() == data
    # Buttons are independent copies, not the template shared.
    buttons = list(itertools.chain.from_iterable(fast.inline_keyboard))
    assert len({id(button) for button in buttons}) == len(buttons)
    assert len({id(button.__dict__) for button in buttons}) == len(buttons)


def test_card_keyboards_equal_validated_ones(i18n: I18n) -> None:
    for locale in LOCALES:
        with i18n.context(), i18n.use_locale(locale):
            for task, task_filter, page, undo in itertools.product(
                tasks(), TaskFilter, (0, 3, 99_999), (False, True)
            ):
                assert_same(
                    card_keyboard(task, task_filter, page, undo=undo),
                    reference_card(task, task_filter, page, undo=undo),
                )
                assert_same(
                    delete_confirmation_keyboard(task, task_filter, page),
                    reference_delete_confirmation(task, task_filter, page),
                )
            task = next(tasks())
            assert_same(card_keyboard(task), reference_card(task, TaskFilter.OPEN, 0, undo=False))


def test_list_and_picker_keyboards_equal_validated_ones(i18n: I18n) -> None:
    for locale in LOCALES:
        with i18n.context(), i18n.use_locale(locale):
            for page in pages():
                assert_same(list_keyboard(page), reference_list(page))
                assert_same(done_picker_keyboard(page), reference_done_picker(page))


def test_labels_follow_the_current_language(i18n: I18n) -> None:
    task = make_task(1, TaskStatus.PENDING, "Buy milk")
    labels = {}
    with i18n.context():
        for locale in ("en", "ru", "en", "ru"):
            with i18n.use_locale(locale):
                labels[locale] = [
                    button.text for row in card_keyboard(task).inline_keyboard for button in row
                ]
                assert labels[locale] == [
                    button.text
                    for row in reference_card(task, TaskFilter.OPEN, 0, undo=False).inline_keyboard
                    for button in row
                ]
    assert labels["en"] != labels["ru"]
    # Another I18n (tests build several) gets its own labels, not the first one's.
    other = create_i18n()
    with other.context(), other.use_locale("ru"):
        assert card_keyboard(task) == reference_card(task, TaskFilter.OPEN, 0, undo=False)


NUMBERS = (0, 1, 42, -5, BIGGEST, True)
PAGES = (0, 1, 99_999, -3)


def test_task_callback_packed_equals_pack_and_round_trips() -> None:
    for action, number, view, page in itertools.product(TaskAction, NUMBERS, TaskFilter, PAGES):
        data = TaskCallback.packed(action, number, view, page)
        model = TaskCallback(action=action, number=number, view=view, page=page)
        assert data == model.pack()
        assert TaskCallback.unpack(data) == model
    for action, number in itertools.product(TaskAction, NUMBERS):
        model = TaskCallback(action=action, number=number)
        assert TaskCallback.packed(action, number) == model.pack()


def test_list_callback_packed_equals_pack_and_round_trips() -> None:
    for view, page in itertools.product(TaskFilter, PAGES):
        data = ListCallback.packed(view, page)
        model = ListCallback(view=view, page=page)
        assert data == model.pack()
        assert ListCallback.unpack(data) == model


def test_picker_callback_packed_equals_pack_and_round_trips() -> None:
    for pick, number, page in itertools.product(PickAction, NUMBERS, PAGES):
        data = DonePickerCallback.packed(pick, number, page)
        model = DonePickerCallback(action=pick, number=number, page=page)
        assert data == model.pack()
        assert DonePickerCallback.unpack(data) == model
        assert DonePickerCallback.packed(pick) == DonePickerCallback(action=pick).pack()


def test_packed_keeps_the_64_byte_limit() -> None:
    for action, view in itertools.product(TaskAction, TaskFilter):
        assert len(TaskCallback.packed(action, BIGGEST, view, 99_999).encode()) <= 64
    too_big = 10**40
    packs: tuple[Callable[[], str], ...] = (
        lambda: TaskCallback(action=TaskAction.OPEN, number=too_big, page=too_big).pack(),
        lambda: TaskCallback.packed(TaskAction.OPEN, too_big, TaskFilter.OPEN, too_big),
        lambda: ListCallback(view=TaskFilter.DONE, page=10**70).pack(),
        lambda: ListCallback.packed(TaskFilter.DONE, 10**70),
        lambda: DonePickerCallback(action=PickAction.TICK, number=too_big, page=too_big).pack(),
        lambda: DonePickerCallback.packed(PickAction.TICK, too_big, too_big),
    )
    for pack in packs:
        with pytest.raises(ValueError, match="too long"):
            pack()


def test_the_form_aiogram_sends_is_the_same(i18n: I18n) -> None:
    bot = Bot("42:TEST-token")
    session = AiohttpSession()
    with i18n.context(), i18n.use_locale("ru"):
        task = make_task(BIGGEST, TaskStatus.IN_PROGRESS, TITLES[2])
        page = next(page for page in pages() if page.page == 1)
        keyboards = [
            (
                card_keyboard(task, TaskFilter.DONE, 2),
                reference_card(task, TaskFilter.DONE, 2, undo=False),
            ),
            (list_keyboard(page), reference_list(page)),
        ]
    for fast, plain in keyboards:
        methods: tuple[TelegramMethod[Any], ...] = (
            SendMessage(chat_id=1, text="hi", reply_markup=fast),
            EditMessageText(chat_id=1, message_id=2, text="hi", reply_markup=fast),
        )
        for method in methods:
            reference = method.model_copy(update={"reply_markup": plain})
            sent = session.build_form_data(bot, method)
            expected = session.build_form_data(bot, reference)
            assert sent._fields == expected._fields
            assert sent()._value == expected()._value


def _clip_by_units(text: str, limit: int) -> str:
    """`clip` as it was, walking every character; its fast path must agree."""
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
