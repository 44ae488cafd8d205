"""The sender as a `Person` for handlers; the service syncs them in each use case, inside the
use case's own statement or transaction, so this costs no database round trip."""

from __future__ import annotations

from aiogram.types import Message, TelegramObject, User

from bot.schemas import Person

# Telegram's service account: automatic forwards from a linked channel, and more. Were it
# a person, it would be one shared by every group.
TELEGRAM_SERVICE_ID = 777000


def is_nobody(user: User, event: TelegramObject) -> bool:
    """Updates from no person: Telegram's service account, automatic forwards, and posts
    on behalf of a chat (a channel, or a group's anonymous admin)."""
    if user.id == TELEGRAM_SERVICE_ID:
        return True
    return isinstance(event, Message) and (
        event.sender_chat is not None or bool(event.is_automatic_forward)
    )


def person_of(user: User) -> Person | None:
    """None for bots: channel posts and other bots have no to-do list here."""
    if user.is_bot:
        return None
    return Person(telegram_id=user.id, username=user.username, language=user.language_code)
