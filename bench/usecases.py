"""The five use cases measured: the update a person sends at each step, the data they need
beforehand, and the use case's own statement with its parameters, for the raw SQL floor
(see floors.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiogram.types import Update
from sqlalchemy import Executable

from bench.updates import UpdateFactory
from bot.callbacks import TaskAction, TaskCallback
from bot.db.base import utcnow
from bot.schemas import TaskFilter, TaskStatus
from bot.services import statements as sql
from bot.services.tasks import DEFAULT_MAX_TASKS, DEFAULT_PAGE_SIZE

# Enough for a full first page (ten) and a second one.
TASKS_EACH = 25
STATUS_TASK = 2  # to do when seeded (seed.status_of)
# Each press moves the task on, so every press really changes it (none is a no-op).
_STATUS_CYCLE = (TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.PENDING)
_STATUS_ACTION = {
    TaskStatus.IN_PROGRESS: TaskAction.TO_IN_PROGRESS,
    TaskStatus.DONE: TaskAction.TO_DONE,
    TaskStatus.PENDING: TaskAction.TO_PENDING,
}
_RAW_MESSAGE_IDS = 2_000_000_000  # the raw /add's own (chat_id, message_id) range


@dataclass(frozen=True)
class UseCase:
    name: str
    kind: Literal["message", "press"]
    marker: str  # a piece of the reply text that shows the use case worked
    build: Callable[[UpdateFactory, int, int], Update]  # (updates, telegram id, step)
    # The statement TaskService runs for it on PostgreSQL, and its parameters at each step
    # (telegram id, step), named as the service names them.
    raw_statement: Executable
    raw_params: Callable[[int, int], dict[str, Any]]
    # Tasks each person has before a run of so many steps.
    tasks_for: Callable[[int], int] = lambda steps: TASKS_EACH


def _status_params(person: int, number: int, status: TaskStatus) -> dict[str, Any]:
    now = utcnow()
    return {
        "tg_id": person,
        "num": number,
        "new_status": status,
        "at": now,
        "done_time": now if status is TaskStatus.DONE else None,
    }


def _status_at(step: int) -> TaskStatus:
    return _STATUS_CYCLE[step % len(_STATUS_CYCLE)]


def open_task(step: int) -> int:
    """The step-th open task (from 0) in seeded data, where every 4th task is done."""
    return step + step // 3 + 1


ADD = UseCase(
    name="/add",
    kind="message",
    marker="Added.",
    build=lambda updates, person, step: updates.message(person, f"/add Benchmark task {step}"),
    raw_statement=sql.ADD_TASK_POSTGRES,
    raw_params=lambda person, step: {
        "tg_id": person,
        "cap": DEFAULT_MAX_TASKS,
        "src_chat": person,
        "src_message": _RAW_MESSAGE_IDS + step,
        "new_title": f"Benchmark task {step}",
        "new_description": None,
        "new_status": TaskStatus.PENDING,
        "at": utcnow(),
    },
)
LIST = UseCase(
    name="/list",
    kind="message",
    marker="Open tasks",
    build=lambda updates, person, step: updates.message(person, "/list"),
    raw_statement=sql.LIST_PAGE[TaskFilter.OPEN],
    raw_params=lambda person, step: {
        "tg_id": person,
        "needed": DEFAULT_PAGE_SIZE,
        "page_size": DEFAULT_PAGE_SIZE,
        "offset": 0,
    },
)
OPEN_CARD = UseCase(
    name="open card",
    kind="press",
    marker="Status:",
    build=lambda updates, person, step: updates.press(
        person, TaskCallback(action=TaskAction.OPEN, number=1 + step % TASKS_EACH).pack()
    ),
    raw_statement=sql.GET_TASK,
    raw_params=lambda person, step: {"tg_id": person, "num": 1 + step % TASKS_EACH},
)
STATUS = UseCase(
    name="status button",
    kind="press",
    marker="Status:",
    build=lambda updates, person, step: updates.press(
        person,
        TaskCallback(action=_STATUS_ACTION[_status_at(step)], number=STATUS_TASK).pack(),
    ),
    raw_statement=sql.SET_STATUS,
    raw_params=lambda person, step: _status_params(person, STATUS_TASK, _status_at(step)),
)
# Each step closes the lane's next open task: closing the same one again would measure the
# cheaper "was already done" path instead.
DONE = UseCase(
    name="/done n",
    kind="message",
    marker="Marked 1 task done.",
    build=lambda updates, person, step: updates.message(person, f"/done {open_task(step)}"),
    raw_statement=sql.MARK_DONE[True],
    raw_params=lambda person, step: {"tg_id": person, "nums": [open_task(step)], "at": utcnow()},
    tasks_for=lambda steps: max(TASKS_EACH, open_task(steps)),
)

USE_CASES = (ADD, LIST, OPEN_CARD, STATUS, DONE)
