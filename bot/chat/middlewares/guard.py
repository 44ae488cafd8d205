"""Every button belongs to the person it was made for; anyone else's press is declined.

The owner's id travels in the button's callback data (bot.chat.callbacks), which only the
bot writes, so this holds for copies of a message, forwards and group chats alike. The
service scopes every query by the presser as well; this keeps a second person's press from
acting on a task they were never shown (their own task with the same number).
"""

from __future__ import annotations

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.chat.callbacks import OWNED_BUTTONS


def button_owner(data: str | None) -> int | None:
    """The id the button was made for; None for data that is not one of our buttons."""
    if not data:
        return None
    for kind in OWNED_BUTTONS:
        if data.startswith(kind.__prefix__ + kind.__separator__):
            try:
                return kind.unpack(data).owner
            except (TypeError, ValueError):
                return None
    return None


def is_foreign(query: CallbackQuery) -> bool:
    owner = button_owner(query.data)
    return owner is not None and owner != query.from_user.id


async def decline(query: CallbackQuery) -> None:
    await query.answer(_("This button is someone else's. Send /list to see your tasks."))
