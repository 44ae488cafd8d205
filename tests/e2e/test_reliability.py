"""Reliability, end to end: the real `python -m bot` when its database goes away, when Telegram
fails, under duplicates, floods and concurrent people, behind an allow-list, at its per-person
limit, and when it is stopped under load.

Each test starts its own bot process (with its own settings) against a fresh PostgreSQL
database and a FakeTelegram, and stops it with SIGTERM at the end, expecting exit code 0. What
the bot confirmed in chat is checked against the database, read directly (never through the
bot) after the process has exited, so that nothing still in flight can change it.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.config import DatabaseSettings
from bot.db import Task, User, create_engine
from tests.conftest import (
    TEST_DATABASE_URL,
    create_pg_database,
    delete_redis_keys,
    drop_pg_database,
)
from tests.e2e.conftest import start_bot, wait_for_polling
from tests.e2e.driver import TelegramUser
from tests.e2e.fake_telegram import FakeTelegram, Message
from tests.e2e.fake_telegram import User as TgUser
from tests.e2e.process import BotProcess
from tests.e2e.tcp_proxy import TcpProxy

OUTAGE_EN = (
    "⚠️ I can't reach my database right now, so nothing was saved. Please try again in a minute."
)
OUTAGE_RU = (
    "⚠️ Я сейчас не могу достучаться до базы данных, поэтому ничего не сохранено. "
    "Попробуйте ещё раз через минуту."
)
SLOW_DOWN_EN = "🐢 That is too fast for me. I'll ignore your messages for a few seconds."
PRIVATE_BOT_EN = (
    "Sorry, this is a private bot. If its owner should let you in, send them your Telegram id: {id}"
)
CAP_EN = (
    "You already have 3 tasks, the most I can keep for one person. "
    "Delete some to add new ones. Nothing was saved."
)
# What the bot says when a handler failed with an error it did not expect.
APOLOGY_EN = "Sorry, something went wrong on my side."
ADDED_RE = re.compile(r"➕ #(?P<number>\d+) (?P<title>[^\n]*)")

SHUTDOWN_TIMEOUT = 10


# --- harness ----------------------------------------------------------------------------------


@dataclass
class Stored:
    """The database as the bot left it."""

    user_ids: set[int]
    # telegram id -> task number -> title
    tasks: dict[int, dict[int, str]]
    task_rows: int
    descriptions: list[str | None] = field(default_factory=list)

    def of(self, telegram_id: int) -> dict[int, str]:
        return self.tasks.get(telegram_id, {})


@dataclass
class Bot:
    server: FakeTelegram
    process: BotProcess
    database_url: str  # direct, not through any proxy
    exit_code: int | None = None

    def person(
        self,
        user_id: int,
        language: str = "en",
        *,
        username: str | None = None,
        timeout: float = 10.0,
    ) -> TelegramUser:
        return TelegramUser(
            self.server,
            TgUser(
                id=user_id,
                first_name=f"User{user_id}",
                username=username or f"user{user_id}",
                language_code=language,
            ),
            timeout=timeout,
        )

    async def stop(self, timeout: float = 30) -> float:
        """SIGTERM; asserts exit code 0 and returns how long the process took to exit."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            self.exit_code = await self.process.stop(signal.SIGTERM, timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not exit within {timeout}s of SIGTERM\n{self.log_tail()}"
            ) from None
        elapsed = loop.time() - started
        assert self.exit_code == 0, self.log_tail()
        return elapsed

    async def stored(self) -> Stored:
        engine = create_engine(DatabaseSettings(database_url=self.database_url))
        try:
            async with asyncio.timeout(15), engine.connect() as connection:
                user_ids = set(await connection.scalars(select(User.telegram_id)))
                rows = await connection.execute(
                    select(User.telegram_id, Task.number, Task.title, Task.description).join(
                        Task, Task.username == User.username
                    )
                )
                tasks: dict[int, dict[int, str]] = {}
                descriptions: list[str | None] = []
                for telegram_id, number, title, description in rows:
                    tasks.setdefault(telegram_id, {})[number] = title
                    descriptions.append(description)
                total = await connection.scalar(select(func.count()).select_from(Task))
        finally:
            await engine.dispose()
        return Stored(user_ids, tasks, int(total or 0), descriptions)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.process.log().splitlines()[-lines:])

    def assert_running(self) -> None:
        assert self.process.running, f"the bot exited:\n{self.log_tail()}"


