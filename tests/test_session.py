"""The bot's session sends the parameters aiogram's own session would: the same names with the
same values, as a JSON body where aiogram sends a url-encoded form (aiogram's string values
are compared as what they encode: `"1"` as 1, a keyboard's JSON as the object)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
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
from aiogram.methods.base import TelegramType
from aiogram.types import BotCommand, BufferedInputFile, Chat, Message, User
from aiohttp import FormData

from bot.config import Settings
from bot.factory import create_bot
from bot.i18n import create_i18n
from bot.keyboards import card_keyboard
from bot.schemas import TaskRead, TaskStatus
from bot.session import JsonBody, TelegramSession
from bot.telegram import EditMessageTextNoEcho, SendMessageNoEcho, respond
from tests.conftest import TEST_TOKEN

I18N = create_i18n()
MOMENT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _methods_task() -> TaskRead:
    return TaskRead(
        number=7,
        title="Buy milk",
        description=None,
        status=TaskStatus.IN_PROGRESS,
        created_at=MOMENT,
        updated_at=MOMENT,
        done_at=None,
    )


def _methods() -> list[TelegramMethod[Any]]:
    task = _methods_task()
    with I18N.context(), I18N.use_locale("ru"):
        keyboard = card_keyboard(task, undo=True)
    return [
        SendMessage(chat_id=1, text="<b>hi</b> & ✅", reply_markup=keyboard),
        SendMessage(chat_id=-100, text="plain", reply_to_message_id=5),
        EditMessageText(chat_id=1, message_id=2, text="card", reply_markup=keyboard),
        EditMessageTextNoEcho(chat_id=1, message_id=2, text="card", reply_markup=keyboard),
        SendMessageNoEcho(chat_id=1, text="<b>hi</b> & ✅", reply_markup=keyboard),
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
def test_requests_carry_what_aiograms_would(method: TelegramMethod[Any]) -> None:
    # The bot as create_bot makes it: its defaults (parse mode, link previews) apply.
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""))
    ours = TelegramSession().build_form_data(bot, method)
    aiograms = AiohttpSession().build_form_data(bot, method)
    if isinstance(ours, JsonBody):
        payload = ours()
        assert payload.content_type == "application/json"
        sent = {key: _decoded(value) for key, value in json.loads(ours.body).items()}
        assert sent == {name: value for name, (_file, value) in _fields(aiograms).items()}
    else:  # uploads go as aiogram's own multipart form
        assert _fields(ours) == _fields(aiograms)


def test_requests_without_files_are_json() -> None:
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""))
    kinds = {
        method.__api_method__: type(TelegramSession().build_form_data(bot, method))
        for method in _methods()
    }
    assert kinds.pop("sendDocument") is FormData
    assert set(kinds.values()) == {JsonBody}


def _decoded(value: Any) -> Any:
    """A form value as what it encodes (JSON numbers, booleans, arrays and objects)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return value if isinstance(decoded, str) else decoded
    return value


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
        else:
            shown = _decoded(value)
        fields[name] = (options.get("filename", ""), shown)
    return fields


def test_the_bot_uses_it() -> None:
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""))
    assert isinstance(bot.session, TelegramSession)


def test_each_bot_sends_its_own_defaults() -> None:
    session = TelegramSession()
    html = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    markdown = Bot(
        TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="MarkdownV2")
    )
    plain = Bot(TEST_TOKEN, session=session)
    method = SendMessage(chat_id=1, text="x")
    sent = [
        json.loads(session.build_form_data(bot, method).body).get("parse_mode")  # type: ignore[attr-defined]
        for bot in (html, markdown, plain, html)
    ]
    assert sent == ["HTML", "MarkdownV2", None, "HTML"]


def test_an_edit_without_echo_is_checked_but_its_answer_not_parsed() -> None:
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""))
    session = TelegramSession()
    method = EditMessageTextNoEcho(chat_id=1, message_id=2, text="card")
    echo = {"message_id": 2, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "card"}
    answer = session.check_response(bot, method, 200, json.dumps({"ok": True, "result": echo}))
    result: Any = answer.result  # typed as EditMessageText's answer, a Message or True
    assert result == echo  # the JSON as it came, no models built
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        session.check_response(
            bot,
            method,
            400,
            json.dumps(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is not modified",
                }
            ),
        )


class _Recording(TelegramSession):
    """Keeps each request instead of sending it; Telegram would answer with the message."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[TelegramMethod[Any]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        self.sent.append(method)
        return cast(TelegramType, {"message_id": 9})


@pytest.mark.parametrize(
    ("chat_type", "topic"),
    [(ChatType.PRIVATE, None), (ChatType.GROUP, None), (ChatType.SUPERGROUP, 5)],
)
async def test_respond_sends_what_aiograms_answer_or_reply_would(
    chat_type: str, topic: int | None
) -> None:
    session = _Recording()
    bot = create_bot(Settings(_env_file=None, bot_token=TEST_TOKEN, allowed_users=""), session)
    message = Message(
        message_id=3,
        date=MOMENT,
        chat=Chat(id=-100 if topic else 7, type=chat_type),
        from_user=User(id=7, is_bot=False, first_name="Ann"),
        text="/list",
        message_thread_id=topic,
        is_topic_message=topic is not None,
    ).as_(bot)
    with I18N.context(), I18N.use_locale("en"):
        keyboard = card_keyboard(_methods_task())
    await respond(message, "<b>hi</b>", keyboard)
    [sent] = session.sent
    assert isinstance(sent, SendMessageNoEcho)
    aiograms = (
        message.answer("<b>hi</b>", reply_markup=keyboard)
        if chat_type == ChatType.PRIVATE
        else message.reply("<b>hi</b>", reply_markup=keyboard)
    )
    assert sent.model_dump() == aiograms.model_dump()
    assert sent.model_fields_set == aiograms.model_fields_set
    assert sent.bot is bot
    ours, theirs = session.build_form_data(bot, sent), session.build_form_data(bot, aiograms)
    assert ours.body == theirs.body  # type: ignore[attr-defined]
