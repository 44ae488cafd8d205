from bot.services.errors import (
    DueNotUnderstood,
    EmptyTitle,
    InvalidDate,
    InvalidText,
    NothingToSearch,
    StorageUnavailable,
    TaskError,
    TaskLimitReached,
    TaskNotFound,
    TextTooLong,
    UnknownTimezone,
)
from bot.services.tasks import TaskService

__all__ = [
    "DueNotUnderstood",
    "EmptyTitle",
    "InvalidDate",
    "InvalidText",
    "NothingToSearch",
    "StorageUnavailable",
    "TaskError",
    "TaskLimitReached",
    "TaskNotFound",
    "TaskService",
    "TextTooLong",
    "UnknownTimezone",
]
