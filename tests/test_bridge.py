"""GreenletBridge runs synchronous code that awaits, as SQLAlchemy's greenlet_spawn does,
on greenlets it reuses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from greenlet import getcurrent
from sqlalchemy.util import await_only

from bot.db.bridge import MAX_IDLE_WORKERS, GreenletBridge


async def _later(value: int) -> int:
    await asyncio.sleep(0)
    return value


def _sum_awaited(*values: int) -> int:
    return sum(await_only(_later(value)) for value in values)


async def test_sync_code_awaits_through_the_bridge() -> None:
    bridge = GreenletBridge()
    assert await bridge.run(_sum_awaited, 1, 2, 3) == 6
    assert await bridge.run(lambda: 7) == 7  # code that never awaits


async def test_one_worker_serves_call_after_call() -> None:
    bridge = GreenletBridge()
    workers = {await bridge.run(getcurrent) for _ in range(5)}
    assert len(workers) == 1
    assert workers != {getcurrent()}


async def test_an_error_comes_through_and_the_worker_lives_on() -> None:
    bridge = GreenletBridge()
    worker = await bridge.run(getcurrent)

    def fail() -> None:
        await_only(_later(1))
        raise LookupError("inside")

    with pytest.raises(LookupError, match="inside"):
        await bridge.run(fail)
    assert await bridge.run(getcurrent) is worker


async def test_an_error_of_the_awaited_code_is_raised_inside() -> None:
    async def broken() -> None:
        raise KeyError("awaited")

    def catch() -> str:
        try:
            await_only(broken())
        except KeyError:
            return "caught inside"
        return "not raised"

    assert await GreenletBridge().run(catch) == "caught inside"


async def test_cancelling_the_caller_reaches_the_awaiting_code() -> None:
    bridge = GreenletBridge()
    started, seen = asyncio.Event(), []

    def wait_forever() -> None:
        try:
            await_only(_set_and_wait(started))
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    task = asyncio.create_task(bridge.run(wait_forever))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled inside"]
    assert await bridge.run(lambda: "still works") == "still works"


async def _set_and_wait(event: asyncio.Event) -> None:
    event.set()
    await asyncio.Event().wait()


async def test_calls_at_once_get_workers_of_their_own() -> None:
    bridge = GreenletBridge()

    def worker_after_a_wait() -> object:
        await_only(asyncio.sleep(0.01))
        return getcurrent()

    workers: list[Any] = await asyncio.gather(
        *(bridge.run(worker_after_a_wait) for _ in range(MAX_IDLE_WORKERS + 4))
    )
    assert len({id(worker) for worker in workers}) == MAX_IDLE_WORKERS + 4
    # The surplus is not kept, and ended rather than dropped suspended (which kept memory).
    assert len(bridge._idle) == MAX_IDLE_WORKERS
    assert sum(worker.dead for worker in workers) == 4
    assert not any(worker.dead for worker in bridge._idle)