@asynccontextmanager
async def running_bot(
    workdir: Path, env: Mapping[str, str] | None = None, *, proxy: TcpProxy | None = None
) -> AsyncIterator[Bot]:
    """A bot process on a fresh database (reached through `proxy` if given).

    The process is stopped with SIGTERM at the end (exit code 0 asserted) unless the test
    stopped it already; if the test fails it is killed.
    """
    database_url = await create_pg_database()
    try:
        async with FakeTelegram() as server:
            bot_url = database_url
            if proxy is not None:
                bot_url = (
                    make_url(database_url)
                    .set(host="127.0.0.1", port=proxy.port)
                    .render_as_string(hide_password=False)
                )
            process = await start_bot(server, bot_url, workdir, **(env or {}))
            try:
                await wait_for_polling(server, process)
                bot = Bot(server, process, database_url)
                yield bot
                if bot.exit_code is None:
                    await bot.stop()
            finally:
                await process.kill()
    finally:
        await drop_pg_database(database_url)


def postgres_address() -> tuple[str, int]:
    url = make_url(TEST_DATABASE_URL)
    return url.host or "127.0.0.1", url.port or 5432


def bot_messages(server: FakeTelegram, chat_id: int) -> list[Message]:
    return [m for m in server.messages(chat_id) if m.from_bot]


def confirmed_adds(server: FakeTelegram, chat_id: int) -> dict[int, str]:
    """Task number -> title, from every "➕ #3 Title" answer the bot sent in the chat."""
    confirmed: dict[int, str] = {}
    for message in bot_messages(server, chat_id):
        if match := ADDED_RE.match(message.text):
            confirmed[int(match["number"])] = match["title"]
    return confirmed


def added_messages(server: FakeTelegram, chat_id: int) -> list[Message]:
    return [m for m in bot_messages(server, chat_id) if ADDED_RE.match(m.text)]


