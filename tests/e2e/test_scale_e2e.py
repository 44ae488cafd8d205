"""Two real `python -m bot` replicas in webhook mode behind one address (a round-robin
balancer, so that each replica surely gets its turn; nginx in the compose file's `scale`
profile sends to the least busy), on one PostgreSQL and one Redis; the fake Bot API plays
Telegram: it posts each update, with the secret, until a replica answers 2xx. Started once
for the module: the webhook set as `set-webhook` sets it, then the replicas."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.app import set_webhook_once
from bot.config import DatabaseSettings, Settings
from bot.db import Task, User, create_engine
from tests.conftest import create_pg_database, delete_redis_keys, drop_pg_database, free_port
from tests.e2e.balancer import Balancer
from tests.e2e.conftest import START_TIMEOUT, start_bot
from tests.e2e.fake_telegram import FakeTelegram, JsonDict
from tests.e2e.fake_telegram import User as TgUser
from tests.e2e.process import BotProcess
from tests.e2e.test_reminders_e2e import PEOPLE, delivered, write_reminders

pytestmark = pytest.mark.e2e

SECRET = "e2e-Webhook_secret-42"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"
WAIT = 30  # seconds any one step may take


@dataclass
class Deployment:
    server: FakeTelegram
    balancer: Balancer
    replicas: list[BotProcess]
    urls: list[str]  # each replica's own address, as the proxy reaches it
    database_url: str
    http: aiohttp.ClientSession

    async def post(self, replica: int, update: JsonDict, secret: str | None = SECRET) -> int:
        """Post an update to one replica as Telegram would; the HTTP status."""
        headers = {} if secret is None else {SECRET_HEADER: secret}
        async with self.http.post(self.urls[replica] + PATH, json=update, headers=headers) as r:
            await r.read()
            return r.status

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            await self.server.wait_until(predicate)

    def replies(self, chat_id: int) -> list[str]:
        return [m.text for m in self.server.messages(chat_id) if m.from_bot]

    async def tasks_of(self, telegram_id: int) -> list[str]:
        engine = create_engine(DatabaseSettings(database_url=self.database_url))
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(Task.title)
                    .join(User, User.username == Task.username)
                    .where(User.telegram_id == telegram_id)
                    .order_by(Task.number)
                )
                return [title for (title,) in rows]
        finally:
            await engine.dispose()


async def _healthy(http: aiohttp.ClientSession, url: str, process: BotProcess) -> None:
    """Until the replica's /healthz says 200; a replica that exits fails at once."""
    async with asyncio.timeout(START_TIMEOUT):
        while True:
            assert process.running, f"the replica exited at start:\n{process.log()}"
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)


@pytest.fixture(scope="module")
async def deployment(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Deployment]:
    database_url = await create_pg_database()
    prefix = f"todo-e2e-{uuid.uuid4().hex[:12]}"
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    replicas: list[BotProcess] = []
    async with (
        FakeTelegram() as server,
        Balancer(urls) as balancer,
        aiohttp.ClientSession() as http,
    ):
        env = {
            "WEBHOOK_URL": balancer.url + PATH,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": prefix,
            "REMINDER_INTERVAL": "0.5",
            "SEND_RATE": "100",
            # Also how long a killed replica's hold on a person lasts (RedisEventIsolation).
            "SHUTDOWN_TIMEOUT": "5",
        }
        try:
            # Once per deployment, before the replicas (`python -m bot set-webhook` runs this;
            # in this process, it saves the module a cold start).
            await set_webhook_once(
                Settings(
                    _env_file=None,
                    bot_token=server.token,
                    telegram_api_url=server.base_url,
                    database_url=database_url,
                    webhook_url=env["WEBHOOK_URL"],
                    webhook_secret=SECRET,
                )
            )
            assert server.webhook_url == balancer.url + PATH
            for port in ports:
                workdir = tmp_path_factory.mktemp(f"replica-{port}")
                replicas.append(
                    await start_bot(server, database_url, workdir, WEBHOOK_PORT=str(port), **env)
                )
            for url, replica in zip(urls, replicas, strict=True):
                await _healthy(http, url, replica)
            yield Deployment(server, balancer, replicas, urls, database_url, http)
        finally:
            for replica in replicas:
                await replica.kill()
            await drop_pg_database(database_url)
            await delete_redis_keys(redis_url, prefix)


