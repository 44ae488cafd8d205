"""What replicas share through a real Redis, and the lock that keeps a second replica out
without it (real PostgreSQL and SQLite): each piece as two replicas see it, in one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.types import TelegramObject, Update
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import StartupError, run
from bot.chat.middlewares.in_flight import InFlightUpdates
from bot.config import Settings
from bot.db.replica_lock import ReplicaLockTaken, hold_replica_lock
from bot.scale.dialogues import RedisDialogues
from bot.scale.people import PeoplePerUpdate, SharedPeople
from bot.scale.redis import Keys
from bot.scale.send_limits import SharedSendLimiter
from bot.scale.updates import UpdateClaims
from bot.schemas import Person
from bot.services import TaskService
from bot.webhook import Health, webhook_problem
from tests.conftest import free_port

TOKEN = "4242:TEST-token-for-the-recording-session"
ANNA = Person(telegram_id=3001, username="anna", language="en")
T = TypeVar("T")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


# -- update ids -------------------------------------------------------------------------------


async def test_an_update_is_claimed_once_and_done_is_remembered(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    first, second = UpdateClaims(redis, keys), UpdateClaims(redis, keys)
    await first.beat()
    await second.beat()
    assert await first.try_claim(1) == "run"
    assert await second.try_claim(1) == "busy"  # its owner is alive: wait, do not run
    waiting = asyncio.create_task(second.claim(1))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await first.done(1)
    assert await asyncio.wait_for(waiting, 2) == "done"  # the re-delivery does nothing
    assert await first.try_claim(1) == "done"


async def test_a_failed_update_and_a_dead_owners_claim_are_run_again(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    first, second = UpdateClaims(redis, keys), UpdateClaims(redis, keys)
    await first.beat()
    await second.beat()
    assert await first.try_claim(2) == "run"
    await first.release(2)  # its handler failed: Telegram's next delivery must run it
    assert await second.try_claim(2) == "run"
    await second.release(2)

    assert await first.try_claim(3) == "run"
    await first.stop_beating()  # as when its heartbeat lapses: the replica died mid-update
    assert await second.try_claim(3) == "run"
    await first.release(3)  # too late for the dead one: the claim is no longer its
    assert await first.try_claim(3) == "busy"


# -- the send rate ----------------------------------------------------------------------------


async def test_replicas_together_keep_one_send_rate(redis: Redis, redis_prefix: str) -> None:
    keys = Keys(redis_prefix)
    replicas = [SharedSendLimiter(redis, keys, "bot", per_second=40) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(replicas[n % 2].wait_turn() for n in range(9)))
    # Nine sends at 40 a second between them: eight intervals, though each replica sent
    # only four or five (alone, each would have been done in 0.1 s).
    assert time.monotonic() - started >= 8 / 40 - 0.02


async def test_unasked_sends_keep_the_per_chat_interval_across_replicas(
    redis: Redis, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix)
    first, second = (
        SharedSendLimiter(redis, keys, "reminders", per_second=1000, per_chat_interval=0.4)
        for _ in range(2)
    )
    started = time.monotonic()
    await first.wait(7)
    await second.wait(8)  # another chat: no wait
    assert time.monotonic() - started < 0.2
    await second.wait(7)  # the same chat from the other replica waits its turn
    assert time.monotonic() - started >= 0.4 - 0.02


# -- dialogues --------------------------------------------------------------------------------


async def test_the_dialogue_storage_closes_once_the_updates_in_flight_are_done(
    redis_url: str, redis_prefix: str
) -> None:
    """Polling runs the storage's close first on shutdown, with updates still in flight."""
    in_flight = InFlightUpdates()
    storage = RedisDialogues(
        Redis.from_url(redis_url),
        key_builder=DefaultKeyBuilder(prefix=redis_prefix),
        ttl=60,
        in_flight=in_flight,
        drain_timeout=5,
    )
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)
    go_on = asyncio.Event()

    async def update() -> None:
        async with in_flight.tracking():
            await go_on.wait()
            await storage.set_state(key, "AddTask:text")

    handling = asyncio.create_task(update())
    await asyncio.sleep(0)  # the update is in flight
    closing = asyncio.create_task(storage.close())
    await asyncio.sleep(0.2)
    assert not closing.done()  # it waits for the update
    go_on.set()
    await asyncio.wait_for(closing, 5)
    await handling  # its write went through
    reader = Redis.from_url(redis_url)
    try:
        assert await reader.get(DefaultKeyBuilder(prefix=redis_prefix).build(key, "state")) == (
            b"AddTask:text"
        )
    finally:
        await reader.aclose()


# -- what is known of people ------------------------------------------------------------------


