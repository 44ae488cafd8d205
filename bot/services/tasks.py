"""The task service: the use cases, and the only way in to the data.

Each use case is one unit of work (bot.db.uow): a transaction, or autocommit where every
statement is atomic by itself (then a one-statement use case is one round trip). The
service validates input, applies limits, hands out read models and retries once when the
database dropped the connection; the SQL lives in the repositories under bot.db.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.errors import is_connection_error
from bot.db.repositories.tasks import ClaimedReminder, Due
from bot.db.repositories.users import ClaimedDigest
from bot.db.uow import UnitOfWork, UnitsOfWork
from bot.schemas import (
    AddResult,
    BatchResult,
    DoneOutcome,
    DoneReport,
    DueTasks,
    ImportPreview,
    ImportResult,
    Person,
    PersonZone,
    SearchPage,
    StatusChange,
    TagRead,
    TaskFilter,
    TaskPage,
    TaskRead,
    TaskStatus,
    UserRead,
)
from bot.services.due import parse_due
from bot.services.errors import (
    DueNotUnderstood,
    EmptyTitle,
    FileTooLarge,
    InvalidDate,
    InvalidTags,
    NoRoomToImport,
    NothingToSearch,
    StorageUnavailable,
    TaskLimitReached,
    TaskNotFound,
    UnknownTag,
)
from bot.services.imports import (
    DEFAULT_IMPORT_MAX_BYTES,
    DEFAULT_IMPORT_MAX_TASKS,
    ParsedFile,
    duplicate_key,
    parse_file,
    plan_import,
    preview_tasks,
    summary_of,
)
from bot.services.people import KnownPerson, LocalPeople, PeopleCache
from bot.services.recurrence import next_occurrence
from bot.services.schedule import next_daily
from bot.services.search import read_query
from bot.services.text import (
    normalize_tag,
    parse_tag_list,
    parse_task_text,
    read_priority,
    read_tags,
)

log = logging.getLogger(__name__)

BIGINT_MAX = 2**63 - 1
DEFAULT_PAGE_SIZE = 10
DEFAULT_MAX_TASKS = 10_000
RETRY_DELAY = 0.3
# How long a claimed reminder is this worker's to send before another may claim it again.
REMINDER_LEASE = 60.0
# "Tomorrow morning", and a reminder for a date without a time: this local hour.
MORNING_HOUR = 9
# /today and /upcoming show at most this many tasks (a day is rarely longer).
DUE_VIEW_SIZE = 100
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

T = TypeVar("T")


def is_valid_number(number: int) -> bool:
    return 0 < number <= BIGINT_MAX


class TaskService:
    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_tasks: int = DEFAULT_MAX_TASKS,
        retry_delay: float = RETRY_DELAY,
        default_timezone: str = "UTC",
        clock: Callable[[], datetime] = utcnow,
        import_max_bytes: int = DEFAULT_IMPORT_MAX_BYTES,
        import_max_tasks: int = DEFAULT_IMPORT_MAX_TASKS,
        people: PeopleCache | None = None,
    ) -> None:
        self._units = UnitsOfWork(session_maker)
        self.page_size = page_size
        self.max_tasks = max_tasks
        self.import_max_bytes = import_max_bytes
        self.import_max_tasks = import_max_tasks
        self._retry_delay = retry_delay
        self.default_timezone = default_timezone
        self._clock = clock
        # What the person's row says, for people whose row matches Telegram's view of them:
        # in this process, or shared by replicas (see bot.services.people).
        self._people: PeopleCache = people or LocalPeople()

    async def _resilient(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Retry once when the connection dropped (a pooled connection may be stale after a
        database restart); after that, tell the person nothing was saved."""
        for attempt in (1, 2):
            try:
                return await operation()
            except Exception as error:
                if not is_connection_error(error):
                    raise
                if attempt == 2:
                    raise StorageUnavailable() from error
                log.warning("database connection failed (%s); retrying once", type(error).__name__)
                await asyncio.sleep(self._retry_delay)
        raise AssertionError("unreachable")

    # -- people -------------------------------------------------------------------------------

    async def sync_user(self, person: Person) -> UserRead:
        """Register the person or bring their row up to date (/start calls this)."""

        async def sync() -> UserRead:
            async with self._units.transaction() as uow:
                await uow.users.sync(person, self._clock(), self.default_timezone)
                user = await uow.users.get(person.telegram_id)
            assert user is not None  # synced in this very transaction
            await self._remember(person, user.timezone, user.timezone_chosen)
            return user

        return await self._resilient(sync)

    async def _ensure_synced(self, person: Person) -> KnownPerson:
        known = await self._people.get(person.telegram_id)
        if known is not None and (known.key, known.language) == (person.key, person.language):
            return known
        user = await self.sync_user(person)
        return KnownPerson(person.key, person.language, user.timezone, user.timezone_chosen)

    async def _remember(self, person: Person, zone: str, zone_chosen: bool) -> KnownPerson:
        known = KnownPerson(person.key, person.language, zone, zone_chosen)
        await self._people.put(person.telegram_id, known)
        return known

    async def zone_of(self, person: Person) -> PersonZone:
        """The person's time zone, and whether they chose it (else it is the default)."""
        known = await self._ensure_synced(person)
        return PersonZone(name=known.zone, chosen=known.zone_chosen)

    async def set_timezone(self, person: Person, zone: ZoneInfo) -> PersonZone:
        async def set_zone() -> PersonZone:
            await self._ensure_synced(person)
            # Forgotten first: a replica that read the old zone meanwhile cannot put it back
            # after the new one is written (a person's updates are handled one at a time).
            await self._forget(person)
            async with self._units.transaction() as uow:
                await uow.users.set_timezone(person.telegram_id, zone.key, self._clock())
                user = await uow.users.get(person.telegram_id)
                if user is not None and user.digest_minute is not None:  # its time, moved
                    next_at = next_daily(user.digest_minute, zone, self._clock())
                    await uow.users.set_digest(person.telegram_id, user.digest_minute, next_at)
            await self._remember(person, zone.key, True)
            return PersonZone(name=zone.key, chosen=True)

        return await self._resilient(set_zone)

    async def _forget(self, person: Person) -> None:
        await self._people.forget(person.telegram_id)

    # -- tasks --------------------------------------------------------------------------------

    async def add_task(
        self, person: Person, text: str, *, chat_id: int, message_id: int
    ) -> AddResult:
        """Create a task from a message; the same message never makes two tasks. A date
        phrase in the title line ("tomorrow at 9") becomes the due date (see bot.services.due)."""
        parsed = parse_task_text(text)
        at = self._clock()
        parts = TitleParts(parsed.title, None, None, ())

        async def add_next(uow: UnitOfWork) -> TaskRead | None:
            task = await uow.tasks.add_next(
                person.telegram_id,
                title=parts.title,
                description=parsed.description,
                chat_id=chat_id,
                message_id=message_id,
                at=at,
                cap=self.max_tasks,
                due=parts.due,
                priority=parts.priority,
                tags=parts.tags,
            )
            if task is not None and parts.tags:
                task = await uow.tags.tag_task(person.telegram_id, task.number, parts.tags, at)
            return task

        async def add() -> AddResult:
            nonlocal parts
            known = await self._ensure_synced(person)
            parts = read_title(parsed.title, at, ZoneInfo(known.zone))
            # Untagged, adding is one statement (one round trip on PostgreSQL); tags take
            # a few more, which must commit together.
            units = self._units.transaction if parts.tags else self._units.autocommit
            async with units() as uow:
                task = await add_next(uow)
            if task is not None:
                return AddResult(task=task, created=True)
            # Nothing stored: find out why, and add after all if the reason is gone.
            async with self._units.transaction() as uow:
                existing = await uow.tasks.from_message(person.telegram_id, chat_id, message_id)
                if existing:  # a re-delivered update
                    return AddResult(task=existing[0], created=False)
                await self._make_room(uow, person, 1, at)
                task = await add_next(uow)
            assert task is not None  # the person has a row, room, and no task from this message
            await self._forget(person)  # its row was (re)made: read it again next time
            return AddResult(task=task, created=True)

        return await self._resilient(add)

    async def _make_room(self, uow: UnitOfWork, person: Person, count: int, at: datetime) -> None:
        """Make sure the person has a row and room for `count` more tasks."""
        state = await uow.users.state(person.telegram_id)
        if state is None:  # the row went away behind our cache: make it again
            await uow.users.sync(person, at)
        elif state.tasks + count > self.max_tasks:
            raise TaskLimitReached(self.max_tasks)

    async def add_tasks(
        self, person: Person, lines: Sequence[str], *, chat_id: int, message_id: int
    ) -> BatchResult:
        """One task per line of a message, all or none; the message never makes them twice."""
        parsed = [parse_task_text(line) for line in lines if line.strip()]
        if not parsed:
            raise EmptyTitle()
        at = self._clock()

        async def add() -> BatchResult:
            known = await self._ensure_synced(person)
            zone = ZoneInfo(known.zone)
            read = [(read_title(text.title, at, zone), text.description) for text in parsed]
            async with self._units.transaction() as uow:
                existing = await uow.tasks.from_message(person.telegram_id, chat_id, message_id)
                if existing:
                    return BatchResult(tasks=tuple(existing), created=False)
                await self._make_room(uow, person, len(parsed), at)
                tasks = []
                for part, (parts, description) in enumerate(read):
                    task = await uow.tasks.add_next(
                        person.telegram_id,
                        title=parts.title,
                        description=description,
                        chat_id=chat_id,
                        message_id=message_id,
                        at=at,
                        cap=self.max_tasks,
                        part=part,
                        due=parts.due,
                        priority=parts.priority,
                        tags=parts.tags,
                    )
                    assert task is not None  # room was made above, in this transaction
                    if parts.tags:
                        tagged = await uow.tags.tag_task(
                            person.telegram_id, task.number, parts.tags, at
                        )
                        task = tagged or task
                    tasks.append(task)
            return BatchResult(tasks=tuple(tasks), created=True)

        return await self._resilient(add)

    async def list_tasks(
        self,
        person: Person,
        task_filter: TaskFilter = TaskFilter.OPEN,
        page: int = 0,
        *,
        tag: TagRead | None = None,
    ) -> TaskPage:
        """One page of the list; with `tag` (from find_tag), only the tasks carrying it."""
        tag_id = tag.id if tag is not None else None
        # A page past the most a person can have is the last page: a forged page number can
        # neither overflow the database's integers nor make it read a whole history.
        page = min(max(page, 0), self.max_tasks // self.page_size + 1)

        async def list_() -> TaskPage:
            await self._ensure_synced(person)
            async with self._units.autocommit() as uow:
                found = await uow.tasks.page(
                    person.telegram_id, task_filter, page, self.page_size, tag_id=tag_id
                )
                if found is None:  # no row for this person (any more): sync them next time
                    await self._forget(person)
                    return self._page(task_filter, 0, [], 0, 0, tag)
                open_count, done_count, tasks = found
                last_page = max(
                    0, -(-_total(task_filter, open_count, done_count) // self.page_size) - 1
                )
                current = page
                if page > last_page:  # the list shrank since its buttons were made
                    current = last_page
                    found = await uow.tasks.page(
                        person.telegram_id, task_filter, current, self.page_size, tag_id=tag_id
                    )
                    if found is not None:
                        open_count, done_count, tasks = found
            return self._page(task_filter, current, tasks, open_count, done_count, tag)

        return await self._resilient(list_)

    def _page(
        self,
        task_filter: TaskFilter,
        page: int,
        tasks: list[TaskRead],
        open_count: int,
        done_count: int,
        tag: TagRead | None = None,
    ) -> TaskPage:
        return TaskPage(
            items=tuple(tasks),
            filter=task_filter,
            tag=tag,
            page=page,
            page_size=self.page_size,
            total=_total(task_filter, open_count, done_count),
            open_count=open_count,
            done_count=done_count,
        )

    async def search(self, person: Person, text: str, page: int = 0) -> SearchPage:
        """The person's tasks, of every status, whose title or description has every word
        of `text` (as a prefix of a word of the same stem): open ones first, then the
        better match, then the newer. A text with no words is NothingToSearch."""
        query = read_query(text)
        if not query.words:
            raise NothingToSearch(text)
        page = min(max(page, 0), self.max_tasks // self.page_size + 1)

        async def search() -> SearchPage:
            await self._ensure_synced(person)
            owner, size = person.telegram_id, self.page_size
            async with self._units.autocommit() as uow:
                total, tasks = await uow.search.page(owner, query.words, page, size)
                current = page
                if not tasks and page > 0:  # the results shrank since their buttons were made
                    total, tasks = await uow.search.page(owner, query.words, 0, size)
                    current = max(0, -(-total // size) - 1)
                    if current > 0:
                        total, tasks = await uow.search.page(owner, query.words, current, size)
            return SearchPage(
                words=query.words,
                cut=query.cut,
                items=tuple(tasks),
                page=current,
                page_size=size,
                total=total,
            )

        return await self._resilient(search)

    async def get_task(self, person: Person, number: int) -> TaskRead:
        return await self._one_task(
            person, number, lambda uow, _at: uow.tasks.get(person.telegram_id, number)
        )

    async def set_status(self, person: Person, number: int, status: TaskStatus) -> TaskRead:
        """Move a task to any status; `done_at` follows entering and leaving `done`."""
        return (await self.change_status(person, number, status)).task

    async def change_status(self, person: Person, number: int, status: TaskStatus) -> StatusChange:
        """`set_status`, saying whether the task was in another status before."""
        changed = False

        async def change(uow: UnitOfWork, at: datetime) -> TaskRead | None:
            nonlocal changed
            task = await uow.tasks.set_status(person.telegram_id, number, status, at)
            changed = task is not None
            if task is None:  # already in that status (then show it as it is), or not theirs
                task = await uow.tasks.get(person.telegram_id, number)
                if task is not None and status is TaskStatus.DONE and task.recurrence:
                    rescheduled = await self._next_occurrence(uow, person, task, at)
                    changed = rescheduled is not task
                    task = rescheduled
            return task

        task = await self._one_task(person, number, change)
        return StatusChange(task=task, changed=changed)

    async def mark_done(self, person: Person, numbers: Iterable[int]) -> list[DoneReport]:
        """Mark several tasks done; one report per distinct number, in the order given."""
        wanted = list(dict.fromkeys(numbers))
        valid = [number for number in wanted if is_valid_number(number)]

        async def mark() -> list[DoneReport]:
            await self._ensure_synced(person)
            closed: dict[int, str] = {}
            others: dict[int, TaskRead] = {}
            if valid:
                at = self._clock()
                async with self._units.autocommit() as uow:
                    closed = await uow.tasks.mark_done(person.telegram_id, valid, at)
                    rest = [number for number in valid if number not in closed]
                    if rest:  # done already, recurring, or not there
                        others = await uow.tasks.find(person.telegram_id, rest)
                    for number, task in others.items():
                        if task.recurrence and task.status is not TaskStatus.DONE:
                            others[number] = await self._next_occurrence(uow, person, task, at)
            return [_report(number, closed, others) for number in wanted]

        return await self._resilient(mark)

    async def edit_task(
        self, person: Person, number: int, text: str, *, replace_description: bool = False
    ) -> TaskRead:
        """New title from the first line; further lines, if any, replace the description
        (with `replace_description`, a text of one line clears it). A date phrase in the new
        title sets the due date, as when adding."""
        parsed = parse_task_text(text)
        keep = parsed.description is None and not replace_description
        zone = ZoneInfo((await self._ensure_synced(person)).zone)

        at = self._clock()
        parts = read_title(parsed.title, at, zone)

        async def edit(uow: UnitOfWork) -> TaskRead | None:
            task = await uow.tasks.edit(
                person.telegram_id,
                number,
                title=parts.title,
                description=parsed.description,
                at=at,
                keep_description=keep,
            )
            return await self._apply_title_parts(uow, person, task, parts, at)

        if not is_valid_number(number):
            raise TaskNotFound(number)

        # A plain new text is one statement; a date, priority or tags in it take more,
        # which commit together.
        more = parts.due is not None or parts.priority is not None or parts.tags
        units = self._units.transaction if more else self._units.autocommit

        async def run() -> TaskRead:
            async with units() as uow:
                task = await edit(uow)
            if task is None:
                raise TaskNotFound(number)
            return task

        return await self._resilient(run)

    async def _apply_title_parts(
        self,
        uow: UnitOfWork,
        person: Person,
        task: TaskRead | None,
        parts: TitleParts,
        at: datetime,
    ) -> TaskRead | None:
        """An edited title's date, priority and tags, on the task (tags are added to its
        own: removing one is the tags dialogue's job)."""
        if task is None:
            return None
        owner, number = person.telegram_id, task.number
        if parts.due is not None:
            task = await uow.tasks.set_due(owner, number, parts.due, at) or task
        if parts.priority is not None:
            task = await uow.tasks.set_priority(owner, number, parts.priority, at) or task
        if parts.tags and not set(parts.tags) <= set(task.tags):
            names = tuple(sorted({*task.tags, *parts.tags}))
            task = await uow.tags.tag_task(owner, number, names, at) or task
        return task

    async def clear_description(self, person: Person, number: int) -> TaskRead:
        task = await self.get_task(person, number)
        return await self._one_task(
            person,
            number,
            lambda uow, at: uow.tasks.edit(
                person.telegram_id, number, title=task.title, description=None, at=at
            ),
        )

    async def edit_from_message(
        self, person: Person, text: str, *, chat_id: int, message_id: int
    ) -> list[TaskRead]:
        """The person edited the message that made a task: the task takes its new text (title
        and description). Returns the tasks the message made: none (nothing to do), one
        (edited), or several (one per line: left alone, the caller says so)."""
        parsed = parse_task_text(text)

        async def edit() -> list[TaskRead]:
            known = await self._ensure_synced(person)
            at = self._clock()
            parts = read_title(parsed.title, at, ZoneInfo(known.zone))
            async with self._units.transaction() as uow:
                tasks = await uow.tasks.from_message(person.telegram_id, chat_id, message_id)
                if len(tasks) != 1:
                    return tasks
                edited = await uow.tasks.edit(
                    person.telegram_id,
                    tasks[0].number,
                    title=parts.title,
                    description=parsed.description,
                    at=at,
                )
                edited = await self._apply_title_parts(uow, person, edited, parts, at)
            assert edited is not None  # found in this very transaction
            return [edited]

        return await self._resilient(edit)

    async def delete_task(self, person: Person, number: int) -> TaskRead:
        """Delete a task for good; its number is never handed out again."""
        return await self._one_task(
            person, number, lambda uow, _at: uow.tasks.delete(person.telegram_id, number)
        )

    async def _next_occurrence(
        self, uow: UnitOfWork, person: Person, task: TaskRead, at: datetime
    ) -> TaskRead:
        """Done with a recurring task: the same task, open again, due at its next
        occurrence after now (remind then, if it has a time). A rule that has ended lets
        it be done for good."""
        assert task.recurrence is not None
        zone = ZoneInfo((await self._ensure_synced(person)).zone)
        due = task.due_at or at
        following = next_occurrence(task.recurrence, due, zone, after=max(at, due))
        if following is None:
            done = await uow.tasks.end_series(person.telegram_id, task.number, at)
            return done or task
        remind = following if task.due_has_time else None
        moved = await uow.tasks.reschedule(person.telegram_id, task.number, following, remind, at)
        return moved or task

    # -- reminders ---------------------------------------------------------------------------

    async def claim_reminders(
        self, most: int, lease_seconds: float = REMINDER_LEASE
    ) -> list[ClaimedReminder]:
        """Due reminders, each taken by this worker until the lease passes."""
        now = self._clock()

        async def claim() -> list[ClaimedReminder]:
            async with self._units.autocommit() as uow:
                return await uow.tasks.claim_reminders(
                    now, now + timedelta(seconds=lease_seconds), most
                )

        return await self._resilient(claim)

    async def reminder_sent(self, reminder: ClaimedReminder) -> None:
        """Sent: the next nag, if the task nags, else no more reminders."""
        nag = reminder.task.nag_minutes
        next_at = self._clock() + timedelta(minutes=nag) if nag else None
        await self._fired(reminder, next_at)

    async def postpone_reminder(self, reminder: ClaimedReminder, until: datetime) -> None:
        """Not sent now (quiet hours): due again at `until`."""
        await self._fired(reminder, until)

    async def _fired(self, reminder: ClaimedReminder, next_at: datetime | None) -> None:
        async def fired() -> None:
            async with self._units.autocommit() as uow:
                await uow.tasks.reminder_fired(reminder.task_id, reminder.lease, next_at)

        await self._resilient(fired)

    async def set_repeat(self, person: Person, number: int, every: str | None) -> TaskRead:
        """Make a task recur ("day", "weekdays", "week", "month"; None: not any more), from
        its due date, or from today when it has none."""
        known = await self._ensure_synced(person)
        zone = ZoneInfo(known.zone)
        task = await self.get_task(person, number)
        due_at, has_time = task.due_at, task.due_has_time
        if due_at is None:  # from today, a date without a time
            due_at = _local_midnight(self._clock().astimezone(zone).date(), zone)
        local = due_at.astimezone(zone)
        rules = {
            "day": "FREQ=DAILY",
            "weekdays": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "week": f"FREQ=WEEKLY;BYDAY={_WEEKDAY_CODES[local.weekday()]}",
            "month": f"FREQ=MONTHLY;BYMONTHDAY={local.day}",
        }
        rule = rules[every] if every is not None else None
        if rule is None:  # the date stays as it was
            due_at, has_time = task.due_at, task.due_has_time
        return await self._one_task(
            person,
            number,
            lambda uow, at: uow.tasks.set_recurrence(
                person.telegram_id, number, rule, due_at, has_time, at
            ),
        )

    async def set_priority(self, person: Person, number: int, priority: int | None) -> TaskRead:
        """1 (high) to 3 (low); None: none."""
        return await self._one_task(
            person,
            number,
            lambda uow, at: uow.tasks.set_priority(person.telegram_id, number, priority, at),
        )

    # -- tags ---------------------------------------------------------------------------------

    async def set_tags(self, person: Person, number: int, text: str) -> TaskRead:
        """Give a task exactly the tags typed ("#home work"; "-" or nothing: none)."""
        names = parse_tag_list(text)
        if names is None:
            raise InvalidTags(text)
        if not is_valid_number(number):
            raise TaskNotFound(number)

        async def tag() -> TaskRead:
            await self._ensure_synced(person)
            async with self._units.transaction() as uow:
                task = await uow.tags.tag_task(person.telegram_id, number, names, self._clock())
            if task is None:
                raise TaskNotFound(number)
            return task

        return await self._resilient(tag)

    async def tags(self, person: Person) -> list[TagRead]:
        """The person's tags by name, with their open and done counts (/tags)."""

        async def read() -> list[TagRead]:
            await self._ensure_synced(person)
            async with self._units.autocommit() as uow:
                return await uow.tags.counts(person.telegram_id)

        return await self._resilient(read)

    async def find_tag(
        self, person: Person, *, name: str | None = None, tag_id: int | None = None
    ) -> TagRead:
        """One of the person's tags by name ("#Home" or "home") or id; UnknownTag if none."""
        normalized = normalize_tag(name) if name is not None else None
        if name is not None and normalized is None:
            raise UnknownTag(name)

        async def find() -> TagRead | None:
            await self._ensure_synced(person)
            async with self._units.autocommit() as uow:
                return await uow.tags.find(person.telegram_id, name=normalized, tag_id=tag_id)

        found = await self._resilient(find)
        if found is None:
            raise UnknownTag(name or "")
        return found

    async def set_nag(self, person: Person, number: int, minutes: int | None) -> TaskRead:
        """Remind again every `minutes` after a reminder until done or snoozed (None: once)."""
        return await self._one_task(
            person,
            number,
            lambda uow, at: uow.tasks.set_nag(person.telegram_id, number, minutes, at),
        )

    async def export(self, person: Person) -> DueTasks:
        """Every task the person has, by number, with their zone (for /export)."""
        known = await self._ensure_synced(person)
        zone = ZoneInfo(known.zone)

        async def read() -> DueTasks:
            async with self._units.autocommit() as uow:
                tasks = await uow.tasks.all_of(person.telegram_id)
            return DueTasks(
                tasks=tuple(tasks),
                zone=PersonZone(name=known.zone, chosen=known.zone_chosen),
                today=self._clock().astimezone(zone).date(),
            )

        return await self._resilient(read)

    # -- importing a file --------------------------------------------------------------------

    def check_import_size(self, size: int | None) -> None:
        """Refuse a file over IMPORT_MAX_BYTES before anyone downloads it (None: unknown)."""
        if size is not None and size > self.import_max_bytes:
            raise FileTooLarge(size, self.import_max_bytes)

    async def _parse(self, person: Person, content: bytes) -> ParsedFile:
        self.check_import_size(len(content))
        zone = ZoneInfo((await self._ensure_synced(person)).zone)
        # Seconds for a large calendar: off the event loop, which keeps serving others.
        return await asyncio.to_thread(
            parse_file, content, zone=zone, now=self._clock(), max_tasks=self.import_max_tasks
        )

    async def preview_import(self, person: Person, content: bytes) -> ImportPreview:
        """What importing the file would add, without adding anything. A file refused as a
        whole raises (bot.services.errors.ImportRefused), as does one that would take the
        person past MAX_TASKS_PER_USER."""
        parsed = await self._parse(person, content)

        async def read() -> ImportPreview:
            async with self._units.autocommit() as uow:
                state = await uow.users.state(person.telegram_id)
                existing = await uow.tasks.titles_and_dues(person.telegram_id)
            kept, last = (state.tasks, state.last_task_number) if state else (0, 0)
            plan = plan_import(parsed.tasks, {duplicate_key(*task) for task in existing})
            if kept + len(plan.new) > self.max_tasks:
                raise NoRoomToImport(len(plan.new), kept, self.max_tasks)
            return ImportPreview(
                summary=summary_of(parsed, plan),
                adding=len(plan.new),
                first=preview_tasks(plan.new, last + 1, self._clock()),
            )

        return await self._resilient(read)

    async def import_file(
        self, person: Person, content: bytes, *, chat_id: int, message_id: int
    ) -> ImportResult:
        """Add the file's new tasks, all or none, numbered on from the person's last. The
        message that brought the file never imports twice; duplicates and the cap are checked
        under the person's row lock, so a concurrent add or import can't slip past them."""
        parsed = await self._parse(person, content)
        at = self._clock()

        async def store() -> ImportResult:
            async with self._units.transaction() as uow:
                state = await uow.users.lock(person.telegram_id)
                if state is None:  # the row went away behind our cache: make it again
                    await uow.users.sync(person, at, self.default_timezone)
                    await self._forget(person)
                    state = await uow.users.lock(person.telegram_id)
                    assert state is not None  # made in this very transaction
                made = await uow.tasks.made_by_message(person.telegram_id, chat_id, message_id)
                if made != (0, 0):  # a second tap, or a re-delivered one
                    return ImportResult(added=made[1] - made[0] + 1, numbers=made, summary=None)
                existing = await uow.tasks.titles_and_dues(person.telegram_id)
                plan = plan_import(parsed.tasks, {duplicate_key(*task) for task in existing})
                if state.tasks + len(plan.new) > self.max_tasks:
                    raise NoRoomToImport(len(plan.new), state.tasks, self.max_tasks)
                first, last = state.last_task_number + 1, state.last_task_number + len(plan.new)
                await uow.tasks.add_imported(
                    person.telegram_id,
                    plan.new,
                    first_number=first,
                    chat_id=chat_id,
                    message_id=message_id,
                    at=at,
                )
                await uow.tags.tag_numbers(
                    person.telegram_id,
                    [
                        (first + part, name)
                        for part, task in enumerate(plan.new)
                        for name in task.tags
                    ],
                )
                if plan.new:
                    await uow.users.set_last_number(person.telegram_id, last, at)
            return ImportResult(
                added=len(plan.new),
                numbers=(first, last) if plan.new else None,
                summary=summary_of(parsed, plan),
            )

        return await self._resilient(store)

    async def imported_from(self, person: Person, chat_id: int, message_id: int) -> ImportResult:
        """What the file in this message added, if it was imported (added 0 if not)."""
        await self._ensure_synced(person)

        async def read() -> ImportResult:
            async with self._units.autocommit() as uow:
                made = await uow.tasks.made_by_message(person.telegram_id, chat_id, message_id)
            if made == (0, 0):
                return ImportResult(added=0, numbers=None, summary=None)
            return ImportResult(added=made[1] - made[0] + 1, numbers=made, summary=None)

        return await self._resilient(read)

    # -- the person's settings and the daily digest ------------------------------------------

    async def settings_of(self, person: Person) -> UserRead:
        await self._ensure_synced(person)

        async def read() -> UserRead:
            async with self._units.autocommit() as uow:
                user = await uow.users.get(person.telegram_id)
            assert user is not None  # synced above
            return user

        return await self._resilient(read)

    async def set_digest(self, person: Person, minute: int | None) -> UserRead:
        """The daily digest at `minute` after local midnight; None turns it off."""
        known = await self._ensure_synced(person)
        zone = ZoneInfo(known.zone)
        next_at = next_daily(minute, zone, self._clock()) if minute is not None else None

        async def set_it() -> UserRead:
            async with self._units.autocommit() as uow:
                await uow.users.set_digest(person.telegram_id, minute, next_at)
                user = await uow.users.get(person.telegram_id)
            assert user is not None
            return user

        return await self._resilient(set_it)

    async def set_quiet(self, person: Person, start: int | None, end: int | None) -> UserRead:
        """Quiet hours (minutes after local midnight; None: none): reminders that fall in
        them wait until they end."""
        await self._ensure_synced(person)

        async def set_it() -> UserRead:
            async with self._units.autocommit() as uow:
                await uow.users.set_quiet(person.telegram_id, start, end)
                user = await uow.users.get(person.telegram_id)
            assert user is not None
            return user

        return await self._resilient(set_it)

    async def schedule_digests(self, most: int) -> int:
        """Schedule the digest of people who have a digest time and none scheduled."""
        now = self._clock()

        async def schedule() -> int:
            async with self._units.autocommit() as uow:
                people = await uow.users.unscheduled_digests(most)
                for setting in people:
                    next_at = next_daily(setting.digest_minute, ZoneInfo(setting.timezone), now)
                    await uow.users.schedule_digest(setting.telegram_id, next_at)
            return len(people)

        return await self._resilient(schedule)

    async def claim_digests(
        self, most: int, lease_seconds: float = REMINDER_LEASE
    ) -> list[ClaimedDigest]:
        now = self._clock()

        async def claim() -> list[ClaimedDigest]:
            async with self._units.autocommit() as uow:
                return await uow.users.claim_digests(
                    now, now + timedelta(seconds=lease_seconds), most
                )

        return await self._resilient(claim)

    async def digest_tasks(self, digest: ClaimedDigest) -> DueTasks:
        """What a digest lists: the person's open tasks overdue or due today."""
        zone = ZoneInfo(digest.timezone)
        today = self._clock().astimezone(zone).date()
        end = _local_midnight(today + timedelta(days=1), zone)

        async def read() -> DueTasks:
            async with self._units.autocommit() as uow:
                tasks = await uow.tasks.due_between(
                    digest.telegram_id, _EARLIEST, end, DUE_VIEW_SIZE
                )
            return DueTasks(
                tasks=tuple(tasks),
                zone=PersonZone(name=digest.timezone, chosen=True),
                today=today,
            )

        return await self._resilient(read)

    async def digest_sent(self, digest: ClaimedDigest) -> None:
        """Sent (or nothing to send): the same time tomorrow."""
        zone = ZoneInfo(digest.timezone)
        next_at = next_daily(digest.digest_minute, zone, self._clock() + timedelta(minutes=1))

        async def done() -> None:
            async with self._units.autocommit() as uow:
                await uow.users.digest_done(digest.telegram_id, digest.lease, next_at)

        await self._resilient(done)

    async def stop_reminders(self, telegram_id: int) -> None:
        """The person blocked the bot: no more attempts for any of their tasks, and no
        digest."""

        async def stop() -> None:
            async with self._units.transaction() as uow:
                await uow.tasks.stop_reminders(telegram_id)
                await uow.users.stop_digest(telegram_id)

        await self._resilient(stop)

    async def remind_at(self, person: Person, number: int, moment: datetime | None) -> TaskRead:
        """Remind about an open task at `moment` (a snooze); None: no reminder."""
        return await self._one_task(
            person,
            number,
            lambda uow, at: uow.tasks.set_reminder(person.telegram_id, number, moment, at),
        )

    async def remind_phrase(self, person: Person, number: int, text: str) -> TaskRead:
        """/remind 3 in 2 hours: a reminder at a moment typed in words (a date alone means
        09:00 that day, the morning)."""
        known = await self._ensure_synced(person)
        zone = ZoneInfo(known.zone)
        _title, due = read_due(text.strip(), self._clock(), zone)
        if due is None:
            raise DueNotUnderstood(text)
        moment = due.at
        if not due.has_time:
            moment = _local_midnight(due.at.astimezone(zone).date(), zone, hour=MORNING_HOUR)
        return await self.remind_at(person, number, moment)

    async def remind_before_due(self, person: Person, number: int, minutes: int) -> TaskRead:
        """A reminder `minutes` before the task's due time (it must have one)."""
        task = await self.get_task(person, number)
        if task.due_at is None or not task.due_has_time:
            raise DueNotUnderstood("")
        return await self.remind_at(person, number, task.due_at - timedelta(minutes=minutes))

    def morning_after(self, zone_name: str) -> datetime:
        """Tomorrow at MORNING_HOUR in the zone: the "tomorrow morning" snooze."""
        zone = ZoneInfo(zone_name)
        tomorrow = self._clock().astimezone(zone).date() + timedelta(days=1)
        return _local_midnight(tomorrow, zone, hour=MORNING_HOUR)

    # -- due dates -------------------------------------------------------------------------

    async def set_due(self, person: Person, number: int, text: str) -> TaskRead:
        """A due date from a typed phrase ("friday 18:00", "завтра"), in the person's zone."""
        known = await self._ensure_synced(person)
        now = self._clock()
        _title, due = read_due(text.strip(), now, ZoneInfo(known.zone))
        if due is None:
            raise DueNotUnderstood(text)
        return await self._one_task(
            person, number, lambda uow, at: uow.tasks.set_due(person.telegram_id, number, due, at)
        )

    async def clear_due(self, person: Person, number: int) -> TaskRead:
        return await self._one_task(
            person, number, lambda uow, at: uow.tasks.set_due(person.telegram_id, number, None, at)
        )

    async def due_soon(self, person: Person, days: int, *, overdue: bool) -> DueTasks:
        """Open tasks due from today (or, with `overdue`, before) until `days` local days
        from today, earliest first; the person's zone comes with them."""
        known = await self._ensure_synced(person)
        zone = ZoneInfo(known.zone)
        now = self._clock()
        today = now.astimezone(zone).date()
        start = _local_midnight(today, zone)
        end = _local_midnight(today + timedelta(days=days), zone)

        async def read() -> DueTasks:
            async with self._units.autocommit() as uow:
                tasks = await uow.tasks.due_between(
                    person.telegram_id, _EARLIEST if overdue else start, end, DUE_VIEW_SIZE
                )
            return DueTasks(
                tasks=tuple(tasks),
                zone=PersonZone(name=known.zone, chosen=known.zone_chosen),
                today=today,
            )

        return await self._resilient(read)

    async def _one_task(
        self,
        person: Person,
        number: int,
        work: Callable[[UnitOfWork, datetime], Awaitable[TaskRead | None]],
    ) -> TaskRead:
        """A use case about one of the person's tasks, in autocommit: `work` gives the task,
        or None when the person has no such task (TaskNotFound)."""
        if not is_valid_number(number):
            raise TaskNotFound(number)

        async def run() -> TaskRead:
            await self._ensure_synced(person)
            async with self._units.autocommit() as uow:
                task = await work(uow, self._clock())
            if task is None:
                raise TaskNotFound(number)
            return task

        return await self._resilient(run)


def _local_midnight(day: date, zone: ZoneInfo, *, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


class TitleParts(NamedTuple):
    title: str
    due: Due | None
    priority: int | None
    tags: tuple[str, ...]


def read_title(title: str, now: datetime, zone: ZoneInfo) -> TitleParts:
    """What a title line says besides its title: a priority mark ("!1", "!важно"), tags
    ("#home") and a due date in words; the title without them."""
    title, priority = read_priority(title)
    title, tags = read_tags(title)
    title, due = read_due(title, now, zone)
    return TitleParts(title, due, priority, tags)


def read_due(title: str, now: datetime, zone: ZoneInfo) -> tuple[str, Due | None]:
    """The title without its date phrase, and the due date it names (None: no phrase).

    A due time sets the reminder to it, if it is still ahead. A date that does not exist is
    refused (InvalidDate), never read as a neighbouring one. A title that is nothing but a
    date phrase keeps its words.
    """
    found = parse_due(title, now.astimezone(zone), zone)
    if found.ambiguous:
        raise InvalidDate(title)
    if found.due is None:
        return title, None
    due_at = found.due.astimezone(UTC)
    remind_at = due_at if found.has_time and due_at > now else None
    due = Due(at=due_at, has_time=found.has_time, remind_at=remind_at, recurrence=found.recurrence)
    return (found.title or title), due


def _total(task_filter: TaskFilter, open_count: int, done_count: int) -> int:
    if task_filter is TaskFilter.OPEN:
        return open_count
    if task_filter is TaskFilter.DONE:
        return done_count
    return open_count + done_count


def _report(number: int, closed: dict[int, str], others: dict[int, TaskRead]) -> DoneReport:
    if number in closed:
        return DoneReport(number=number, outcome=DoneOutcome.DONE, title=closed[number])
    task = others.get(number)
    if task is None:
        return DoneReport(number=number, outcome=DoneOutcome.NOT_FOUND)
    if task.status is TaskStatus.DONE:
        return DoneReport(number=number, outcome=DoneOutcome.ALREADY_DONE, title=task.title)
    # A recurring task, moved to its next occurrence.
    return DoneReport(
        number=number, outcome=DoneOutcome.RESCHEDULED, title=task.title, next_due=task.due_at
    )
