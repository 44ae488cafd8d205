"""A fake Telegram Bot API server for end-to-end tests.

It speaks the HTTP protocol of https://core.telegram.org/bots/api closely enough for aiogram's
long polling: ``POST {base_url}/bot{token}/{method}`` with form-encoded (or multipart, or JSON)
parameters, answering ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": ...}``. Error texts are Telegram's, so code that matches on them keeps working.

The test side pushes user activity (:meth:`FakeTelegram.push_message`,
:meth:`FakeTelegram.push_callback`) and inspects what the bot did: the per-chat message
history with edits, callback answers, and every request in :attr:`FakeTelegram.requests`.

Updates reach the bot by getUpdates, or, once the bot called setWebhook, as Telegram sends
them to a webhook: a POST of the update's JSON to the URL, with the secret token in the
``X-Telegram-Bot-Api-Secret-Token`` header, up to ``max_connections`` at once; an update is
delivered until the webhook answers 2xx, and meanwhile getUpdates is refused with 409.
Every attempt is in :attr:`FakeTelegram.deliveries`. A test can also post an update itself
(:meth:`FakeTelegram.new_message_update` builds one without queueing it).

Where the fake knowingly differs from Telegram:

- HTML is parsed as TDLib does, except that a bare "&" is an error (``strict_html=False``
  restores Telegram's leniency); Markdown parse modes are accepted but not parsed.
- getUpdates also accepts fractional ``timeout`` values, to keep tests fast.
- Only text messages, documents, callback queries and the methods in
  ``FakeTelegram._handlers`` exist; anything else is "404 Not Found: method not found".
- Files: a document pushed by a user or uploaded with sendDocument gets a file_id; getFile
  gives its path, served at ``/file/bot{token}/{file_path}`` like Telegram's (20 MB at most
  for bots). Sending a document by URL is not supported.
- Webhooks: any http(s) URL and port is taken (as by a self-hosted Bot API server), a failed
  delivery is retried after ``webhook_retry_delay`` seconds (Telegram waits longer, and
  growing), and a method in the webhook's answer is not executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final

import aiohttp
from aiohttp import web

JsonDict = dict[str, Any]
Params = dict[str, Any]

DEFAULT_TOKEN: Final = "123456789:TEST-fake-telegram-token"

# In UTF-16 code units after entity parsing. TDLib counts code points, so this is the stricter
# reading: a text the fake accepts is never too long for Telegram.
MAX_TEXT_LENGTH: Final = 4096
MAX_RAW_TEXT_BYTES: Final = 1 << 15  # checked by the Bot API before any parsing
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024  # getFile refuses larger files to bots
MAX_CAPTION_LENGTH: Final = 1024
WEBHOOK_CONFLICT_DESCRIPTION: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_DESCRIPTION: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED_DESCRIPTION: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD_DESCRIPTION: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Parameters that Telegram decodes as JSON; every other parameter stays a string.
_JSON_PARAMS: Final = frozenset(
    {
        "allowed_updates",
        "commands",
        "entities",
        "link_preview_options",
        "reply_markup",
        "reply_parameters",
        "scope",
    }
)
# What getUpdates delivers when allowed_updates is empty or was never set.
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_DEFAULT_ERROR_DESCRIPTIONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}
# Statuses that Telegram's HTTP front end produces without a Bot API JSON body.
_PLAIN_HTTP_ERRORS: Final = frozenset({502, 503, 504})
_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself, with ``is_bot=True``)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        return _without_none(
            id=self.id,
            is_bot=self.is_bot,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    first_name: str | None = None
    username: str | None = None
    title: str | None = None

    def to_api(self) -> JsonDict:
        return _without_none(
            id=self.id,
            type=self.type,
            title=self.title,
            first_name=self.first_name,
            username=self.username,
        )


@dataclass(frozen=True)
class Entity:
    """A MessageEntity; offsets and lengths are in UTF-16 code units, as in the Bot API."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_api(self) -> JsonDict:
        return _without_none(
            type=self.type,
            offset=self.offset,
            length=self.length,
            url=self.url,
            language=self.language,
            custom_emoji_id=self.custom_emoji_id,
        )


