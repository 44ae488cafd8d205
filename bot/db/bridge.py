"""SQLAlchemy's greenlet bridge, with its greenlets reused.

Synchronous SQLAlchemy code (the pool) awaits through `sqlalchemy.util.await_only`, which
needs to run in a greenlet that `greenlet_spawn` started. `greenlet_spawn` starts a new one
each time, and on Python 3.11 a new greenlet maps a fresh 16 KiB frame stack and unmaps it
when it ends: two system calls, about 30 µs in the middle of an update here (strace counts one
mmap and one munmap per call). `GreenletBridge.run` is `greenlet_spawn` on workers that stay
alive between calls, a few of them, one per call running at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet

T = TypeVar("T")

# Idle workers kept; more run at once when needed, and the surplus simply ends.
MAX_IDLE_WORKERS = 16


class _Outcome:
    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value = value
        self.error = error


class _Worker(greenlet):  # type: ignore[misc]  # greenlet ships no type for subclassing
    # What `await_only` checks before it hands an awaitable to the parent greenlet.
    __sqlalchemy_greenlet_provider__ = True

    def __init__(self) -> None:
        super().__init__(self._serve)

    def _serve(self, fn: Callable[..., Any] | None, args: tuple[Any, ...]) -> None:
        while fn is not None:  # None: the bridge lets this worker end
            try:
                outcome = _Outcome(value=fn(*args))
            except BaseException as error:  # the caller's to raise; the worker lives on
                outcome = _Outcome(error=error)
            fn, args = self.parent.switch(outcome)


class GreenletBridge:
    """Runs synchronous code that may `await_only`, as `greenlet_spawn` does.

    One per event loop's user (workers are tied to the thread that made them).
    """

    def __init__(self) -> None:
        self._idle: list[_Worker] = []

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        worker = self._idle.pop() if self._idle else _Worker()
        worker.parent = getcurrent()
        result = worker.switch(fn, args)
        # Until `fn` is done, the worker hands out awaitables to await on its behalf.
        while not isinstance(result, _Outcome):
            try:
                value = await result
            except BaseException:
                result = worker.throw(*sys.exc_info())
            else:
                result = worker.switch(value)
        if len(self._idle) < MAX_IDLE_WORKERS:
            self._idle.append(worker)
        else:
            # Ended, not dropped: a greenlet collected while suspended kept its memory (the
            # benchmark's memory probe grew by megabytes).
            worker.switch(None, ())
        if result.error is not None:
            raise result.error
        return result.value  # type: ignore[no-any-return]
