"""What every message and button press passes before a handler, as one outer middleware.

In order: the rate limit and access control (neither touches the database), then the sender
becomes a `Person`, then a press on someone else's list is declined, or a command leaves a
dialogue. One middleware instead of one per step: aiogram wraps and calls each middleware
on every update, which showed in the benchmark. The steps live in their own modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.chat.bursts import Bursts
from bot.chat.middlewares.access import AccessControl
from bot.chat.middlewares.dialogue import leave_on_command
from bot.chat.middlewares.guard import decline, is_foreign
from bot.chat.middlewares.person import is_nobody, person_of
from bot.chat.middlewares.ratelimit import RateLimit


def content_of(event: TelegramObject) -> Message | None:
    """Text for the list in a private chat (typed, pasted or forwarded), not a command."""
    if not isinstance(event, Message) or event.chat.type != ChatType.PRIVATE:
        return None
    if not event.text or event.text.startswith("/"):
        return None
    return event


class Gate(BaseMiddleware):
    """`content_limit` is the flood limit for text meant for the list: a person may forward
    or paste many messages at once, and those are saved (and answered together, see
    bot.chat.bursts) up to this much higher limit; past it they are named as not saved."""

    def __init__(
        self,
        rate_limit: RateLimit,
        access: AccessControl,
        *,
        content_limit: RateLimit,
        bursts: Bursts,
    ) -> None:
        self._rate_limit = rate_limit
        self._content_limit = content_limit
        self._bursts = bursts
        self._access = access

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or is_nobody(user, event):
            return None
        content = content_of(event)
        if content is not None:
            if not self._content_limit.admit(user.id):
                assert content.bot is not None  # set on every update the dispatcher feeds
                self._bursts.refused(content.bot, content.chat.id, user.id, content.text or "")
                return None
        elif not self._rate_limit.admit(user.id):
            return await self._rate_limit.refuse(user, event)
        if not self._access.allows(user):
            return await self._access.refuse(user, event)  # nothing of theirs reaches the service
        person = person_of(user)
        if person is None:
            return None
        data["person"] = person
        if isinstance(event, CallbackQuery) and is_foreign(event):
            return await decline(event)
        if isinstance(event, Message) and data["event_update"].edited_message is None:
            await leave_on_command(event, data)
        return await handler(event, data)