async def wait_for(server: FakeTelegram, predicate: Callable[[], bool], seconds: float) -> bool:
    """Wait (bounded) until `predicate()` holds; False if it did not within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await server.wait_until(predicate)
    except TimeoutError:
        return False
    return True


async def wait_until_confirmed(server: FakeTelegram, update_id: int, seconds: float) -> None:
    """Until the bot has fetched and confirmed update `update_id` (a later getUpdates offset)."""

    def confirmed() -> bool:
        return any(int(r.params.get("offset", 0)) > update_id for r in server.calls("getUpdates"))

    assert await wait_for(server, confirmed, seconds), f"update {update_id} was never confirmed"


async def wait_until_quiet(server: FakeTelegram, chat_ids: Iterable[int], quiet: float) -> None:
    """Until the bot has made no request about these chats for `quiet` seconds (at most 30 s)."""
    chats = set(chat_ids)

    def activity() -> int:
        return sum(1 for r in server.requests if r.chat_id in chats)

    def changed(seen: int) -> bool:
        return activity() != seen

    async with asyncio.timeout(30):
        while True:
            if not await wait_for(server, partial(changed, activity()), quiet):
                return


def last_update_id(server: FakeTelegram) -> int:
    # FakeTelegram numbers updates itself and does not expose the counter; every update it
    # handed out so far is at most this.
    return server._last_update_id


# --- a) the database goes away and comes back ------------------------------------------------


async def test_database_outage_is_explained_nothing_is_saved_and_the_bot_heals(
    tmp_path: Path,
) -> None:
    async with (
        TcpProxy(*postgres_address()) as proxy,
        running_bot(tmp_path, proxy=proxy) as bot,
    ):
        alice = bot.person(3001, timeout=15)
        ivan = bot.person(3002, "ru", timeout=15)
        [first] = await alice.send("/add First")
        assert first.text == "➕ #1 First"
        [first] = await alice.press("📂 Open", first)

        proxy.cut()
        for text in ("/add During outage", "/list", "Something"):
            replies = await alice.send(text)
            assert [m.text for m in replies] == [OUTAGE_EN], alice.transcript()
            bot.assert_running()
        await alice.press("🔄 In progress", first)
        assert alice.last_callback is not None
        assert alice.last_callback.answered
        assert alice.last_callback.text == OUTAGE_EN
        assert "Status: ⬜ To do" in alice.message(first.message_id).text
        replies = await ivan.send("/add Во время сбоя")
        assert [m.text for m in replies] == [OUTAGE_RU], ivan.transcript()
        bot.assert_running()

        # Idle during the outage: long polling goes on as usual, nothing spins.
        window_start = time.monotonic()  # the clock of RecordedRequest.time
        connection_attempts = proxy.accepted + proxy.refused
        await asyncio.sleep(3)
        polls = [r for r in bot.server.calls("getUpdates") if r.time >= window_start]
        assert len(polls) <= 10, f"{len(polls)} getUpdates calls in 3 s\n{bot.log_tail()}"
        attempts = proxy.accepted + proxy.refused - connection_attempts
        assert attempts <= 30, f"{attempts} database connection attempts in 3 s of idling"
        bot.assert_running()

        proxy.restore()
        replies = await alice.send("/add After outage")
        assert [m.text for m in replies] == ["➕ #2 After outage"]

        await bot.stop()
        stored = await bot.stored()
        assert stored.of(3001) == {1: "First", 2: "After outage"}
        assert stored.task_rows == 2


# --- b) Telegram fails ------------------------------------------------------------------------


async def wait_for_reply(user: TelegramUser, title: str, seconds: float = 10) -> None:
    """Until the "➕ #3 Title" answer for `title` is in the chat; fails early on an apology."""
    server = user.server

    def settled() -> bool:
        if title in confirmed_adds(server, user.chat_id).values():
            return True
        return any(m.text.startswith(APOLOGY_EN) for m in bot_messages(server, user.chat_id))

    await wait_for(server, settled, seconds)
    assert title in confirmed_adds(server, user.chat_id).values(), (
        f"no reply for {title!r} (waited at most {seconds}s)\n{user.transcript()}"
    )


async def wait_for_poll_failures(server: FakeTelegram, status: int, count: int) -> None:
    """Until `count` getUpdates calls in all failed with `status` and a long poll is pending
    again, i.e. polling got over the failures."""

    def recovered() -> bool:
        failed = [r for r in server.calls("getUpdates") if r.status == status]
        return len(failed) >= count and server.polling

    assert await wait_for(server, recovered, 20), [
        (r.status, r.response) for r in server.calls("getUpdates")[-8:]
    ]


async def test_telegram_faults_are_retried_and_a_blocked_chat_is_given_up(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        server = bot.server
        dora = bot.person(3101)
        [hello] = await dora.send("/start")
        assert hello.text.startswith("👋")

        # sendMessage: 429 with retry_after, then plain HTTP 502 twice.
        server.inject_failure(method="sendMessage", status=429, count=1, retry_after=1)
        server.push_message(dora.user, dora.chat_id, "/add Rate limited")
        await wait_for_reply(dora, "Rate limited")
        server.clear_failures()

        server.inject_failure(method="sendMessage", status=502, count=2)
        server.push_message(dora.user, dora.chat_id, "/add Server hiccup")
        await wait_for_reply(dora, "Server hiccup")
        server.clear_failures()

        # getUpdates: three plain 502s, then separately a 429.
        server.inject_failure(method="getUpdates", status=502, count=3)
        await dora.send("/help")  # ends the pending long poll; the next polls fail
        await wait_for_poll_failures(server, 502, 3)
        server.clear_failures()
        server.inject_failure(method="getUpdates", status=429, count=1, retry_after=1)
        await dora.send("/help")
        await wait_for_poll_failures(server, 429, 1)
        server.clear_failures()
        replies = await dora.send("/add After polling faults")
        assert replies[-1].text == "➕ #3 After polling faults", dora.transcript()

        # Each reply arrived exactly once, retries or not.
        texts = [m.text for m in added_messages(server, dora.chat_id)]
        for title in ("Rate limited", "Server hiccup", "After polling faults"):
            assert sum(title in t for t in texts) == 1, dora.transcript()

        # A person who blocked the bot: the task is kept, the reply is given up.
        blocked = bot.person(3102)
        erin = bot.person(3103)
        server.inject_failure(
            method="sendMessage",
            status=403,
            count=None,
            chat_id=blocked.chat_id,
            description="Forbidden: bot was blocked by the user",
        )
        server.push_message(blocked.user, blocked.chat_id, "/add Blocked")

        def refused() -> bool:
            return any(
                r.status == 403 for r in server.calls("sendMessage") if r.chat_id == blocked.chat_id
            )

        assert await wait_for(server, refused, 10), blocked.transcript()
        [answer] = await erin.send("/add Not blocked")
        assert answer.text == "➕ #1 Not blocked"
        await asyncio.sleep(1.5)  # room for retries, if the bot (wrongly) makes them
        # The reply, and at most one more try (say, the error handler's apology): no retries.
        attempts = [r for r in server.calls("sendMessage") if r.chat_id == blocked.chat_id]
        assert len(attempts) <= 2, f"{len(attempts)} sendMessage calls to a blocked chat"
        bot.assert_running()

        await bot.stop()
        stored = await bot.stored()
        assert stored.of(3101) == {1: "Rate limited", 2: "Server hiccup", 3: "After polling faults"}
        assert stored.of(3102) == {1: "Blocked"}
        assert stored.of(3103) == {1: "Not blocked"}


async def test_a_saved_task_whose_reply_failed_is_not_called_unsaved(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        server = bot.server
        fay = bot.person(3201)
        await fay.send("/start")
        # The reply and its three retries all fail; the error handler's notice gets through.
        server.inject_failure(method="sendMessage", status=500, count=4)
        server.push_message(fay.user, fay.chat_id, "/add Saved anyway")
        saved = "✅ That was saved, but I could not show you the result. Send /list to see it."

        def noticed() -> bool:
            return any(m.text == saved for m in bot_messages(server, fay.chat_id))

        assert await wait_for(server, noticed, 20), fay.transcript()
        [listing] = await fay.send("/list")
        assert "Saved anyway" in listing.text
        await bot.stop()
        assert (await bot.stored()).of(3201) == {1: "Saved anyway"}


# --- c) duplicates and many people at once ----------------------------------------------------


async def test_duplicate_deliveries_and_concurrent_people(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        server = bot.server
        # The same message delivered again after it was handled, in a new update. FakeTelegram
        # gives every pushed message a new message_id, so the second delivery goes through its
        # internal update queue with the very same message JSON.
        frank = bot.person(3201)
        payload = server.push_message(frank.user, frank.chat_id, "/add Twice")
        first_reply = partial(confirmed_adds, server, frank.chat_id)
        assert await wait_for(server, lambda: bool(first_reply()), 10), frank.transcript()
        server._push_update("message", payload)
        await wait_until_confirmed(server, last_update_id(server), 10)

        # ... and twice in the same batch, handled concurrently.
        grace = bot.person(3202)
        payload = server.push_message(grace.user, grace.chat_id, "/add Twice at once")
        server._push_update("message", payload)
        await wait_until_confirmed(server, last_update_id(server), 10)
        await wait_until_quiet(server, [frank.chat_id, grace.chat_id], 0.5)
        for user in (frank, grace):
            # However the bot answers a duplicate, it never reports a second task.
            assert set(confirmed_adds(server, user.chat_id)) == {1}, user.transcript()

        # 20 people add 10 tasks each, all 200 messages at once.
        people = [bot.person(3300 + i) for i in range(20)]
        for k in range(1, 11):
            for user in people:
                server.push_message(user.user, user.chat_id, f"/add Task {k}")

        def all_answered() -> bool:
            return all(len(added_messages(server, u.chat_id)) >= 10 for u in people)

        answered = await wait_for(server, all_answered, 45)
        missing = {u.chat_id: 10 - len(added_messages(server, u.chat_id)) for u in people}
        assert answered, f"replies missing per person: {missing}\n{bot.log_tail()}"
        confirmed = {u.chat_id: confirmed_adds(server, u.chat_id) for u in people}

        await bot.stop()
        stored = await bot.stored()
        assert stored.of(frank.chat_id) == {1: "Twice"}
        assert stored.of(grace.chat_id) == {1: "Twice at once"}
        assert stored.task_rows == 202
        titles = {f"Task {k}" for k in range(1, 11)}
        for user in people:
            # One reply per message, each naming the task the database holds under its number.
            assert len(added_messages(server, user.chat_id)) == 10, user.transcript()
            mine = stored.of(user.chat_id)
            assert sorted(mine) == list(range(1, 11)), mine
            assert set(mine.values()) == titles, mine
            assert confirmed[user.chat_id] == mine


# --- d) one person floods the bot -------------------------------------------------------------


async def test_a_flood_is_cut_short_with_one_notice_and_others_are_served(
    tmp_path: Path,
) -> None:
    env = {"RATE_LIMIT_UPDATES": "30", "RATE_LIMIT_SECONDS": "10"}
    async with running_bot(tmp_path, env) as bot:
        server = bot.server
        flooder = bot.person(3401)
        calm = bot.person(3402, timeout=5)
        for k in range(1, 201):  # commands: the flood limit applies to them as it is
            server.push_message(flooder.user, flooder.chat_id, f"/add flood {k}")
        [answer] = await calm.send("/add Not flooded")
        assert answer.text == "➕ #1 Not flooded"
        await wait_until_confirmed(server, last_update_id(server), 30)
        await wait_until_quiet(server, [flooder.chat_id], 1.0)
        bot.assert_running()

        await bot.stop()
        chat = flooder.chat_id
        notices = [m.text for m in bot_messages(server, chat) if m.text.startswith("🐢")]
        added = added_messages(server, chat)
        assert notices == [SLOW_DOWN_EN], (
            f"{len(added)} added, {len(notices)} notices: {notices[:2]}"
        )
        confirmed = confirmed_adds(server, chat)
        assert len(added) == len(confirmed)
        stored = await bot.stored()
        assert len(stored.of(chat)) <= 30
        assert stored.of(chat) == confirmed
        assert stored.of(calm.chat_id) == {1: "Not flooded"}


async def test_a_burst_of_forwards_is_saved_whole_and_answered_once(tmp_path: Path) -> None:
    env = {"RATE_LIMIT_UPDATES": "30", "RATE_LIMIT_SECONDS": "10", "BURST_GAP": "1"}
    async with running_bot(tmp_path, env) as bot:
        server = bot.server
        forwarder = bot.person(3451)
        for k in range(1, 36):  # what forwarding 35 messages at once delivers
            server.push_message(forwarder.user, forwarder.chat_id, f"Forwarded {k}")
        await wait_until_confirmed(server, last_update_id(server), 30)
        await wait_until_quiet(server, [forwarder.chat_id], 2.0)
        bot.assert_running()
        await bot.stop()
        answers = [m.text for m in bot_messages(server, forwarder.chat_id)]
        assert len(answers) == 2, answers
        assert answers[0].startswith("➕ #")
        assert answers[1].startswith("➕ Saved 34 more tasks:")
        stored = await bot.stored()
        assert sorted(stored.of(forwarder.chat_id).values()) == sorted(
            f"Forwarded {k}" for k in range(1, 36)
        )


async def test_a_group_sees_no_ones_tasks(tmp_path: Path) -> None:
    group = -100_3500
    async with running_bot(tmp_path) as bot:
        server = bot.server
        alice = bot.person(3461)
        await alice.send("/add Private plan")
        in_group = TelegramUser(server, alice.user, chat_id=group, timeout=10)
        [ack] = await in_group.send("/list")
        assert ack.text == "📬 I sent it to you in a private chat."
        listing = alice.last_message()
        assert listing.text.startswith("📋 Open tasks (1)")
        assert "Private plan" in listing.text
        [ack] = await in_group.send("/done 1")
        assert "Private plan: done" in alice.last_message().text
        # Someone the bot may not write to first gets a button to open the private chat.
        stranger = bot.person(3462, "ru")
        server.inject_failure(
            method="sendMessage",
            status=403,
            count=None,
            chat_id=stranger.chat_id,
            description="Forbidden: bot can't initiate conversation with a user",
        )
        stranger_in_group = TelegramUser(server, stranger.user, chat_id=group, timeout=10)
        [invite] = await stranger_in_group.send("/list")
        assert invite.text.startswith("Я не могу написать вам первым.")
        assert invite.inline_keyboard[0][0]["url"].endswith("?start=group")
        group_texts = " ".join(m.text for m in server.messages(group))
        assert "Private plan" not in group_texts.replace("/add Private plan", "")


# --- e) an allow-list -------------------------------------------------------------------------


async def test_only_allowed_people_get_in(tmp_path: Path) -> None:
    async with running_bot(tmp_path, {"ALLOWED_USERS": "3501,@bob_name"}) as bot:
        alice = bot.person(3501, username="alice_w")
        bob = bot.person(3502, username="Bob_Name")
        stranger = bot.person(3503, username="stranger")
        for text in ("/start", "/add x"):
            replies = await stranger.send(text)
            assert [m.text for m in replies] == [PRIVATE_BOT_EN.format(id=3503)], (
                stranger.transcript()
            )
        [added] = await alice.send("/add Alice's task")
        assert added.text == "➕ #1 Alice's task"
        [added] = await bob.send("/add Bob's task")
        assert added.text == "➕ #1 Bob's task"

        await bot.stop()
        stored = await bot.stored()
        assert stored.user_ids == {3501, 3502}
        assert stored.tasks == {3501: {1: "Alice's task"}, 3502: {1: "Bob's task"}}


# --- f) SIGTERM while busy --------------------------------------------------------------------


async def test_sigterm_under_load_keeps_every_confirmed_task(tmp_path: Path) -> None:
    await _sigterm_under_load(tmp_path, {})


async def test_sigterm_under_load_with_redis_keeps_every_confirmed_task(
    tmp_path: Path, redis_url: str
) -> None:
    """Polling with REDIS_URL: aiogram closes the dialogue storage first on shutdown, before
    the updates in flight are drained; they finish all the same (redis-py reconnects)."""
    prefix = f"todo-e2e-{uuid.uuid4().hex[:12]}"
    try:
        log = await _sigterm_under_load(tmp_path, {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix})
        assert "Traceback" not in log, log
        assert " ERROR " not in log, log
    finally:
        await delete_redis_keys(redis_url, prefix)


async def _sigterm_under_load(tmp_path: Path, extra: dict[str, str]) -> str:
    """50 adds from 10 people, SIGTERM with some in flight; the bot's log."""
    env = {"SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT), **extra}
    async with running_bot(tmp_path, env) as bot:
        server = bot.server
        server.latency["sendmessage"] = 0.05  # replies take a while: updates stay in flight
        people = [bot.person(3600 + i) for i in range(10)]
        sent: dict[int, set[str]] = {u.chat_id: set() for u in people}
        for k in range(1, 51):
            user = people[k % len(people)]
            server.push_message(user.user, user.chat_id, f"/add Load {k}")
            sent[user.chat_id].add(f"Load {k}")

        def replies() -> int:
            return sum(len(added_messages(server, u.chat_id)) for u in people)

        assert await wait_for(server, lambda: replies() >= 10, 20), bot.log_tail()
        elapsed = await bot.stop(timeout=SHUTDOWN_TIMEOUT + 5)
        assert elapsed <= SHUTDOWN_TIMEOUT + 2, f"exited {elapsed:.1f}s after SIGTERM"

        stored = await bot.stored()
        for user in people:
            confirmed = confirmed_adds(server, user.chat_id)
            mine = stored.of(user.chat_id)
            assert confirmed.items() <= mine.items(), (confirmed, mine)
            assert set(mine.values()) <= sent[user.chat_id], mine
            assert len(set(mine.values())) == len(mine), mine  # no title twice
            # Stricter than "confirmed ones are kept": updates in flight finish, so no task was
            # saved without its confirmation either.
            assert mine == confirmed, (confirmed, mine)
        assert all(d is None for d in stored.descriptions)
        return bot.process.log()


# --- the per-person cap -----------------------------------------------------------------------


async def test_the_per_person_cap_refuses_and_saves_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path, {"MAX_TASKS_PER_USER": "3"}) as bot:
        hana = bot.person(3701)
        for number in range(1, 4):
            [added] = await hana.send(f"/add Task {number}")
            assert added.text == f"➕ #{number} Task {number}"
        replies = await hana.send("/add One too many")
        assert [m.text for m in replies] == [CAP_EN], hana.transcript()

        await bot.stop()
        stored = await bot.stored()
        assert stored.of(3701) == {1: "Task 1", 2: "Task 2", 3: "Task 3"}
