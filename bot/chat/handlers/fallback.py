"""What no other handler took: unknown commands, non-text messages, stale or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.filters import PRIVATE_CHAT, in_loop
from bot.chat.replies import respond


async def unknown_command(message: Message) -> None:
    # In groups, commands meant for other bots are none of our business.
    if message.chat.type == ChatType.PRIVATE:
        await respond(message, _("I don't know that command. Send /help to see what I can do."))


async def not_text(message: Message) -> None:
    await respond(message, _("I can only keep text. Send the task as a text message."))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button no longer works. Send /list for a fresh list."))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, in_loop(F.text.startswith("/")))
    router.message.register(not_text, PRIVATE_CHAT)
    router.callback_query.register(stale_button)
    return router
