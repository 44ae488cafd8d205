"""ALLOWED_USERS: when set, anyone else gets a polite refusal and leaves no trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _


class AccessControl(BaseMiddleware):
    def __init__(self, ids: frozenset[int], usernames: frozenset[str]) -> None:
        self._ids = ids
        self._usernames = usernames

    def allows(self, user: User) -> bool:
        if not self._ids and not self._usernames:
            return True
        username = (user.username or "").lower()
        return user.id in self._ids or (bool(username) and username in self._usernames)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self.allows(user):
            return await handler(event, data)
        refusal = _("Sorry, this is a private bot.")
        if isinstance(event, CallbackQuery):
            await event.answer(refusal)
        elif isinstance(event, Message) and event.chat.type == ChatType.PRIVATE:
            await event.answer(refusal)  # in groups, staying quiet is the polite refusal
        return None  # nothing about them reaches the service, so nothing is stored
