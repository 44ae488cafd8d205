"""A Bot API session that records what the bot sends and answers like Telegram, offline.

It serialises every call exactly as aiogram's real session does (so a value Telegram would
never see, or a bad parse mode, shows up here), parses the answer through aiogram's own
response checking, and keeps each chat's messages so tests can read them after edits.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InputFile

from tests.telegram_rules import validate_outgoing

# Telegram lets bots download files of up to 20 MB (getFile refuses larger ones).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

BOT_USER: dict[str, Any] = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Todo",
    "username": "todo_test_bot",
}


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    edits: int = 0

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        rows: list[list[dict[str, Any]]] = (self.reply_markup or {}).get("inline_keyboard", [])
        return rows

    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]


@dataclass
class Request:
    method: str
    params: dict[str, Any]
    # Uploads by form field: (file name, content).
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class RecordingSession(AiohttpSession):
    requests: list[Request] = field(default_factory=list)
    messages: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    answered_callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _message_ids: count[int] = field(default_factory=lambda: count(10_000))
    # (method, HTTP status, JSON payload or None for an HTML error page), used up in order.
    failures: list[tuple[str, int, dict[str, Any] | None]] = field(default_factory=list)
    # Files people sent, by file_id: (file_path, content); and the paths the bot downloaded.
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        AiohttpSession.__init__(self)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        params: dict[str, Any] = {}
        files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                params[key] = prepared
        name = method.__api_method__
        uploads = {
            key: (upload.filename or key, upload.data)
            for key, upload in files.items()
            if isinstance(upload, BufferedInputFile)
        }
        self.requests.append(Request(name, params, uploads))
        failure = next((f for f in self.failures if f[0] == name), None)
        if failure is not None:
            self.failures.remove(failure)
            _, status, error = failure
            content = json.dumps(error) if error else "<html>502 Bad Gateway</html>"
        else:
            status, payload = self._respond(name, params)
            content = json.dumps(payload)
        response = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return cast(TelegramType, response.result)

    async def close(self) -> None:
        return None

    def add_file(self, file_id: str, file_path: str, content: bytes) -> None:
        """A file a person sent, for getFile and the download to find."""
        self.files[file_id] = (file_path, content)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """The file download (GET {api}/file/bot<token>/<file_path>), served from `files`."""
        prefix = self.api.file.split("{token}", 1)[0]
        assert url.startswith(prefix), f"not a file download: {url!r}"
        _token, _slash, path = url.removeprefix(prefix).partition("/")
        stored = {stored_path: content for stored_path, content in self.files.values()}
        assert path in stored, f"the bot downloaded {path!r}, which no one sent"
        self.downloads.append(path)
        content = stored[path]
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    def fail_next(
        self, method: str, status: int, description: str = "", *, retry_after: int | None = None
    ) -> None:
        """Make the next `method` call fail like Telegram would (502: an HTML error page)."""
        if status == 502:
            self.failures.append((method, status, None))
            return
        error: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        self.failures.append((method, status, error))

    # -- Telegram's side ----------------------------------------------------------------------

    def _respond(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        markup = json.loads(params["reply_markup"]) if "reply_markup" in params else None
        if name in {"sendMessage", "editMessageText"}:
            error = validate_outgoing(params.get("text", ""), params.get("parse_mode"), markup)
            if error:
                return 400, {"ok": False, "error_code": 400, "description": error}
        if name == "sendMessage":
            chat_id = int(params["chat_id"])
            message = SentMessage(chat_id, next(self._message_ids), params["text"], markup)
            self.messages[(chat_id, message.message_id)] = message
            return 200, {"ok": True, "result": self._message_json(message)}
        if name == "editMessageText":
            key = (int(params["chat_id"]), int(params["message_id"]))
            existing = self.messages.get(key)
            if existing is None:
                return 400, _bad_request("Bad Request: message to edit not found")
            if existing.text == params["text"] and existing.reply_markup == markup:
                return 400, _bad_request(
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message"
                )
            existing.text, existing.reply_markup = params["text"], markup
            existing.edits += 1
            return 200, {"ok": True, "result": self._message_json(existing)}
        if name == "sendDocument":
            chat_id = int(params["chat_id"])
            document = {"file_id": "file", "file_unique_id": "file-u"}
            result = {
                "message_id": next(self._message_ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "document": document,
            }
            return 200, {"ok": True, "result": result}
        if name == "answerCallbackQuery":
            query_id = params["callback_query_id"]
            if query_id in self.answered_callbacks:
                return 400, _bad_request(
                    "Bad Request: query is too old and response timeout expired or query ID "
                    "is invalid"
                )
            self.answered_callbacks[query_id] = params
            return 200, {"ok": True, "result": True}
        if name == "getFile":
            found = self.files.get(params.get("file_id", ""))
            if found is None:
                return 400, _bad_request("Bad Request: invalid file_id")
            path, content = found
            if len(content) > MAX_DOWNLOAD_BYTES:
                return 400, _bad_request("Bad Request: file is too big")
            result = {
                "file_id": params["file_id"],
                "file_unique_id": f"u-{params['file_id']}",
                "file_size": len(content),
                "file_path": path,
            }
            return 200, {"ok": True, "result": result}
        if name == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if name in {
            "setMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "deleteWebhook",
            "deleteMessage",
        }:
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": message.chat_id, "type": "private" if message.chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": message.text,
        }
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result


def _bad_request(description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": description}
