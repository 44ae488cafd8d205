"""The fake Bot API server, driven by a real aiogram Bot and by plain HTTP requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import aiohttp.web
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.types import Message as AiogramMessage

from tests.e2e.driver import TelegramUser
from tests.e2e.fake_telegram import (
    CONFLICT_DESCRIPTION,
    NOT_MODIFIED_DESCRIPTION,
    Entity,
    FakeTelegram,
    HtmlParseError,
    User,
    parse_html,
)

ALICE = User(id=1001, first_name="Alice", username="alice", language_code="en")
BOB = User(id=1002, first_name="Bob")


class _FastSession(AiohttpSession):
    async def close(self) -> None:
        # aiogram waits 250 ms for SSL connections to close; there are none here.
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    session = _FastSession(api=TelegramAPIServer.from_base(server.base_url))
    async with Bot(server.token, session=session) as bot:
        yield bot


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, server: FakeTelegram, method: str, **params: str
) -> tuple[int, Any]:
    """POST a form like aiogram does; returns the status and the decoded JSON (or text)."""
    url = f"{server.base_url}/bot{server.token}/{method}"
    async with http.post(url, data=params) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=f"button {d}", callback_data=d) for d in data]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


# --- getMe, tokens, methods -------------------------------------------------------------------


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "todo_test_bot")


async def test_wrong_token_is_unauthorized(server: FakeTelegram) -> None:
    session = _FastSession(api=TelegramAPIServer.from_base(server.base_url))
    async with Bot("42:wrong", session=session) as bot:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()


async def test_unknown_method_and_case_insensitive_names(
    server: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    assert await call(http, server, "sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = await call(http, server, "GETME")
    assert (status, body["result"]["username"]) == (200, "todo_test_bot")
    assert [r.method for r in server.requests] == ["sendTelepathy", "getMe"]


# --- getUpdates -------------------------------------------------------------------------------


async def test_long_poll_returns_a_pushed_update_and_honours_offset(
    server: FakeTelegram, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    async with asyncio.timeout(1):
        await server.wait_until(lambda: server.polling)
    sent = server.push_message(ALICE, ALICE.id, "/start")
    async with asyncio.timeout(1):
        [update] = await poll
    assert update.message is not None
    assert update.message.text == "/start"
    assert update.message.message_id == sent["message_id"]
    assert update.message.entities is not None
    assert update.message.entities[0].type == "bot_command"
    assert update.message.chat.type == "private"

    # Unconfirmed updates come again; an offset past them confirms them.
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == []
    assert await bot.get_updates() == []


async def test_get_updates_limit_and_timeout(
    server: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    for text in ("one", "two", "three"):
        server.push_message(ALICE, ALICE.id, text)
    _, body = await call(http, server, "getUpdates", limit="2")
    assert [u["message"]["text"] for u in body["result"]] == ["one", "two"]
    ids = [u["update_id"] for u in body["result"]]
    assert ids == sorted(ids)

    loop = asyncio.get_running_loop()
    started = loop.time()
    offset = str(ids[-1] + 2)
    assert await call(http, server, "getUpdates", offset=offset, timeout="0.2") == (
        200,
        {"ok": True, "result": []},
    )
    assert loop.time() - started >= 0.19  # asyncio timers may fire a hair early


async def test_allowed_updates_filters_new_updates(
    server: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    await call(http, server, "getUpdates", allowed_updates='["callback_query"]')
    server.push_message(ALICE, ALICE.id, "hello")
    assert (await call(http, server, "getUpdates"))[1]["result"] == []
    assert server.dropped_updates[0]["message"]["text"] == "hello"


async def test_concurrent_long_poll_gets_conflict(
    server: FakeTelegram, bot: Bot, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    async with asyncio.timeout(1):
        await server.wait_until(lambda: server.polling)
    # Like Telegram, the newer request wins and the pending one is terminated.
    assert await call(http, server, "getUpdates", timeout="0.1") == (
        200,
        {"ok": True, "result": []},
    )
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first
    assert server.calls("getUpdates")[0].response["description"] == CONFLICT_DESCRIPTION


# --- sendMessage validation -------------------------------------------------------------------


async def test_send_message_returns_the_message_and_stores_it(
    server: FakeTelegram, bot: Bot
) -> None:
    server.push_message(ALICE, ALICE.id, "/start")
    sent = await bot.send_message(
        ALICE.id, "<b>Hi</b> &amp; welcome", parse_mode="HTML", reply_markup=keyboard("a")
    )
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert (sent.message_id, sent.text) == (2, "Hi & welcome")
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == keyboard("a").model_dump()
    stored = server.message(ALICE.id, 2)
    assert stored.raw_text == "<b>Hi</b> &amp; welcome"
    assert stored.entities == (Entity("bold", 0, 2),)
    assert stored.buttons == [["button a"]]
    [request] = server.calls("sendMessage")
    assert request.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert request.chat_id == ALICE.id


async def test_send_message_rejects_what_telegram_rejects(server: FakeTelegram, bot: Bot) -> None:
    server.push_message(ALICE, ALICE.id, "/start")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": ""}, "message text is empty"),
        ({"text": "<b> </b>", "parse_mode": "HTML"}, "text must be non-empty"),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "😀" * 2049}, "message is too long"),  # 4098 UTF-16 code units
        ({"text": "<b>open", "parse_mode": "HTML"}, "can't parse entities: Can't find end tag"),
        ({"text": "1 < 2", "parse_mode": "HTML"}, 'Unsupported start tag ""'),
        ({"text": "Tom & Jerry", "parse_mode": "HTML"}, 'Unescaped "&"'),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "Unmatched end tag at byte offset 4"),
        ({"text": "x", "reply_markup": keyboard("d" * 65)}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "reply_markup": keyboard(*map(str, range(101)))}, "reply markup is too"),
    ]
    for kwargs, error in cases:
        with pytest.raises(TelegramBadRequest, match=f"Bad Request: .*{error}"):
            await bot.send_message(ALICE.id, **kwargs)
    assert server.messages(ALICE.id)[-1].text == "/start"

    long_html = "<b>" + "x" * 4096 + "</b>"  # the limit counts text after parsing
    assert (await bot.send_message(ALICE.id, long_html, parse_mode="HTML")).text == "x" * 4096
    await bot.send_message(ALICE.id, "x", reply_markup=keyboard("d" * 64))


async def test_send_message_to_an_unknown_chat(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(ALICE.id, "hello")


# --- files ------------------------------------------------------------------------------------


async def test_documents_go_both_ways_through_get_file_and_the_file_path(
    server: FakeTelegram, bot: Bot, http: aiohttp.ClientSession
) -> None:
    pushed = server.push_document(
        ALICE, ALICE.id, b"title\nBuy milk\n", file_name="tasks.csv", mime_type="text/csv"
    )
    [update] = await bot.get_updates()
    assert update.message is not None
    document = update.message.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "tasks.csv",
        "text/csv",
        15,
    )
    assert update.message.text is None
    assert pushed["document"]["file_id"] == document.file_id
    downloaded = await bot.download(document)  # getFile, then GET /file/bot<token>/<path>
    assert downloaded is not None
    assert downloaded.read() == b"title\nBuy milk\n"
    file = await bot.get_file(document.file_id)
    assert file.file_path == "documents/file_1.csv"
    [download] = server.calls("GET /file")
    assert (download.params, download.status) == ({"file_path": "documents/file_1.csv"}, 200)

    sent = await bot.send_document(
        ALICE.id,
        BufferedInputFile("Привет".encode(), "hi.txt"),
        caption="<b>a</b> file",
        parse_mode="HTML",
    )
    assert sent.document is not None
    assert sent.caption == "a file"
    assert server.file_content(sent.document.file_id) == "Привет".encode()
    again = await bot.send_document(ALICE.id, sent.document.file_id)  # by file_id
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id

    with pytest.raises(TelegramBadRequest, match="Bad Request: invalid file_id"):
        await bot.get_file("no-such-file")
    big = server.push_document(ALICE, ALICE.id, b"x" * (20 * 1024 * 1024 + 1), file_name="big")
    with pytest.raises(TelegramBadRequest, match="Bad Request: file is too big"):
        await bot.get_file(big["document"]["file_id"])
    base = f"{server.base_url}/file/bot"
    async with http.get(f"{base}{server.token}/documents/nothing.csv") as response:
        assert response.status == 404
    async with http.get(f"{base}42:wrong/documents/file_1.csv") as response:
        assert response.status == 401


# --- edits, deletions, callbacks --------------------------------------------------------------


async def test_edits_keep_history_and_reject_no_ops(server: FakeTelegram, bot: Bot) -> None:
    user_message = server.push_message(ALICE, ALICE.id, "/start")
    sent = await bot.send_message(ALICE.id, "v1", reply_markup=keyboard("a"))
    edit = bot.edit_message_text

    with pytest.raises(TelegramBadRequest) as not_modified:
        await edit("v1", chat_id=ALICE.id, message_id=sent.message_id, reply_markup=keyboard("a"))
    assert not_modified.value.message == NOT_MODIFIED_DESCRIPTION
    # Without reply_markup an edit drops the keyboard, as in Telegram.
    await edit("v1", chat_id=ALICE.id, message_id=sent.message_id)
    await edit("v2", chat_id=ALICE.id, message_id=sent.message_id, reply_markup=keyboard("b"))
    await bot.edit_message_reply_markup(chat_id=ALICE.id, message_id=sent.message_id)

    current = server.message(ALICE.id, sent.message_id)
    assert (current.text, current.reply_markup, current.edit_date is not None) == ("v2", None, True)
    assert [(m.text, m.buttons) for m in current.edits] == [
        ("v1", [["button a"]]),
        ("v1", []),
        ("v2", [["button b"]]),
    ]
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await edit("x", chat_id=ALICE.id, message_id=user_message["message_id"])
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await edit("x", chat_id=ALICE.id, message_id=99)

    assert await bot.delete_message(ALICE.id, sent.message_id)
    assert server.message(ALICE.id, sent.message_id).deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ALICE.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await edit("v3", chat_id=ALICE.id, message_id=sent.message_id)


async def test_callback_queries_are_answered_once(server: FakeTelegram, bot: Bot) -> None:
    server.push_message(ALICE, ALICE.id, "/start")
    sent = await bot.send_message(ALICE.id, "pick", reply_markup=keyboard("a"))
    query_id = server.push_callback(ALICE, server.message(ALICE.id, sent.message_id), "a")
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None
    assert (update.callback_query.id, update.callback_query.data) == (query_id, "a")

    assert await bot.answer_callback_query(query_id, text="Done!", show_alert=True)
    answer = server.callbacks[query_id]
    assert (answer.answered, answer.text, answer.show_alert) == (True, "Done!", True)
    for unknown in (query_id, "12345"):
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(unknown)


async def test_my_commands(server: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="/add", description="Add a task")])
    assert [c.command for c in await bot.get_my_commands()] == ["add"]
    assert server.commands() == [{"command": "add", "description": "Add a task"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Add", description="Add a task")])


# --- fault injection --------------------------------------------------------------------------


async def test_injected_failures(
    server: FakeTelegram, bot: Bot, http: aiohttp.ClientSession
) -> None:
    server.push_message(ALICE, ALICE.id, "/start")
    server.push_message(BOB, BOB.id, "/start")

    server.inject_failure("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(ALICE.id, "hi")
    assert retry.value.retry_after == 3
    await bot.send_message(ALICE.id, "hi")  # only the next call failed

    server.inject_failure(status=403, chat_id=BOB.id, count=None)
    await bot.send_message(ALICE.id, "still fine")
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(BOB.id, "hi")
    server.clear_failures()

    server.inject_failure(status=502)
    status, body = await call(http, server, "getMe")
    assert status == 502
    assert "Bad Gateway" in body
    assert [r.status for r in server.calls("sendMessage")] == [429, 200, 200, 403, 403]


# --- HTML parse mode --------------------------------------------------------------------------


def test_parse_html_decodes_entities_and_tags() -> None:
    text, entities = parse_html(
        '&lt;b&gt; &amp;&quot; &#60;&#x3e; <a href="https://e.org/?a=1&amp;b=2">link</a> '
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">p</span> <u>u</u><ins>i</ins> '
        '<s>s</s><del>d</del><strike>k</strike> <pre><code class="language-py">x</code></pre> '
        "<blockquote expandable>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == '<b> &" <> link sp ui sdk x q👍'
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("text_link", 10, 4),
        ("spoiler", 15, 1),
        ("spoiler", 16, 1),
        ("underline", 18, 1),
        ("underline", 19, 1),
        ("strikethrough", 21, 1),
        ("strikethrough", 22, 1),
        ("strikethrough", 23, 1),
        ("pre", 25, 1),
        ("expandable_blockquote", 27, 1),
        ("custom_emoji", 28, 2),
    ]
    assert entities[0].url == "https://e.org/?a=1&b=2"
    assert entities[8].language == "py"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("é <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("x </b>", "Unexpected end tag at byte offset 2"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("a &nbsp; b", 'Unescaped "&" at byte offset 2'),
    ],
)
def test_parse_html_errors(html: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as raised:
        parse_html(html)
    assert str(raised.value).startswith(error)


def test_lenient_html_keeps_a_bare_ampersand() -> None:
    assert parse_html("Tom & Jerry &nbsp;", strict=False) == ("Tom & Jerry &nbsp;", [])


# --- the driver, against an in-process aiogram bot --------------------------------------------


async def test_driver_sends_presses_and_sees_edits(server: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "/start")
    async def start(message: AiogramMessage) -> None:
        await message.answer("Welcome")
        await message.answer("Your tasks:", reply_markup=keyboard("done"))

    @dp.callback_query(F.data == "done")
    async def done(query: CallbackQuery) -> None:
        await query.answer("Marked done")
        assert isinstance(query.message, AiogramMessage)
        await query.message.edit_text("Your tasks: ✅")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        alice = TelegramUser(server, ALICE, timeout=3)
        replies = await alice.send("/start")
        assert [m.text for m in replies] == ["Welcome", "Your tasks:"]
        assert alice.buttons() == [["button done"]]

        changed = await alice.press("done", exact=False)
        assert [m.text for m in changed] == ["Your tasks: ✅"]
        assert alice.last_callback is not None
        assert alice.last_callback.text == "Marked done"
        assert alice.last_message().edits[0].text == "Your tasks:"
        assert alice.message(replies[0].message_id).text == "Welcome"

        with pytest.raises(AssertionError, match="no button matching 'nope'"):
            await alice.press("nope")
    finally:
        await dp.stop_polling()
        await polling


async def test_a_webhook_gets_each_update_with_the_secret_until_it_answers_2xx(
    server: FakeTelegram, bot: Bot
) -> None:
    received: list[tuple[int, str | None]] = []
    answers = iter([500, 200, 200])

    async def webhook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        update = await request.json()
        received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return aiohttp.web.json_response({}, status=next(answers))

    app = aiohttp.web.Application()
    app.router.add_post("/hook", webhook)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        url = f"http://{host}:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()  # not while a webhook is set, as in Telegram
        server.push_message(ALICE, ALICE.id, "one")
        server.push_message(ALICE, ALICE.id, "two")
        async with asyncio.timeout(5):
            await server.wait_until(lambda: server.pending_updates == 0)
        ids = [update_id for update_id, _ in received]
        assert len(set(ids)) == 2
        assert len(ids) == 3  # the one answered 500 came again
        assert {secret for _, secret in received} == {"s3cret"}
        assert server.acknowledged() == set(ids)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()
