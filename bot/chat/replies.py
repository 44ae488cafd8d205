"""Sending and editing as every handler does it.

Privacy in groups: what shows a person's tasks (lists, cards, reports) goes to their private
chat; the group sees a short acknowledgement, or, when the bot may not write to them first
(they never started it), a button that opens the private chat.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    User,
)
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)

_NOT_MODIFIED = "message is not modified"
# The message is too old, was deleted, or is not ours: show the result as a new message.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found", "message_id_invalid")


def _bot(event: Message | CallbackQuery) -> Bot:
    assert event.bot is not None  # set on every update the dispatcher feeds
    return event.bot


async def respond(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a person's message; in groups as a reply, so it is clear whom it is for."""
    if message.chat.type == ChatType.PRIVATE:
        await message.answer(text, reply_markup=reply_markup)
    else:
        await message.reply(text, reply_markup=reply_markup)


async def _send_privately(
    bot: Bot, user: User, text: str, reply_markup: InlineKeyboardMarkup | None
) -> bool:
    """False when Telegram won't let the bot write to them first."""
    try:
        await bot.send_message(user.id, text, reply_markup=reply_markup)
    except TelegramForbiddenError as error:
        log.info("can't write to %s privately: %s", user.id, error.message)
        return False
    return True


async def open_private_chat_button(bot: Bot) -> InlineKeyboardMarkup:
    me = await bot.me()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("💬 Open a private chat"), url=f"https://t.me/{me.username}?start=group"
                )
            ]
        ]
    )


async def respond_privately(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer with something only its sender should see: in a private chat as usual; from a
    group, in the sender's private chat, with a short note in the group."""
    if message.chat.type == ChatType.PRIVATE or message.from_user is None:
        await respond(message, text, reply_markup)
        return
    if await _send_privately(_bot(message), message.from_user, text, reply_markup):
        await message.reply(_("📬 I sent it to you in a private chat."))
        return
    await message.reply(
        _(
            "I can't write to you first. Open a private chat with me, press Start, "
            "and send the command there."
        ),
        reply_markup=await open_private_chat_button(_bot(message)),
    )


async def show(
    query: CallbackQuery,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    notice: str | None = None,
) -> None:
    """Replace the pressed message with new content, as lists and cards do, and answer the
    press with `notice` (every press is answered, so the button stops spinning).

    Editing to what is already there is fine (two quick presses); a message that can no
    longer be edited gets a fresh message instead. A press in a group gets its answer in
    the presser's private chat.
    """
    message = query.message
    if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
        # A group, an inline-mode message, or one too old for Telegram to send us.
        if not await _send_privately(_bot(query), query.from_user, text, reply_markup):
            await query.answer(
                _("Open a private chat with me and press Start: that is where I show tasks."),
                show_alert=True,
            )
            return
        await query.answer(notice or _("📬 Sent to you in a private chat."))
        return
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        reason = error.message.lower()
        if _NOT_MODIFIED not in reason:
            if not any(marker in reason for marker in _CANNOT_EDIT):
                raise
            log.info("message %s can't be edited (%s); sending anew", message.message_id, reason)
            await message.answer(text, reply_markup=reply_markup)
    await query.answer(notice)


async def send_to_presser(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message in the presser's private chat."""
    await _bot(query).send_message(query.from_user.id, text, reply_markup=reply_markup)
