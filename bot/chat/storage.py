"""In-process dialogue state that forgets a person as soon as their dialogue ends, and a
dialogue left unfinished after a while.

aiogram's MemoryStorage keeps a record for everyone who ever wrote (its dict is a
defaultdict read on every update), so memory grows with the number of people. This one
stores only dialogues in progress. A dialogue expires `timeout` seconds after it last
changed: an edit abandoned in the evening must not turn a message sent days later into a
title overwrite. Both sit behind aiogram's BaseStorage, which is all the handlers see.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

DEFAULT_DIALOGUE_TIMEOUT = 3600.0


class DialogueMemoryStorage(BaseStorage):
    def __init__(
        self,
        timeout: float = DEFAULT_DIALOGUE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._states: dict[StorageKey, str] = {}
        self._data: dict[StorageKey, dict[str, Any]] = {}
        self._touched: dict[StorageKey, float] = {}
        self._swept = clock()

    def _expire(self, key: StorageKey) -> None:
        touched = self._touched.get(key)
        if touched is not None and self._clock() - touched >= self._timeout:
            self._forget(key)

    def _forget(self, key: StorageKey) -> None:
        self._states.pop(key, None)
        self._data.pop(key, None)
        self._touched.pop(key, None)

    def _touch(self, key: StorageKey) -> None:
        if key in self._states or key in self._data:
            self._touched[key] = self._clock()
        else:
            self._touched.pop(key, None)

    def _sweep(self) -> None:
        """Drop every expired dialogue now and then, so abandoned ones don't pile up."""
        now = self._clock()
        if now - self._swept < self._timeout / 10:
            return
        self._swept = now
        for key in [key for key, at in self._touched.items() if now - at >= self._timeout]:
            self._forget(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self._sweep()
        value = state.state if isinstance(state, State) else state
        if value is None:
            self._forget(key)  # the dialogue is over: its data goes with it
            return
        self._states[key] = value
        self._touch(key)

    async def get_state(self, key: StorageKey) -> str | None:
        self._expire(key)
        return self._states.get(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        if data:
            self._data[key] = data.copy()
        else:
            self._data.pop(key, None)
        self._touch(key)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        self._expire(key)
        return self._data.get(key, {}).copy()

    @property
    def size(self) -> int:
        """People with a dialogue in progress (what memory grows with)."""
        return len(self._states.keys() | self._data.keys())

    async def close(self) -> None:
        self._states.clear()
        self._data.clear()
        self._touched.clear()