def person(telegram_id: int, language: str = "en") -> TgUser:
    return TgUser(telegram_id, f"P{telegram_id}", f"p{telegram_id}", language)


async def test_updates_to_one_address_are_spread_over_both_replicas_and_answered(
    deployment: Deployment,
) -> None:
    server, balancer = deployment.server, deployment.balancer
    people = [person(6001 + n) for n in range(4)]
    before = list(balancer.answered)
    for user in people:
        server.push_message(user, user.id, f"Buy milk {user.id}")
    await deployment.until(lambda: all(deployment.replies(user.id) for user in people))
    await deployment.until(lambda: server.pending_updates == 0)
    for user in people:
        assert deployment.replies(user.id)[0].startswith(f"➕ #1 Buy milk {user.id}")
    assert all(now > then for now, then in zip(balancer.answered, before, strict=True))
    assert server.calls("getUpdates") == []  # no replica polls


async def test_an_update_without_the_secret_is_refused_and_health_is_reported(
    deployment: Deployment,
) -> None:
    user = person(6101)
    update = deployment.server.new_message_update(user, user.id, "Not from Telegram")
    assert await deployment.post(0, update, secret=None) == 401
    assert await deployment.post(1, update, secret="a-guess") == 401
    assert deployment.replies(user.id) == []
    assert await deployment.tasks_of(user.id) == []
    async with deployment.http.get(deployment.urls[1] + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"database": "ok", "redis": "ok"}


async def test_an_update_delivered_again_to_the_other_replica_changes_nothing(
    deployment: Deployment,
) -> None:
    user = person(6201)
    update = deployment.server.new_message_update(user, user.id, "Call the bank")
    assert await deployment.post(0, update) == 200
    assert await deployment.post(1, update) == 200  # its answer to Telegram was lost
    assert await deployment.post(0, update) == 200
    assert await deployment.tasks_of(user.id) == ["Call the bank"]
    assert len(deployment.replies(user.id)) == 1  # answered once


async def test_a_dialogue_begun_on_one_replica_ends_on_the_other(deployment: Deployment) -> None:
    server, user = deployment.server, person(6301)
    assert await deployment.post(0, server.new_message_update(user, user.id, "/add")) == 200
    assert len(deployment.replies(user.id)) == 1  # it asks for the text
    assert await deployment.post(1, server.new_message_update(user, user.id, "Water it")) == 200
    assert await deployment.tasks_of(user.id) == ["Water it"]
    assert deployment.replies(user.id)[-1].startswith("➕ #1 Water it")

    # A pasted text waits for a tap beside the dialogue (another key of the storage).
    paste = server.new_message_update(user, user.id, "Milk\nEggs")
    assert await deployment.post(1, paste) == 200
    question = [m for m in server.messages(user.id) if m.from_bot][-1]
    per_line = question.inline_keyboard[0][1]
    assert per_line["text"] == "📋 2 tasks"
    press = server.new_callback_update(user, question, per_line["callback_data"])
    assert await deployment.post(0, press) == 200
    assert await deployment.tasks_of(user.id) == ["Water it", "Milk", "Eggs"]


async def test_a_zone_set_through_one_replica_is_the_zone_on_the_other(
    deployment: Deployment,
) -> None:
    server, user = deployment.server, person(6401)

    async def say(replica: int, text: str) -> str:
        assert await deployment.post(replica, server.new_message_update(user, user.id, text)) == 200
        return deployment.replies(user.id)[-1]

    assert "UTC" in await say(1, "/tz")  # the second replica has read her row
    assert "Europe/Berlin" in await say(0, "/tz Europe/Berlin")
    assert "Europe/Berlin" in await say(1, "/tz")


