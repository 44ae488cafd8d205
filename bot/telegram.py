"""Small helpers around sending and editing that every handler would otherwise repeat.

Telegram answers a sent or edited message with a copy of it, keyboard included, and aiogram
would validate that into a tree of models with the bot bound to each: after the database, the
largest cost of a reply. The handlers never read it, so these helpers send the *NoEcho
methods, whose answer is checked for success but left as JSON. Errors ("message is not
modified", a blocked chat, ...) are raised as for any method. Where a future handler needs
the sent message (its id, say), send aiogram's own method.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.models_copy import moved, replaced

log = logging.getLogger(__name__)


class SendMessageNoEcho(SendMessage):
    """sendMessage, its answer left unparsed (see the module docstring)."""

    # The answer as JSON: `bot(...)` returns it unparsed, whatever aiogram's types say.
    __returning__ = Any  # type: ignore[assignment]


class EditMessageTextNoEcho(EditMessageText):
    """editMessageText, its answer left unparsed (see the module docstring)."""

    __returning__ = Any  # type: ignore[assignment]


# Validated once; each edit is a copy with its fields replaced (bot.models_copy).
_EDIT = EditMessageTextNoEcho(text=" ", chat_id=0, message_id=0)


_NOT_MODIFIED = "message is not modified"
# The message is too old, was deleted, or is not ours: show the result as a new message.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found", "message_id_invalid")


async def respond(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a person's message; in groups as a reply, so it is clear whom it is for."""
    if message.chat.type == ChatType.PRIVATE:
        method = message.answer(text, reply_markup=reply_markup)
    else:
        method = message.reply(text, reply_markup=reply_markup)
    # aiogram's Message.answer/reply built the request (chat, topic, business connection,
    # reply); it goes as SendMessageNoEcho, bound to the message's bot as it was.
    await moved(method, SendMessageNoEcho)


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
        await bot(
            SendMessageNoEcho(chat_id=query.from_user.id, text=text, reply_markup=reply_markup)
        )
        return
    try:
        await bot(
            replaced(
                _EDIT,
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
        await bot(SendMessageNoEcho(chat_id=message.chat.id, text=text, reply_markup=reply_markup))


async def send_to_presser(
    query: CallbackQuery, bot: Bot, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message in the chat where the button was pressed (or privately)."""
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await bot(SendMessageNoEcho(chat_id=chat_id, text=text, reply_markup=reply_markup))