async def test_a_zone_set_through_one_replica_is_read_on_the_other(
    redis: Redis, redis_prefix: str, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    keys = Keys(redis_prefix)
    first, second = (TaskService(session_maker, people=SharedPeople(redis, keys)) for _ in range(2))
    assert (await second.zone_of(ANNA)).name == "UTC"  # the second one has read her row
    await first.set_timezone(ANNA, ZoneInfo("Europe/Berlin"))
    zone = await second.zone_of(ANNA)
    assert (zone.name, zone.chosen) == ("Europe/Berlin", True)


async def in_update(work: Callable[[], Awaitable[T]]) -> T:
    """`work` as a handler runs it: inside PeoplePerUpdate, as the dispatcher calls it."""

    async def handler(event: TelegramObject, data: dict[str, Any]) -> T:
        return await work()

    result: T = await PeoplePerUpdate()(handler, Update(update_id=1), {})
    return result


async def test_within_an_update_a_person_is_asked_of_redis_once(
    redis: Redis, redis_prefix: str, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    people = SharedPeople(redis, Keys(redis_prefix))
    service = TaskService(session_maker, people=people)
    await service.zone_of(ANNA)  # synced: her entry is in Redis

    async def two_askings() -> tuple[str, str]:
        first = await service.zone_of(ANNA)
        # Gone from Redis now: only the update's memo can still answer.
        await redis.delete(Keys(redis_prefix).person(ANNA.telegram_id))
        second = await people.get(ANNA.telegram_id)
        assert second is not None
        return first.name, second.zone

    assert await in_update(two_askings) == ("UTC", "UTC")
    assert await people.get(ANNA.telegram_id) is None  # outside an update: Redis itself


async def test_the_memo_of_one_update_is_not_the_next_updates(
    redis: Redis, redis_prefix: str, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    keys = Keys(redis_prefix)
    first, second = (TaskService(session_maker, people=SharedPeople(redis, keys)) for _ in range(2))

    async def zone_on_second() -> str:
        return (await second.zone_of(ANNA)).name

    assert await in_update(zone_on_second) == "UTC"
    await in_update(lambda: first.set_timezone(ANNA, ZoneInfo("Europe/Berlin")))
    assert await in_update(zone_on_second) == "Europe/Berlin"

    async def set_and_read() -> str:  # a write in the update is what it reads after
        await second.set_timezone(ANNA, ZoneInfo("Asia/Tokyo"))
        return (await second.zone_of(ANNA)).name

    assert await in_update(set_and_read) == "Asia/Tokyo"
    assert await in_update(zone_on_second) == "Asia/Tokyo"


# -- one replica without Redis ----------------------------------------------------------------


async def test_a_second_replica_cannot_take_the_database(engine: AsyncEngine) -> None:
    lock = await hold_replica_lock(engine)
    with pytest.raises(ReplicaLockTaken):
        await hold_replica_lock(engine)  # another connection: as another process would
    await lock.release()
    again = await hold_replica_lock(engine)  # free once the first is gone
    await again.release()


async def test_a_second_webhook_replica_without_redis_refuses_to_start(
    engine: AsyncEngine, database_url: str
) -> None:
    lock = await hold_replica_lock(engine)  # the first replica
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="s",
    )
    try:
        with pytest.raises(StartupError) as refused:
            await run(settings)  # stops before it reaches Telegram
    finally:
        await lock.release()
    assert refused.value.setting == "REDIS_URL"
    assert "set REDIS_URL" in str(refused.value)


async def test_health_names_what_does_not_answer(engine: AsyncEngine) -> None:
    gone = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    app = web.Application()
    app.router.add_get("/healthz", Health(engine, gone).handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://{host}:{port}/healthz") as response,
        ):
            assert response.status == 503
            assert await response.json() == {"database": "ok", "redis": "unreachable"}
    finally:
        await runner.cleanup()
        await gone.aclose()


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"webhook_url": "https://bot.example.org/telegram"}, "WEBHOOK_SECRET"),
        ({"webhook_url": "http://bot.example.org/telegram", "webhook_secret": "s"}, "WEBHOOK_URL"),
        ({"webhook_url": "https://bot.example.org:9000/t", "webhook_secret": "s"}, "WEBHOOK_URL"),
    ],
)
def test_webhook_settings_that_cannot_work_name_the_setting(
    env: dict[str, str], setting: str
) -> None:
    problem = webhook_problem(Settings.model_validate({"bot_token": TOKEN, **env}))
    assert problem is not None
    assert problem[0] == setting


def test_webhook_settings_that_work() -> None:
    assert (
        webhook_problem(
            Settings(bot_token=TOKEN, webhook_url="https://bot.example.org/t", webhook_secret="s-1")
        )
        is None
    )
    # A self-hosted Bot API server posts over plain HTTP, to any port.
    assert (
        webhook_problem(
            Settings(
                bot_token=TOKEN,
                webhook_url="http://10.0.0.5:8080/t",
                webhook_secret="s",
                telegram_api_url="http://127.0.0.1:8081",
            )
        )
        is None
    )
