"""The person's language from their Telegram settings, English otherwise."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware


@lru_cache(maxsize=256)
def _resolve(available: frozenset[str], default: str, language_code: str) -> str:
    candidates = [language_code.replace("-", "_"), language_code.split("-")[0].lower()]
    for candidate in candidates:
        if candidate in available:
            return candidate
    return default


def locale_for(i18n: I18n, language_code: str | None) -> str:
    """The catalog for a Telegram language code ("pt-br" -> "pt", "ru" -> "ru"), or the
    default one; also for messages sent outside an update (reminders)."""
    if not language_code:
        return i18n.default_locale
    return _resolve(frozenset(i18n.available_locales), i18n.default_locale, language_code)


class LocaleMiddleware(SimpleI18nMiddleware):
    """aiogram's SimpleI18nMiddleware, resolving a language code once (parsing it with
    Babel on every update showed up in profiles)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        return locale_for(self.i18n, user.language_code if user else None)
