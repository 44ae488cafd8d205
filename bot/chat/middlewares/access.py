"""ALLOWED_USERS: when set, anyone else gets a polite refusal and leaves no trace."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _


class AccessControl:
    def __init__(self, ids: frozenset[int], usernames: frozenset[str]) -> None:
        self._ids = ids
        self._usernames = usernames

    def allows(self, user: User) -> bool:
        if not self._ids and not self._usernames:
            return True
        username = (user.username or "").lower()
        return user.id in self._ids or (bool(username) and username in self._usernames)

    @staticmethod
    async def refuse(user: User, event: TelegramObject) -> None:
        if isinstance(event, CallbackQuery):
            await event.answer(_("Sorry, this is a private bot."))
        elif isinstance(event, Message) and event.chat.type == ChatType.PRIVATE:
            # In groups, staying quiet is the polite refusal. In private, the id is what
            # the owner needs to let them in (ALLOWED_USERS).
            await event.answer(
                _(
                    "Sorry, this is a private bot. If its owner should let you in, send them "
                    "your Telegram id: <code>{id}</code>"
                ).format(id=user.id)
            )
