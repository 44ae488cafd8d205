"""Round trips to PostgreSQL per use case, counted on the wire, against a budget.

A regression that adds a statement, a BEGIN/COMMIT pair or a connection check to a use case
fails here. (Timing belongs in bench/, not in tests.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import count

import pytest
from sqlalchemy.engine import make_url

from bot.config import DatabaseSettings
from bot.db import create_engine, create_session_maker
from bot.db.migrations import upgrade_to_head
from bot.schemas import Person, TaskFilter, TaskStatus
from bot.services import TaskService
from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.tcp_proxy import TcpProxy

ALICE = Person(telegram_id=1, username="alice", language="en")
BUDGET = {
    "add": 1,
    "list": 1,
    "list done": 1,
    "open card": 1,
    "status": 1,
    "done": 1,
    "edit": 1,
    "delete": 1,
}


@pytest.fixture
async def counted() -> AsyncIterator[tuple[TaskService, TcpProxy]]:
    """A service whose every PostgreSQL byte goes through a proxy that counts requests."""
    url = await create_pg_database()
    try:
        async with TcpProxy("127.0.0.1", make_url(url).port or 5432) as proxy:
            proxied = make_url(url).set(host="127.0.0.1", port=proxy.port)
            engine = create_engine(
                DatabaseSettings(
                    database_url=proxied.render_as_string(hide_password=False), db_pool_size=1
                )
            )
            try:
                await upgrade_to_head(engine)
                yield TaskService(create_session_maker(engine)), proxy
            finally:
                await engine.dispose()
    finally:
        await drop_pg_database(url)


async def test_each_use_case_is_one_round_trip(counted: tuple[TaskService, TcpProxy]) -> None:
    service, proxy = counted
    messages = count(1)
    for title in range(30):
        await service.add_task(ALICE, f"task {title}", chat_id=1, message_id=next(messages))
    to_close = count(3)
    to_delete = count(30, -1)
    toggle = count()
    cases: dict[str, Callable[[], Awaitable[object]]] = {
        "add": lambda: service.add_task(ALICE, "x", chat_id=1, message_id=next(messages)),
        "list": lambda: service.list_tasks(ALICE),
        "list done": lambda: service.list_tasks(ALICE, TaskFilter.DONE),
        "open card": lambda: service.get_task(ALICE, 1),
        "status": lambda: service.set_status(
            ALICE, 2, (TaskStatus.IN_PROGRESS, TaskStatus.PENDING)[next(toggle) % 2]
        ),
        "done": lambda: service.mark_done(ALICE, [next(to_close)]),
        "edit": lambda: service.edit_task(ALICE, 1, f"title {next(toggle)}"),
        "delete": lambda: service.delete_task(ALICE, next(to_delete)),
    }
    measured = {}
    for name, use_case in cases.items():
        for _warm_up in range(2):  # the first use of a statement also prepares it
            await use_case()
        before = proxy.client_writes
        await use_case()
        measured[name] = proxy.client_writes - before
    assert measured == BUDGET
