"""In groups, a list or card belongs to whoever asked for it; others' presses are declined.

Ownership of tasks is enforced by the service whatever happens here. This only stops a
second person's press from turning someone's list message into their own list.
"""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


def is_foreign(query: CallbackQuery) -> bool:
    message = query.message
    if not isinstance(message, Message) or message.chat.type == ChatType.PRIVATE:
        return False
    asker = message.reply_to_message.from_user if message.reply_to_message else None
    return asker is not None and asker.id != query.from_user.id


async def decline(query: CallbackQuery) -> None:
    await query.answer(_("This is someone else's list. Send /list to see yours."))
