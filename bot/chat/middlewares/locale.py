"""The person's language from their Telegram settings, English otherwise."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, SimpleI18nMiddleware


class LocaleMiddleware(SimpleI18nMiddleware):
    """aiogram's SimpleI18nMiddleware, remembering what each language code resolved to
    (parsing it with Babel on every update showed up in profiles)."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)
        self._resolve = lru_cache(maxsize=256)(self._locale_for)

    def _locale_for(self, language_code: str) -> str:
        candidates = [language_code.replace("-", "_"), language_code.split("-")[0].lower()]
        for candidate in candidates:
            if candidate in self.i18n.available_locales:
                return candidate
        return self.i18n.default_locale

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None or not user.language_code:
            return self.i18n.default_locale
        return self._resolve(user.language_code)