@dataclass(frozen=True)
class Message:
    """One version of a chat message.

    Messages are immutable: an edit or a deletion stores a new version in the chat, so a
    reference a test holds is a snapshot; ``edits`` lists the earlier versions, oldest first.
    ``text`` is what the user sees (HTML tags stripped, entities decoded); ``raw_text`` is the
    text exactly as the bot sent it.
    """

    message_id: int
    chat: Chat
    sender: User
    date: int
    text: str
    raw_text: str
    entities: tuple[Entity, ...] = ()
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    edit_date: int | None = None
    edits: tuple[Message, ...] = ()
    deleted: bool = False
    # A document message: its Document object; ``text`` is then its caption.
    document: JsonDict | None = None

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        if self.reply_markup is None:
            return []
        rows: list[list[JsonDict]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> list[list[str]]:
        """The visible texts of the inline keyboard, row by row."""
        return [[button["text"] for button in row] for row in self.inline_keyboard]

    def to_api(self) -> JsonDict:
        result: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        text_key, entities_key = "text", "entities"
        if self.document is not None:
            result["document"] = self.document
            text_key, entities_key = "caption", "caption_entities"
        if self.text or self.document is None:
            result[text_key] = self.text
        if self.edit_date is not None:
            result["edit_date"] = self.edit_date
        if self.entities:
            result[entities_key] = [entity.to_api() for entity in self.entities]
        # A Message only ever carries an inline keyboard; reply keyboards belong to the chat.
        if self.inline_keyboard:
            result["reply_markup"] = self.reply_markup
        return result


@dataclass
class CallbackQuery:
    """A pushed button press and the bot's answer to it."""

    id: str
    user: User
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class RecordedRequest:
    """One Bot API call as the server saw it; ``status`` and ``response`` are set when answered."""

    method: str
    params: Params
    time: float
    chat_id: int | None = None
    status: int | None = None
    response: Any = None


@dataclass
class _Failure:
    method: str | None  # lower-cased; None matches every method
    status: int
    remaining: int | None  # None: until clear_failures()
    description: str | None
    retry_after: int | None
    chat_id: int | None


@dataclass(frozen=True)
class UploadedFile:
    """A file in a multipart request, as the server received it."""

    filename: str
    content: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    content: bytes


@dataclass
class _ChatState:
    chat: Chat
    messages: dict[int, Message] = field(default_factory=dict)
    last_message_id: int = 0
    # The reply keyboard the user currently sees, set by the latest message that changed it.
    reply_keyboard: JsonDict | None = None


@dataclass
class _Poll:
    terminated: bool = False


@dataclass(frozen=True)
class Delivery:
    """One attempt to post an update to the webhook; ``status`` None: no HTTP answer."""

    update_id: int
    status: int | None
    started: float
    finished: float


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int


class ApiError(Exception):
    """A Bot API error response."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JsonDict:
        payload: JsonDict = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return payload


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


Handler = Callable[[Params], Awaitable[Any]]


class FakeTelegram:
    """The fake Bot API server; use ``async with FakeTelegram() as server`` or start()/stop()."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "todo_test_bot",
        bot_first_name: str = "Todo Test Bot",
        strict_html: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_retry_delay: float = 0.2,
    ) -> None:
        bot_id, sep, secret = token.partition(":")
        if not (sep and bot_id.isdigit() and secret):
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.bot = User(int(bot_id), bot_first_name, username=bot_username, is_bot=True)
        # Real Telegram keeps a bare "&" that starts no entity; strict mode rejects it so a
        # missing html.escape() shows up in tests instead of as garbled text in production.
        self.strict_html = strict_html
        self.requests: list[RecordedRequest] = []
        self.callbacks: dict[str, CallbackQuery] = {}
        # Updates that allowed_updates filtered out, as Telegram would never have sent them.
        self.dropped_updates: list[JsonDict] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._chats: dict[int, _ChatState] = {}
        self._updates: list[JsonDict] = []
        self._last_update_id = 0
        self._last_callback_id = 0
        self._allowed_updates: list[str] = []
        self._poll: _Poll | None = None
        self._closing = False
        self._failures: list[_Failure] = []
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._files: dict[str, _StoredFile] = {}  # by file_id
        self._file_paths: dict[str, _StoredFile] = {}
        # (description or short_description, language code) -> text
        self.descriptions: dict[tuple[str, str], str] = {}
        self._change = asyncio.Event()
        self.webhook_retry_delay = webhook_retry_delay
        # Seconds a method (lower-cased name) takes to answer: a slow Telegram.
        self.latency: dict[str, float] = {}
        self.deliveries: list[Delivery] = []
        self._webhook: _Webhook | None = None
        self._delivering: set[int] = set()  # update ids with a POST in flight
        self._delivery_task: asyncio.Task[None] | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": self._set_my_description,
                "setMyShortDescription": self._set_my_short_description,
            }.items()
        }

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The URL to give ``TelegramAPIServer.from_base()`` (or TELEGRAM_API_URL)."""
        if self._runner is None:
            raise RuntimeError("the server is not running")
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is pending, i.e. the bot is up and listening."""
        return self._poll is not None

    async def start(self) -> None:
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # handler_cancellation: a long poll whose client went away must not linger as the
        # "current" poll; a short shutdown_timeout keeps stop() fast.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        self._closing = True  # releases pending long polls with an empty result
        self._changed()
        await self._stop_delivering()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- the test side -----------------------------------------------------------------------

    def push_message(self, user: User, chat_id: int, text: str) -> JsonDict:
        """Deliver a text message from ``user``; returns the Message object the bot will get.

        ``chat_id == user.id`` is the private chat with the bot; a negative id is a group.
        """
        payload = self._user_message(user, chat_id, text)
        self._push_update("message", payload)
        return payload

    def new_message_update(self, user: User, chat_id: int, text: str) -> JsonDict:
        """The update for a text message from ``user``, as Telegram sends it, without
        delivering it: for a test that posts it to a webhook itself."""
        self._last_update_id += 1
        return {
            "update_id": self._last_update_id,
            "message": self._user_message(user, chat_id, text),
        }

    def _user_message(self, user: User, chat_id: int, text: str) -> JsonDict:
        state = self._chat_for(user, chat_id)
        entities: tuple[Entity, ...] = ()
        if command := _BOT_COMMAND_RE.match(text):
            entities = (Entity("bot_command", 0, _utf16_len(command.group())),)
        message = self._add_message(state, user, text, raw_text=text, entities=entities)
        return message.to_api()

    @property
    def webhook_url(self) -> str | None:
        return None if self._webhook is None else self._webhook.url

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed (getUpdates) or acknowledged with 2xx (webhook)."""
        return len(self._updates)

    def acknowledged(self) -> set[int]:
        """Update ids the webhook answered with 2xx."""
        return {d.update_id for d in self.deliveries if d.status is not None and d.status < 300}

    def push_document(
        self,
        user: User,
        chat_id: int,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        caption: str = "",
        file_size: int | None = None,
    ) -> JsonDict:
        """Deliver a document from ``user``; returns the Message object the bot will get.

        ``file_size`` overrides the size the Document declares (Telegram's is the real one),
        e.g. to show a file too large to download without sending its bytes.
        """
        state = self._chat_for(user, chat_id)
        document = self._store_file(content, file_name, mime_type)
        if file_size is not None:
            document["file_size"] = file_size
        message = self._add_message(state, user, caption, raw_text=caption, document=document)
        payload = message.to_api()
        self._push_update("message", payload)
        return payload

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind a file_id (a pushed document, or one the bot sent)."""
        return self._files[file_id].content

    def push_callback(self, user: User, message: Message | Mapping[str, Any], data: str) -> str:
        """Press an inline button with ``data`` under ``message``; returns the callback query id."""
        query = self._callback_query(user, message, data)
        self._push_update("callback_query", query)
        return str(query["id"])

    def new_callback_update(
        self, user: User, message: Message | Mapping[str, Any], data: str
    ) -> JsonDict:
        """The update for a button press, as Telegram sends it, without delivering it: for a
        test that posts it to a webhook itself."""
        self._last_update_id += 1
        query = self._callback_query(user, message, data)
        return {"update_id": self._last_update_id, "callback_query": query}

    def _callback_query(
        self, user: User, message: Message | Mapping[str, Any], data: str
    ) -> JsonDict:
        if isinstance(message, Message):
            chat_id, message_id = message.chat.id, message.message_id
        else:
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        current = self.message(chat_id, message_id)
        if current.deleted:
            raise ValueError(f"message {message_id} in chat {chat_id} was deleted")
        self._last_callback_id += 1
        query_id = str(4_000_000_000_000_000_000 + self._last_callback_id)
        self.callbacks[query_id] = CallbackQuery(query_id, user, chat_id, message_id, data)
        return {
            "id": query_id,
            "from": user.to_api(),
            "message": current.to_api(),
            "chat_instance": str(-chat_id if chat_id > 0 else chat_id),
            "data": data,
        }

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[Message]:
        """The current version of every message in the chat, oldest first."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        return [m for m in state.messages.values() if include_deleted or not m.deleted]

    def message(self, chat_id: int, message_id: int) -> Message:
        """The current version of a message (possibly a deleted one); KeyError if unknown."""
        state = self._chats.get(chat_id)
        if state is None or message_id not in state.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return state.messages[message_id]

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The ReplyKeyboardMarkup the user currently sees in the chat, if any."""
        state = self._chats.get(chat_id)
        return None if state is None else state.reply_keyboard

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """What setMyCommands stored for the scope (default scope if None) and language."""
        return list(self._commands.get((_scope_key(scope), language_code), []))

    def calls(self, method: str) -> list[RecordedRequest]:
        """The recorded requests of one method (case-insensitive)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def inject_failure(
        self,
        method: str | None = None,
        *,
        status: int,
        count: int | None = 1,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` matching calls fail (``count=None``: until cleared).

        ``method=None`` matches every method, getUpdates included; ``chat_id`` restricts the
        failure to calls about that chat. 429 answers carry ``parameters.retry_after`` (default
        1 s); 502/503/504 are plain HTTP errors without a JSON body, like Telegram's front end.
        """
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        self._failures.append(
            _Failure(
                method.lower() if method else None,
                status,
                count,
                description,
                retry_after,
                chat_id,
            )
        )

    def clear_failures(self) -> None:
        self._failures.clear()

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait until ``predicate()`` holds, re-checking after every change of server state.

        Bound it with ``asyncio.timeout()``.
        """
        while not predicate():
            await self._change.wait()

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        name, handler = self._handlers.get(method.lower(), (method, None))
        record = RecordedRequest(name, params, time.monotonic(), chat_id=self._chat_id_of(params))
        self.requests.append(record)
        self._changed()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            failure = self._take_failure(name, record.chat_id)
            if failure is not None and failure.status in _PLAIN_HTTP_ERRORS:
                response: web.Response = _plain_http_error(failure.status)
                payload: Any = response.text
            elif failure is not None:
                description = failure.description or _default_description(failure)
                raise ApiError(failure.status, description, retry_after=failure.retry_after)
            elif handler is None:
                raise ApiError(404, "Not Found: method not found")
            else:
                if name.lower() in self.latency:
                    await asyncio.sleep(self.latency[name.lower()])
                payload = {"ok": True, "result": await handler(params)}
                response = web.json_response(payload)
        except ApiError as error:
            payload = error.payload()
            response = web.json_response(payload, status=error.status)
        record.status, record.response = response.status, payload
        self._changed()
        return response

    def _take_failure(self, method: str, chat_id: int | None) -> _Failure | None:
        for failure in self._failures:
            if failure.method not in (None, method.lower()):
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    def _chat_id_of(self, params: Params) -> int | None:
        if "callback_query_id" in params:
            callback = self.callbacks.get(str(params["callback_query_id"]))
            return None if callback is None else callback.chat_id
        try:
            return int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return None

    def _changed(self) -> None:
        # Wake every waiter once; each re-checks its own condition (see wait_until).
        self._change.set()
        self._change = asyncio.Event()

    # --- updates -----------------------------------------------------------------------------

    def _push_update(self, kind: str, payload: JsonDict) -> None:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        # Like Telegram, allowed_updates decides at creation time, not at delivery time.
        if kind in self._allowed_updates or (
            not self._allowed_updates and kind not in _DEFAULT_EXCLUDED_UPDATES
        ):
            self._updates.append(update)
        else:
            self.dropped_updates.append(update)
        self._changed()

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT_DESCRIPTION)
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        # Fractions of a second are a fake-only convenience for fast tests.
        timeout = max(_float_param(params, "timeout", 0.0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if offset > 0:  # confirms every update before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # keeps only the last -offset updates
            self._updates = self._updates[offset:]
        if not self._updates and timeout > 0:
            await self._long_poll(seconds=timeout)
        return self._updates[:limit]

    async def _long_poll(self, seconds: float) -> None:
        # Like Telegram, a new long poll terminates the pending one with 409 Conflict.
        if self._poll is not None:
            self._poll.terminated = True
            self._changed()
        poll = self._poll = _Poll()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self.wait_until(
                        lambda: poll.terminated or self._closing or bool(self._updates)
                    )
        finally:
            if self._poll is poll:
                self._poll = None
        if poll.terminated:
            raise ApiError(409, CONFLICT_DESCRIPTION)

    async def _delete_webhook(self, params: Params) -> bool:
        if _bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        await self._stop_delivering()
        return True

    async def _set_webhook(self, params: Params) -> bool:
        url = str(params.get("url", "")).strip()
        if _bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        if not url:  # an empty URL removes the webhook, as deleteWebhook does
            self._webhook = None
            await self._stop_delivering()
            return True
        if not url.startswith(("http://", "https://")):
            raise _bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = min(max(_int_param(params, "max_connections", 40), 1), 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._webhook = _Webhook(url, None if secret is None else str(secret), max_connections)
        if self._delivery_task is None:
            self._delivery_task = asyncio.create_task(self._deliver_updates())
        self._changed()
        return True

    async def _get_webhook_info(self, params: Params) -> JsonDict:
        info: JsonDict = {
            "url": "" if self._webhook is None else self._webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        return info

    # --- webhook delivery --------------------------------------------------------------------

    async def _deliver_updates(self) -> None:
        """Post each pending update to the webhook until it is answered with 2xx."""
        timeout = aiohttp.ClientTimeout(total=60)  # Telegram waits about a minute too
        posts: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(timeout=timeout) as client:
            try:
                while self._webhook is not None and not self._closing:
                    webhook = self._webhook
                    for update in list(self._updates):
                        if len(self._delivering) >= webhook.max_connections:
                            break
                        if update["update_id"] not in self._delivering:
                            self._delivering.add(update["update_id"])
                            post = asyncio.create_task(self._post(client, webhook, update))
                            posts.add(post)
                            post.add_done_callback(posts.discard)
                    await self._change.wait()
            finally:
                for post in posts:
                    post.cancel()
                await asyncio.gather(*posts, return_exceptions=True)
                self._delivering.clear()

    async def _post(
        self, client: aiohttp.ClientSession, webhook: _Webhook, update: JsonDict
    ) -> None:
        headers = {}
        if webhook.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        started = time.monotonic()
        status: int | None = None
        try:
            async with client.post(webhook.url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = None
        self.deliveries.append(Delivery(update["update_id"], status, started, time.monotonic()))
        try:
            if status is not None and 200 <= status < 300:
                self._updates = [u for u in self._updates if u is not update]
            else:
                await asyncio.sleep(self.webhook_retry_delay)
        finally:
            self._delivering.discard(update["update_id"])
            self._changed()

    async def _stop_delivering(self) -> None:
        task, self._delivery_task = self._delivery_task, None
        if task is not None:
            self._changed()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- bot methods -------------------------------------------------------------------------

    async def _get_me(self, params: Params) -> JsonDict:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _send_message(self, params: Params) -> JsonDict:
        text, entities = self._parse_text(params)
        markup = _parse_reply_markup(params.get("reply_markup"))
        state = self._chat_state(params)
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        message = self._add_message(
            state,
            self.bot,
            text,
            raw_text=params["text"],
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=inline,
        )
        if markup is not None and "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            state.reply_keyboard = None
        return message.to_api()

    async def _send_document(self, params: Params) -> JsonDict:
        upload = params.get("document")
        if isinstance(upload, str) and upload.startswith("attach://"):  # aiogram's way
            upload = params.get(upload.removeprefix("attach://"))
        if isinstance(upload, UploadedFile):
            document = self._store_file(upload.content, upload.filename, upload.content_type)
        elif isinstance(upload, str) and upload in self._files:
            document = self._document_json(self._files[upload], None, None)
        else:
            raise _bad_request("wrong remote file identifier specified")
        caption = str(params.get("caption") or "")
        text = ""
        entities: tuple[Entity, ...] = ()
        if caption:
            text, entities = self._parse_text({**params, "text": caption})
            if _utf16_len(text) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        markup = _parse_reply_markup(params.get("reply_markup"))
        state = self._chat_state(params)
        message = self._add_message(
            state,
            self.bot,
            text,
            raw_text=caption,
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if markup is not None and "inline_keyboard" in markup else None,
            document=document,
        )
        return message.to_api()

    async def _get_file(self, params: Params) -> JsonDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        record = RecordedRequest("GET /file", {"file_path": path}, time.monotonic())
        self.requests.append(record)
        stored = self._file_paths.get(path)
        if request.match_info["token"] != self.token:
            response: web.Response = web.json_response(
                ApiError(401, "Unauthorized").payload(), status=401
            )
        elif stored is None:
            response = web.json_response(ApiError(404, "Not Found").payload(), status=404)
        else:
            response = web.Response(body=stored.content, content_type="application/octet-stream")
        record.status, record.response = response.status, len(stored.content) if stored else None
        self._changed()
        return response

    def _store_file(self, content: bytes, file_name: str | None, mime_type: str | None) -> JsonDict:
        number = len(self._files) + 1
        extension = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "dat"
        stored = _StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            path=f"documents/file_{number}.{extension}",
            content=content,
        )
        self._files[stored.file_id] = self._file_paths[stored.path] = stored
        return self._document_json(stored, file_name, mime_type)

    @staticmethod
    def _document_json(
        stored: _StoredFile, file_name: str | None, mime_type: str | None
    ) -> JsonDict:
        return _without_none(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(stored.content),
        )

    async def _edit_message_text(self, params: Params) -> JsonDict:
        text, entities = self._parse_text(params)
        # No reply_markup in an edit removes the keyboard, as in Telegram.
        markup = _parse_reply_markup(params.get("reply_markup"))
        state, message = self._message_to_edit(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        return self._edit(
            state,
            message,
            text=text,
            raw_text=params["text"],
            entities=entities,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        ).to_api()

    async def _edit_message_reply_markup(self, params: Params) -> JsonDict:
        markup = _parse_reply_markup(params.get("reply_markup"))
        state, message = self._message_to_edit(params)
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        return self._edit(state, message, reply_markup=markup).to_api()

    async def _delete_message(self, params: Params) -> bool:
        if not params.get("chat_id"):
            raise _bad_request("chat identifier is not specified")
        message_id = _int_param(params, "message_id", 0)
        if message_id <= 0:
            raise _bad_request("message identifier is not specified")
        state = self._chat_state(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        state.messages[message_id] = dataclasses.replace(message, deleted=True)
        return True

    async def _answer_callback_query(self, params: Params) -> bool:
        callback = self.callbacks.get(str(params.get("callback_query_id", "")))
        if callback is None or callback.answered:
            raise ApiError(400, QUERY_TOO_OLD_DESCRIPTION)
        callback.answered = True
        callback.text = params.get("text")
        callback.show_alert = _bool_param(params, "show_alert")
        callback.url = params.get("url")
        return True

    async def _send_chat_action(self, params: Params) -> bool:
        self._chat_state(params)
        return True

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.get("commands", [])
        if isinstance(commands, str):
            raise _bad_request("can't parse commands JSON object")
        if not isinstance(commands, list):
            raise _bad_request("expected an Array of BotCommand")
        stored = [_validate_command(command) for command in commands]
        self._commands[_scope_key(params.get("scope")), params.get("language_code", "")] = stored
        return True

    async def _set_my_description(self, params: Params) -> bool:
        return self._set_text(params, "description", 512)

    async def _set_my_short_description(self, params: Params) -> bool:
        return self._set_text(params, "short_description", 120)

    def _set_text(self, params: Params, name: str, limit: int) -> bool:
        text = params.get(name, "")
        if not isinstance(text, str) or len(text) > limit:
            raise _bad_request(f"{name.upper()}_INVALID")
        self.descriptions[name, params.get("language_code", "")] = text
        return True

    async def _get_my_commands(self, params: Params) -> list[JsonDict]:
        return self.commands(params.get("scope"), params.get("language_code", ""))

    async def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop((_scope_key(params.get("scope")), params.get("language_code", "")), None)
        return True

    # --- chats and messages ------------------------------------------------------------------

    def _chat_for(self, user: User, chat_id: int) -> _ChatState:
        if chat_id not in self._chats:
            if chat_id == user.id:
                chat = Chat(chat_id, "private", first_name=user.first_name, username=user.username)
            elif chat_id < 0:
                chat = Chat(chat_id, "group", title=f"Group {chat_id}")
            else:
                raise ValueError(f"chat {chat_id} is not user {user.id}'s private chat or a group")
            self._chats[chat_id] = _ChatState(chat)
        return self._chats[chat_id]

    def _chat_state(self, params: Params) -> _ChatState:
        if not params.get("chat_id"):
            raise _bad_request("chat_id is empty")
        chat_id = self._chat_id_of(params)
        # A bot can only write to chats where a user has talked to it.
        if chat_id is None or chat_id not in self._chats:
            raise _bad_request("chat not found")
        return self._chats[chat_id]

    def _message_to_edit(self, params: Params) -> tuple[_ChatState, Message]:
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the fake server")
        message_id = _int_param(params, "message_id", 0)
        if message_id <= 0:
            raise _bad_request("message identifier is not specified")
        state = self._chat_state(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return state, message

    def _add_message(
        self,
        state: _ChatState,
        sender: User,
        text: str,
        *,
        raw_text: str,
        entities: tuple[Entity, ...] = (),
        parse_mode: str | None = None,
        reply_markup: JsonDict | None = None,
        document: JsonDict | None = None,
    ) -> Message:
        state.last_message_id += 1
        message = Message(
            message_id=state.last_message_id,
            chat=state.chat,
            sender=sender,
            date=int(time.time()),
            text=text,
            raw_text=raw_text,
            entities=entities,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            document=document,
        )
        state.messages[message.message_id] = message
        return message

    def _edit(self, state: _ChatState, message: Message, **changes: Any) -> Message:
        previous = dataclasses.replace(message, edits=())
        edited = dataclasses.replace(
            message, **changes, edit_date=int(time.time()), edits=(*message.edits, previous)
        )
        state.messages[message.message_id] = edited
        return edited

    def _parse_text(self, params: Params) -> tuple[str, tuple[Entity, ...]]:
        raw = params.get("text")
        if not isinstance(raw, str) or not raw:
            raise _bad_request("message text is empty")
        if len(raw.encode()) > MAX_RAW_TEXT_BYTES:
            raise _bad_request("text is too long")
        parse_mode = str(params.get("parse_mode") or "none").lower()
        entities: list[Entity] = []
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw, strict=self.strict_html)
            except HtmlParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in ("none", "markdown", "markdownv2"):
            text = raw  # Markdown is not parsed by the fake: the text keeps its markup.
        else:
            raise _bad_request("unsupported parse_mode")
        text, trimmed = _trim(text, entities)
        if not text:
            raise _bad_request("text must be non-empty")
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text, trimmed


# --- request parsing --------------------------------------------------------------------------


async def _read_params(request: web.Request) -> Params:
    params: Params = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if isinstance(body, dict):
            params.update((k, v if isinstance(v, str) else json.dumps(v)) for k, v in body.items())
    else:
        for key, value in (await request.post()).items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, (bytes, bytearray)):
                params[key] = value.decode()
            else:  # an uploaded file (sendDocument reads it)
                params[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
    for key in _JSON_PARAMS & params.keys():
        # Invalid JSON stays a string; the method reports it like Telegram would.
        with contextlib.suppress(ValueError):
            params[key] = json.loads(params[key])
    return params


def _int_param(params: Params, name: str, default: int) -> int:
    try:
        return int(params[name])
    except (KeyError, TypeError, ValueError):
        return default


def _float_param(params: Params, name: str, default: float) -> float:
    try:
        return float(params[name])
    except (KeyError, TypeError, ValueError):
        return default


def _bool_param(params: Params, name: str) -> bool:
    return str(params.get(name, "")).lower() in ("true", "1")


def _plain_http_error(status: int) -> web.Response:
    title = f"{status} {HTTPStatus(status).phrase}"
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return web.Response(status=status, text=body, content_type="text/html")


def _default_description(failure: _Failure) -> str:
    if failure.status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {failure.retry_after}"
    return _DEFAULT_ERROR_DESCRIPTIONS.get(failure.status, HTTPStatus(failure.status).phrase)


def _scope_key(scope: object) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _validate_command(command: object) -> JsonDict:
    if not isinstance(command, dict):
        raise _bad_request("can't parse BotCommand: expected an Object")
    name = str(command.get("command", "")).strip().removeprefix("/")
    description = str(command.get("description", "")).strip()
    if not name:
        raise _bad_request("command must be non-empty")
    if len(name) > 32:
        raise _bad_request("command length must not exceed 32")
    if not description:
        raise _bad_request("command description must be non-empty")
    if len(description) > 256:
        raise _bad_request("command description length must not exceed 256")
    if not _COMMAND_NAME_RE.fullmatch(name):
        raise _bad_request("BOT_COMMAND_INVALID")
    return {"command": name, "description": description}


def _parse_reply_markup(value: object) -> JsonDict | None:
    """Validate reply_markup like Telegram; an inline keyboard without buttons is no markup."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if not isinstance(value, dict):
        raise _bad_request("object expected as reply markup")
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('field "keyboard" must be an Array of Arrays')
        return value
    if "inline_keyboard" not in value:
        return value  # remove_keyboard, force_reply
    rows = value["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    buttons = [button for row in rows for button in row]
    for button in buttons:
        if not isinstance(button, dict):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise _bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        # Every other key names the button's action; url and callback_data must be non-empty.
        actions = button.keys() - {"text", "style", "icon_custom_emoji_id"}
        if not any(button[key] or key not in ("url", "callback_data") for key in actions):
            raise _bad_request(
                "can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard"
            )
    for button in buttons:
        data = button.get("callback_data")
        if isinstance(data, str) and len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")
    return value if buttons else None


# --- HTML parse mode --------------------------------------------------------------------------


class HtmlParseError(Exception):
    """Invalid Telegram HTML; the message is Telegram's text after "can't parse entities: "."""


_SIMPLE_ENTITY_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler"> gets this far
}
_HTML_TAGS: Final = {*_SIMPLE_ENTITY_TYPES, "a", "blockquote", "code", "pre", "tg-emoji", "tg-time"}
_NAMED_CHARACTERS: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHARACTER_REFERENCE_RE: Final = re.compile(
    r"&(?:#x(?P<hex>[0-9a-fA-F]*)|#(?P<dec>[0-9]*)|(?P<name>[a-zA-Z]*))"
)
# TDLib treats the string's terminating NUL as a space; "" (past the end) plays that role here.
_SPACES: Final = frozenset({" ", "\t", "\r", "\n", "\v", ""})


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the parsed text
    start: int  # index into the parsed characters, for <a> without href


def parse_html(html: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and entities, following TDLib's parse_html().

    Error messages and their byte offsets match Telegram's. With ``strict``, an "&" that starts
    no character reference is an error instead of a literal "&" (see FakeTelegram.strict_html).
    """

    def at(index: int) -> str:
        return html[index : index + 1]

    def byte_offset(index: int) -> int:
        return len(html[:index].encode())

    chars: list[str] = []
    utf16 = 0
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    i = 0
    while i < len(html):
        c = html[i]
        if c == "&":
            decoded = _decode_character_reference(html, i)
            if decoded is not None:
                char, i = decoded
                chars.append(char)
                utf16 += _utf16_len(char)
                continue
            if strict:
                raise HtmlParseError(
                    f'Unescaped "&" at byte offset {byte_offset(i)}, use "&amp;" '
                    "(rejected by the fake server's strict mode)"
                )
        if c != "<":
            chars.append(c)
            utf16 += _utf16_len(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if at(i) == "":
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            name = html[begin + 1 : i].lower()
            if name not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
                )
            argument, i = _parse_attributes(html, i, name, byte_offset(begin), byte_offset)
            if name == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append(_OpenTag(name, argument, utf16, len(chars)))
            i += 1  # past ">"
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = html[begin + 2 : i].lower()
        while at(i) != "" and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        tag = stack.pop()
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        if utf16 > tag.offset:
            _close_entity(entities, tag, utf16 - tag.offset, "".join(chars[tag.start :]))
        i += 1  # past ">"

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    # A language is kept only on <pre><code class="language-..."> blocks.
    entities = [dataclasses.replace(e, language=None) if e.type == "code" else e for e in entities]
    entities.sort(key=lambda e: (e.offset, -e.length))
    return "".join(chars), entities


def _parse_attributes(
    html: str, i: int, tag: str, begin: int, byte_offset: Callable[[int], int]
) -> tuple[str, int]:
    """Parse a start tag's attributes from ``i``; returns the tag's argument and the ">" index."""

    def at(index: int) -> str:
        return html[index : index + 1]

    argument = ""
    while at(i) != ">":
        while at(i) != "" and at(i) in _SPACES:
            i += 1
        if at(i) == ">":
            break
        name_begin = i
        while at(i) not in _SPACES and at(i) not in ("=", ">", "/", '"', "'"):
            i += 1
        name = html[name_begin:i]
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while at(i) != "" and at(i) in _SPACES:
            i += 1
        if at(i) != "=":
            if at(i) == "":
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == "expandable":
                argument = "1"
            continue
        i += 1
        while at(i) != "" and at(i) in _SPACES:
            i += 1
        if at(i) == "":
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if at(i) not in ('"', "'"):
            token_begin = i
            while at(i) and at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                i += 1
            value = html[token_begin:i].lower()
            if at(i) not in _SPACES and at(i) != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                )
        else:
            quote = at(i)
            i += 1
            value_chars: list[str] = []
            while at(i) not in (quote, ""):
                decoded = _decode_character_reference(html, i) if at(i) == "&" else None
                if decoded is not None:
                    char, i = decoded
                    value_chars.append(char)
                else:
                    value_chars.append(at(i))
                    i += 1
            if at(i) == quote:
                i += 1
            value = "".join(value_chars)
        if at(i) == "":
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        if (tag, name) in (("a", "href"), ("tg-emoji", "emoji-id"), ("tg-time", "format")):
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value.removeprefix("tg-")
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
    return argument, i


def _close_entity(entities: list[Entity], tag: _OpenTag, length: int, inner_text: str) -> None:
    offset, name, argument = tag.offset, tag.name, tag.argument
    # <pre><code class="language-x"> nests two tags over one range: they merge into one entity.
    last = entities[-1] if entities else None
    if last is None or (last.offset, last.length) != (offset, length):
        last = None
    if name in _SIMPLE_ENTITY_TYPES:
        entities.append(Entity(_SIMPLE_ENTITY_TYPES[name], offset, length))
    elif name == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=argument))
    elif name == "a":
        entities.append(Entity("text_link", offset, length, url=argument or inner_text))
    elif name == "pre" and last is not None and last.type == "code" and last.language:
        entities[-1] = Entity("pre", offset, length, language=last.language)
    elif name == "pre":
        entities.append(Entity("pre", offset, length))
    elif name == "code" and last is not None and last.type == "pre" and argument:
        entities[-1] = Entity("pre", offset, length, language=argument)
    elif name == "code":
        entities.append(Entity("code", offset, length, language=argument or None))
    elif name == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append(Entity(kind, offset, length))
    # tg-time: the fake does not model formatted dates.


def _decode_character_reference(html: str, i: int) -> tuple[str, int] | None:
    """Decode "&lt;", "&#60;", "&#x3c;" ... at ``i``; like TDLib the ";" is optional."""
    match = _CHARACTER_REFERENCE_RE.match(html, i)
    if match is None:
        return None
    if match["name"] is not None:
        char = _NAMED_CHARACTERS.get(match["name"])
        if char is None:
            return None
    else:
        digits, base = (match["hex"], 16) if match["hex"] is not None else (match["dec"], 10)
        code = int(digits, base) if digits else 0
        if code == 0 or code >= 0x10FFFF or match.end() - i >= 10:
            return None
        char = chr(code)
    end = match.end()
    return char, end + 1 if html.startswith(";", end) else end


# --- helpers ----------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _trim(text: str, entities: list[Entity]) -> tuple[str, tuple[Entity, ...]]:
    """Strip surrounding whitespace like Telegram does, moving entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, tuple(entities)
    shift = _utf16_len(text[: len(text) - len(text.lstrip())])
    end = _utf16_len(stripped)
    moved = []
    for entity in entities:
        start, stop = max(entity.offset - shift, 0), min(entity.offset + entity.length - shift, end)
        if stop > start:
            moved.append(dataclasses.replace(entity, offset=start, length=stop - start))
    return stripped, tuple(moved)


def _without_none(**fields: Any) -> JsonDict:
    return {key: value for key, value in fields.items() if value is not None}
