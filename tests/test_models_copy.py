"""bot.models_copy makes the objects pydantic's own copying and validation make."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import BaseModel

from bot.models_copy import moved, replaced
from bot.telegram import EditMessageTextNoEcho, SendMessageNoEcho

_KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="b")]]
)


def _same(ours: BaseModel, theirs: BaseModel) -> None:
    assert type(ours) is type(theirs)
    assert ours == theirs  # fields, extra and private attributes
    assert ours.model_fields_set == theirs.model_fields_set
    assert ours.model_dump() == theirs.model_dump()
    assert ours.model_dump(exclude_unset=True) == theirs.model_dump(exclude_unset=True)


@pytest.mark.parametrize(
    ("template", "values"),
    [
        (InlineKeyboardButton(text=" ", callback_data=" "), {"text": "x", "callback_data": "y"}),
        (InlineKeyboardMarkup(inline_keyboard=[]), {"inline_keyboard": [[]]}),
        (
            EditMessageTextNoEcho(text=" ", chat_id=0, message_id=0),
            {"text": "<b>card</b>", "chat_id": 7, "message_id": 5, "reply_markup": _KEYBOARD},
        ),
        (
            EditMessageTextNoEcho(text=" ", chat_id=0, message_id=0),
            {"text": "card", "chat_id": -100, "message_id": 5, "reply_markup": None},
        ),
    ],
)
def test_replaced_is_what_validation_makes(template: BaseModel, values: dict[str, Any]) -> None:
    ours = replaced(template, **values)
    _same(ours, template.model_copy(update=values))
    _same(ours, type(template)(**{**template.model_dump(exclude_unset=True), **values}))
    # Its own state: changing the copy leaves the template alone.
    assert ours.__dict__ is not template.__dict__
    assert ours.__pydantic_fields_set__ is not template.__pydantic_fields_set__


def test_moved_keeps_every_field_and_the_bound_bot() -> None:
    method = SendMessage(chat_id=7, text="hi", reply_markup=_KEYBOARD, message_thread_id=3)
    expected = SendMessageNoEcho(chat_id=7, text="hi", reply_markup=_KEYBOARD, message_thread_id=3)
    _same(moved(method, SendMessageNoEcho), expected)


def test_moved_only_to_a_subclass_of_the_same_model() -> None:
    with pytest.raises(AssertionError):
        moved(EditMessageText(text="x", chat_id=1, message_id=1), SendMessageNoEcho)
