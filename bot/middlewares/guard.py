"""In groups, a list or card belongs to whoever asked for it; others' presses are declined.

Ownership of tasks is enforced by the service whatever happens here. This only stops a
second person's press from turning someone's list message into their own list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _


class ForeignPressGuard(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, CallbackQuery) and _is_foreign(event):
            await event.answer(_("This is someone else's list. Send /list to see yours."))
            return None
        return await handler(event, data)


def _is_foreign(query: CallbackQuery) -> bool:
    message = query.message
    if not isinstance(message, Message) or message.chat.type == ChatType.PRIVATE:
        return False
    asker = message.reply_to_message.from_user if message.reply_to_message else None
    return asker is not None and asker.id != query.from_user.id
