"""No handler or filter of ours runs in a worker thread.

aiogram awaits coroutine functions and `Filter`s in the event loop but runs any other
callable, a bare magic filter (`F...`) included, through `asyncio.to_thread` on every check
(see bot/filters.py). That is correct but slow, and easy to reintroduce by registering
`F.something` directly.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallableObject

from bot.chat.factory import create_dispatcher
from bot.chat.filters import in_loop
from bot.config import DatabaseSettings
from bot.db import create_engine, create_session_maker
from bot.services import TaskService


def _callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for event, observer in router.observers.items():
        for handler in observer.handlers:
            where = f"{router.name}.{event}:{handler.callback.__name__}"
            yield where, handler
            for event_filter in handler.filters or ():
                yield f"{where} filter {event_filter.callback!r}", event_filter
    for sub_router in router.sub_routers:
        yield from _callables(sub_router)


def test_every_handler_and_filter_is_awaited_in_the_event_loop() -> None:
    engine = create_engine(DatabaseSettings(database_url="sqlite+aiosqlite://"))
    dispatcher = create_dispatcher(TaskService(create_session_maker(engine)))
    found = dict(_callables(dispatcher))
    assert len(found) > 20  # the walk reached the routers' handlers and filters
    in_threads = [where for where, callable_ in found.items() if not callable_.awaitable]
    assert in_threads == []


def test_in_loop_keeps_the_magic_filters_result() -> None:
    router = Router()
    router.message.register(lambda: None, in_loop(F.text), F.text)
    [handler] = router.message.handlers
    wrapped, bare = handler.filters or []
    assert wrapped.awaitable
    assert not bare.awaitable  # what in_loop is for
