"""The Bot API session: aiogram's aiohttp session, building request forms with less work.

aiogram dumps the whole method, every unset field of every keyboard button included, and
then walks that tree to drop the None values again (`BaseSession.prepare_value`). Dumping
without them in the first place gives the same form for a fraction of the walk: a seven-
button card was a fifth of a button press in the benchmark. `tests/test_session.py` holds
the forms equal to aiogram's, so an aiogram upgrade that changes its own cannot slip by.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import FormData


class TelegramSession(AiohttpSession):
    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        # AiohttpSession.build_form_data (aiogram 3.31), with exclude_none=True.
        form = FormData(quote_fields=False)
        files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            form.add_field(key, prepared)
        for key, file in files.items():
            form.add_field(key, file.read(bot), filename=file.filename or key)
        return form
