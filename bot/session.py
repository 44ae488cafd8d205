"""The Bot API session: aiogram's aiohttp session, building requests with less work.

aiogram dumps the whole method, every unset field of every keyboard button included, walks
that tree in Python to drop the None values and convert the rest (`prepare_value`), encodes
each nested value as JSON, and url-encodes the lot as a form, character by character. For a
list with thirteen buttons that was about a third of the bot's cost per update. The Bot API
also takes `application/json` bodies (for anything but file uploads), so this session:

- dumps the method without its None fields, which the walk would only drop;
- prepares the bot's defaults (parse mode, link preview options) once, not per request;
- encodes an inline keyboard with pydantic, which holds nothing the walk converts (no
  files, dates or defaults);
- sends a request without files as one JSON object, not a url-encoded form, encoded as UTF-8
  by pydantic-core (the session's `json_dumps` is aiogram's hook for form values only). A
  request with files goes as aiogram sends it.

`tests/test_session.py` holds every request's parameters equal to what aiogram would send.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile
from aiohttp import FormData
from aiohttp.payload import BytesPayload, Payload
from pydantic_core import to_json

_MARKUP = "reply_markup"


class JsonBody(FormData):
    """Parameters sent as `application/json`. A FormData to aiohttp, which turns any FormData
    into the request's payload by calling it."""

    def __init__(self, body: bytes) -> None:
        # No FormData.__init__: it makes a multipart writer (and reads os.urandom for its
        # boundary) that a JSON body never uses. aiohttp only calls the form.
        self.body = body

    def __call__(self) -> Payload:
        return BytesPayload(self.body, content_type="application/json")


class TelegramSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # (bot defaults, name) -> (the defaults object, the value as sent); see _default.
        self._defaults: dict[tuple[int, str], tuple[DefaultBotProperties, Any]] = {}

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        keyboard = getattr(method, _MARKUP, None)
        if not isinstance(keyboard, InlineKeyboardMarkup):
            keyboard = None
        values = method.model_dump(
            warnings=False, exclude_none=True, exclude={_MARKUP} if keyboard else None
        )
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in values.items():
            if isinstance(value, Default):
                prepared = self._default(bot, value.name)
            else:
                prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":  # what aiogram's form leaves out
                params[key] = prepared
        if keyboard is not None:
            params[_MARKUP] = keyboard.model_dump(mode="json", warnings=False, exclude_none=True)
        if not files:
            return JsonBody(to_json(params))
        # Uploads need multipart: aiogram's own form.
        return super().build_form_data(bot, method)

    def _default(self, bot: Bot, name: str) -> Any:
        """A bot default as `prepare_value` sends it, prepared once per bot: every message
        carries three (parse mode, link preview), and the link preview's options are a model
        that would be dumped again each time. A bot's defaults are fixed when it is made."""
        defaults = bot.default
        key = (id(defaults), name)
        cached = self._defaults.get(key)
        if cached is None or cached[0] is not defaults:
            value = self.prepare_value(defaults[name], bot=bot, files={}, _dumps_json=False)
            cached = self._defaults[key] = (defaults, value)
        return cached[1]
