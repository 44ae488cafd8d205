"""What the service remembers of people between use cases: which rows match what Telegram
says of them (so an update skips the sync), with their time zone.

One process keeps it in memory (`LocalPeople`). Replicas share it (bot.scale.people), or one
replica would go on reading a zone another replica has just changed: every write of the
cache goes to the one copy all replicas read.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple, Protocol

# People whose row is known to match what Telegram says of them. Bounded, so memory does not
# grow with the number of people.
LOCAL_PEOPLE_SIZE = 10_000


class KnownPerson(NamedTuple):
    """What a person's row says, as last synced: its key, language and time zone."""

    key: str
    language: str | None
    zone: str
    zone_chosen: bool


class PeopleCache(Protocol):
    async def get(self, telegram_id: int) -> KnownPerson | None: ...

    async def put(self, telegram_id: int, known: KnownPerson) -> None: ...

    async def forget(self, telegram_id: int) -> None: ...


class LocalPeople:
    """In this process only, least recently used dropped first: right for one process."""

    def __init__(self, size: int = LOCAL_PEOPLE_SIZE) -> None:
        self._size = size
        self._known: OrderedDict[int, KnownPerson] = OrderedDict()

    async def get(self, telegram_id: int) -> KnownPerson | None:
        known = self._known.get(telegram_id)
        if known is not None:
            self._known.move_to_end(telegram_id)
        return known

    async def put(self, telegram_id: int, known: KnownPerson) -> None:
        self._known[telegram_id] = known
        self._known.move_to_end(telegram_id)
        while len(self._known) > self._size:
            self._known.popitem(last=False)

    async def forget(self, telegram_id: int) -> None:
        self._known.pop(telegram_id, None)