async def test_two_workers_send_each_reminder_once(deployment: Deployment) -> None:
    server = deployment.server
    for telegram_id in PEOPLE:  # each has a chat with the bot
        server.push_message(person(telegram_id), telegram_id, "/start")
    await deployment.until(lambda: all(deployment.replies(t) for t in PEOPLE))
    # One each: several for one person are spaced a second apart (Telegram's per-chat limit).
    titles = await write_reminders(deployment.database_url, 1, seconds_ahead=1)
    await deployment.until(lambda: len(delivered(server)) >= len(titles))
    await asyncio.sleep(1.5)  # three more rounds of each worker: nothing is sent twice
    texts = delivered(server)
    assert sorted(text.split(" ", 2)[2] for text in texts) == sorted(titles)


async def test_two_workers_send_each_digest_once(deployment: Deployment) -> None:
    server = deployment.server
    people = [person(6501 + n) for n in range(4)]
    for user in people:  # each with a task due today, which a digest lists
        server.push_message(user, user.id, "/add Pay rent today")
    await deployment.until(lambda: all(deployment.replies(user.id) for user in people))
    # Their digests fall due a second from now, as the worker's schedule would set them.
    engine = create_engine(DatabaseSettings(database_url=deployment.database_url))
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(User)
                .where(User.telegram_id.in_([user.id for user in people]))
                .values(digest_minute=540, digest_at=datetime.now(UTC) + timedelta(seconds=1))
            )
    finally:
        await engine.dispose()

    def digests(user: TgUser) -> list[str]:
        return [text for text in deployment.replies(user.id) if text.startswith("☀️")]

    await deployment.until(lambda: all(digests(user) for user in people))
    await asyncio.sleep(1.5)  # three more rounds of each worker: nothing is sent twice
    for user in people:
        [digest] = digests(user)
        assert "Pay rent" in digest


async def test_a_replica_killed_mid_load_loses_no_update_it_had_not_acknowledged(
    deployment: Deployment,
) -> None:
    server = deployment.server
    server.latency["sendmessage"] = 0.3  # a slow Telegram: updates stay in flight a while
    people = [person(7000 + n) for n in range(60)]
    first = len(server.deliveries)
    for user in people:
        server.push_message(user, user.id, f"Load {user.id}")

    def acknowledged() -> int:
        return len([d for d in server.deliveries[first:] if d.status == 200])

    await deployment.until(lambda: acknowledged() >= 10)
    await deployment.replicas[0].kill()  # SIGKILL, with updates in flight
    await deployment.until(lambda: server.pending_updates == 0)
    server.latency.clear()

    # The kill did cut deliveries short: Telegram had to send those again.
    assert any(d.status != 200 for d in server.deliveries[first:])
    for user in people:  # each message saved once, answered at least once
        assert await deployment.tasks_of(user.id) == [f"Load {user.id}"]
        assert deployment.replies(user.id)

    # The survivor stops cleanly with an update in flight, and leaves the webhook set.
    server.latency["sendmessage"] = 0.5
    late = person(7100)
    server.push_message(late, late.id, "Late one")
    # Being handled: its answer is on its way to the slow sendMessage.
    await deployment.until(lambda: any(r.chat_id == late.id for r in server.calls("sendMessage")))
    assert await deployment.replicas[1].stop(signal.SIGTERM) == 0
    assert await deployment.tasks_of(late.id) == ["Late one"]
    assert deployment.replies(late.id)
    assert server.pending_updates == 0  # and acknowledged: Telegram will not send it again
    assert server.calls("deleteWebhook") == []
    assert server.webhook_url is not None
