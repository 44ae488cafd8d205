"""A use case through the real dispatcher at a given concurrency, and at concurrency 1
through the floors' dispatchers: the bare one, the minimal bot, and the replayed reply."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from functools import partial
from typing import Any

from aiogram import Dispatcher
from aiogram.methods import TelegramMethod
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.checks import BenchmarkError, ErrorLog, check_calls, check_reply, expected_calls
from bench.databases import Database
from bench.floors import prepared_statement
from bench.harness import Harness, minimal_dispatcher, replay_dispatcher
from bench.load import Call, Sample, drive
from bench.people import People
from bench.results import UseCaseRun
from bench.roundtrips import RoundTripCounter, RoundTrips
from bench.seed import add_people
from bench.stats import Summary, summarise
from bench.usecases import UseCase


class Lanes:
    """Who sends each lane's updates: one person per lane."""

    def __init__(self, use_case: UseCase, people: list[int]) -> None:
        self.use_case = use_case
        self.people = people

    @classmethod
    def fresh(cls, people: People, use_case: UseCase, lanes: int, *, same_person: bool) -> Lanes:
        """Distinct people (so no row lock is shared), or one for all the lanes."""
        if same_person:
            return cls(use_case, people.take(1) * lanes)
        return cls(use_case, people.take(lanes))

    def everyone(self) -> list[int]:
        return sorted(set(self.people))

    def calls(self, harness: Harness, dispatcher: Dispatcher, steps: range) -> list[list[Call]]:
        return [
            [
                partial(
                    dispatcher.feed_update,
                    harness.bot,
                    self.use_case.build(harness.updates, person, step),
                )
                for step in steps
            ]
            for person in self.people
        ]


def split(concurrency: int, updates: int, warmup: int) -> tuple[int, int]:
    """Warm-up and timed steps per lane; every lane warms up (it opens a connection)."""
    return max(1, warmup // concurrency), max(1, updates // concurrency)


async def run_use_case(
    harness: Harness,
    engine: AsyncEngine,
    people: People,
    errors: ErrorLog,
    use_case: UseCase,
    *,
    concurrency: int,
    updates: int,
    warmup: int,
    same_person: bool = False,
) -> UseCaseRun:
    """Seed fresh people for the run, then measure it."""
    warm, timed = split(concurrency, updates, warmup)
    lanes = Lanes.fresh(people, use_case, concurrency, same_person=same_person)
    await add_people(engine, lanes.everyone(), use_case.tasks_for(warm + timed))
    summary, trips = await measure(harness, engine, errors, lanes, warm=warm, timed=timed)
    return UseCaseRun(use_case.name, concurrency, summary, trips, same_person)


async def measure(
    harness: Harness,
    engine: AsyncEngine,
    errors: ErrorLog,
    lanes: Lanes,
    *,
    warm: int,
    timed: int,
) -> tuple[Summary, RoundTrips]:
    """Warm up, then time `timed` steps per lane through the real dispatcher and check them."""
    use_case = lanes.use_case
    await drive(lanes.calls(harness, harness.real, range(warm)))
    sample, trips = await _timed(
        harness, lanes.calls(harness, harness.real, range(warm, warm + timed)), engine
    )
    what = f"{use_case.name} with {len(lanes.people)} lane(s)"
    check_calls(harness.session, expected_calls(use_case, len(sample.latencies_ns)), what)
    check_reply(harness.session, use_case)
    errors.check(what)
    return summarise(sample), trips


async def run_bare(
    harness: Harness, people: People, use_case: UseCase, *, updates: int, warmup: int
) -> Summary:
    """The same updates at concurrency 1 through a dispatcher whose handlers only answer."""
    lanes = Lanes.fresh(people, use_case, 1, same_person=False)
    sample = await _warm_then_time(harness, harness.bare, lanes, warmup, updates)
    expected = expected_calls(use_case, updates, bare=True)
    check_calls(harness.session, expected, f"{use_case.name} through the bare dispatcher")
    return summarise(sample)


async def run_reply_floor(
    harness: Harness,
    engine: AsyncEngine,
    people: People,
    use_case: UseCase,
    *,
    updates: int,
    warmup: int,
) -> Summary:
    """The same updates at concurrency 1 through a dispatcher that sends, for each, the reply
    the real one sent for the first of them (recorded), without the database."""
    lanes = Lanes.fresh(people, use_case, 1, same_person=False)
    await add_people(engine, lanes.everyone(), use_case.tasks_for(1))
    [[first]] = lanes.calls(harness, harness.real, range(1))
    replies: list[TelegramMethod[Any]] = []
    harness.session.recording = replies
    try:
        await first()
    finally:
        harness.session.recording = None
    sample = await _warm_then_time(harness, replay_dispatcher(replies), lanes, warmup, updates)
    check_calls(harness.session, expected_calls(use_case, updates), f"{use_case.name} replayed")
    check_reply(harness.session, use_case)
    return summarise(sample)


async def run_minimal_bot(
    harness: Harness,
    database: Database,
    engine: AsyncEngine,
    people: People,
    use_case: UseCase,
    *,
    updates: int,
    warmup: int,
) -> Summary:
    """The same updates at concurrency 1 through a dispatcher whose handlers run the use
    case's raw statement (as floors.py does, the person's data in place) and answer."""
    lanes = Lanes.fresh(people, use_case, 1, same_person=False)
    [person] = lanes.people
    await add_people(engine, [person], use_case.tasks_for(warmup + updates))
    async with prepared_statement(database.dsn, use_case.raw_statement) as (raw, prepared):
        # Updates go one at a time, so the n-th statement run belongs to the n-th update.
        steps = iter(
            [raw.arguments(use_case.raw_params(person, n)) for n in range(warmup + updates)]
        )

        async def statement() -> None:
            if not await prepared.fetch(*next(steps)):
                raise BenchmarkError(f"raw statement for {use_case.name} returned no rows")

        sample = await _warm_then_time(
            harness, minimal_dispatcher(statement), lanes, warmup, updates
        )
    expected = expected_calls(use_case, updates, bare=True)
    check_calls(harness.session, expected, f"{use_case.name} through the minimal bot")
    return summarise(sample)


async def _warm_then_time(
    harness: Harness, dispatcher: Dispatcher, lanes: Lanes, warmup: int, updates: int
) -> Sample:
    """A floor dispatcher's run: untimed warm-up steps, then timed ones (no SQL to count)."""
    await drive(lanes.calls(harness, dispatcher, range(warmup)))
    sample, _ = await _timed(
        harness, lanes.calls(harness, dispatcher, range(warmup, warmup + updates)), None
    )
    return sample


async def _timed(
    harness: Harness, lanes: Sequence[Sequence[Call]], engine: AsyncEngine | None
) -> tuple[Sample, RoundTrips]:
    gc.collect()  # so no run pays for the garbage of the one before
    harness.session.calls.clear()
    if engine is None:
        return await drive(lanes), RoundTrips()
    with RoundTripCounter(engine) as counter:
        sample = await drive(lanes)
        await asyncio.sleep(0)  # asyncpg reports the last statements on the next turn
    return sample, counter.counts()
