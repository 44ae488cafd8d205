"""The bot's session sends the same forms aiogram's own session would: the same fields with
the same values (JSON compared as JSON: the keyboard's is compact)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageText,
    GetUpdates,
    SendDocument,
    SendMessage,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import BotCommand, BufferedInputFile
from aiohttp import FormData

from bot.config import Settings
from bot.factory import create_bot
from bot.i18n import create_i18n
from bot.keyboards import card_keyboard
from bot.schemas import TaskRead, TaskStatus
from bot.session import TelegramSession
from tests.conftest import TEST_TOKEN

I18N = create_i18n()
MOMENT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _methods() -> list[TelegramMethod[Any]]:
    task = TaskRead(
        number=7,
        title="Buy milk",
        description=None,
        status=TaskStatus.IN_PROGRESS,
        created_at=MOMENT,
        updated_at=MOMENT,
        done_at=None,
    )
    with I18N.context(), I18N.use_locale("ru"):
        keyboard = card_keyboard(task, undo=True)
    return [
        SendMessage(chat_id=1, text="<b>hi</b> & ✅", reply_markup=keyboard),
        SendMessage(chat_id=-100, text="plain", reply_to_message_id=5),
        EditMessageText(chat_id=1, message_id=2, text="card", reply_markup=keyboard),
        AnswerCallbackQuery(callback_query_id="q"),
        AnswerCallbackQuery(callback_query_id="q", text="#7: Done", show_alert=True),
        SetMyCommands(
            commands=[BotCommand(command="add", description="Добавить")], language_code="ru"
        ),
        DeleteWebhook(drop_pending_updates=True),
        GetUpdates(offset=3, timeout=25, allowed_updates=["message", "callback_query"]),
        SendDocument(chat_id=1, document=BufferedInputFile(b"tasks", filename="tasks.txt")),
    ]


@pytest.mark.parametrize("method", _methods(), ids=lambda method: method.__api_method__)
def test_forms_equal_aiograms(method: TelegramMethod[Any]) -> None:
    bot = create_bot(
        Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users="")
    )  # its defaults apply
    ours = TelegramSession().build_form_data(bot, method)
    aiograms = AiohttpSession().build_form_data(bot, method)
    assert _fields(ours) == _fields(aiograms)


def _fields(form: FormData) -> dict[str, tuple[str, Any]]:
    """name: (filename, value), with a file's random `attach://` key made constant and JSON
    values parsed."""
    keys = {
        str(value).removeprefix("attach://")
        for _options, _headers, value in form._fields
        if str(value).startswith("attach://")
    }
    fields = {}
    for options, _headers, value in form._fields:
        name = "FILE" if options["name"] in keys else options["name"]
        shown = value
        if str(value).startswith("attach://"):
            shown = "attach://FILE"
        elif "filename" in options:
            shown = "<the file's stream>"  # an async generator of the same InputFile
        elif str(value)[:1] in "[{":
            shown = json.loads(value)
        fields[name] = (options.get("filename", ""), shown)
    return fields


def test_the_bot_uses_it() -> None:
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""))
    assert isinstance(bot.session, TelegramSession)
