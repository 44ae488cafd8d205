"""Small helpers around sending and editing that every handler would otherwise repeat."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)


class EditMessageTextNoEcho(EditMessageText):
    """editMessageText whose answer is checked for success but not parsed into models.

    Telegram answers an edit with the whole edited message, its keyboard included, and
    aiogram would validate that into a tree of models with the bot bound to each: the
    largest cost of a button press after the database, for an answer `show` never reads.
    Errors ("message is not modified", ...) are raised as for any method.
    """

    # The answer as JSON: `bot(...)` returns it unparsed, whatever aiogram's types say.
    __returning__ = Any  # type: ignore[assignment]


_NOT_MODIFIED = "message is not modified"
# The message is too old, was deleted, or is not ours: show the result as a new message.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found", "message_id_invalid")


async def respond(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer a person's message; in groups as a reply, so it is clear whom it is for."""
    if message.chat.type == ChatType.PRIVATE:
        return await message.answer(text, reply_markup=reply_markup)
    return await message.reply(text, reply_markup=reply_markup)


async def show(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message with new content, as lists and cards do.

    Editing to what is already there is fine (two quick presses); a message that can no
    longer be edited gets a fresh message instead.
    """
    bot = query.bot
    assert bot is not None  # set on every update the dispatcher feeds
    message = query.message
    if message is None:  # a button on an inline-mode message: no chat to edit in
        await bot.send_message(query.from_user.id, text, reply_markup=reply_markup)
        return
    try:
        await bot(
            EditMessageTextNoEcho(
                text=text,
                chat_id=message.chat.id,
                message_id=message.message_id,
                reply_markup=reply_markup,
            )
        )
    except TelegramBadRequest as error:
        reason = error.message.lower()
        if _NOT_MODIFIED in reason:
            return
        if not any(marker in reason for marker in _CANNOT_EDIT):
            raise
        log.info("message %s can't be edited (%s); sending a new one", message.message_id, reason)
        await bot.send_message(message.chat.id, text, reply_markup=reply_markup)


async def send_to_presser(
    query: CallbackQuery, bot: Bot, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """A new message in the chat where the button was pressed (or privately)."""
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return await bot.send_message(chat_id, text, reply_markup=reply_markup)
