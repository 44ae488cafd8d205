"""Sending and editing as every handler does it: replies in groups, edits in place."""

from __future__ import annotations

import logging

from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
# The message is too old, was deleted, or is not ours: show the result as a new message.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found", "message_id_invalid")


async def respond(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a person's message; in groups as a reply, so it is clear whom it is for."""
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(text, reply_markup=reply_markup)
    else:
        await message.reply(text, reply_markup=reply_markup)


async def show(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message with new content, as lists and cards do.

    Editing to what is already there is fine (two quick presses); a message that can no
    longer be edited gets a fresh message instead.
    """
    message = query.message
    if not isinstance(message, Message):
        # A button on an inline-mode message, or a message too old for Telegram to send us.
        await send_to_presser(query, text, reply_markup)
        return
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        reason = error.message.lower()
        if _NOT_MODIFIED in reason:
            return
        if not any(marker in reason for marker in _CANNOT_EDIT):
            raise
        log.info("message %s can't be edited (%s); sending a new one", message.message_id, reason)
        await message.answer(text, reply_markup=reply_markup)


async def send_to_presser(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message in the chat where the button was pressed (or privately)."""
    assert query.bot is not None  # set on every update the dispatcher feeds
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await query.bot.send_message(chat_id, text, reply_markup=reply_markup)
