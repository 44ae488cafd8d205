"""In-process dialogue state that forgets a person as soon as their dialogue ends.

aiogram's MemoryStorage keeps a record for everyone who ever wrote (its dict is a
defaultdict read on every update), so memory grows with the number of people. This one
stores only dialogues in progress. Replicated deployments use RedisStorage instead; both
sit behind aiogram's BaseStorage, which is all the handlers see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey


class DialogueMemoryStorage(BaseStorage):
    def __init__(self) -> None:
        self._states: dict[StorageKey, str] = {}
        self._data: dict[StorageKey, dict[str, Any]] = {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        if value is None:
            # The dialogue is over: its data goes with it.
            self._states.pop(key, None)
            self._data.pop(key, None)
        else:
            self._states[key] = value

    async def get_state(self, key: StorageKey) -> str | None:
        return self._states.get(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        if data:
            self._data[key] = data.copy()
        else:
            self._data.pop(key, None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return self._data.get(key, {}).copy()

    @property
    def size(self) -> int:
        """People with a dialogue in progress (what memory grows with)."""
        return len(self._states.keys() | self._data.keys())

    async def close(self) -> None:
        self._states.clear()
        self._data.clear()
