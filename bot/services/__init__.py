from bot.services.errors import (
    DueNotUnderstood,
    EmptyTitle,
    InvalidDate,
    InvalidTags,
    InvalidText,
    StorageUnavailable,
    TaskError,
    TaskLimitReached,
    TaskNotFound,
    TextTooLong,
    UnknownTag,
    UnknownTimezone,
)
from bot.services.tasks import TaskService

__all__ = [
    "DueNotUnderstood",
    "EmptyTitle",
    "InvalidDate",
    "InvalidTags",
    "InvalidText",
    "StorageUnavailable",
    "TaskError",
    "TaskLimitReached",
    "TaskNotFound",
    "TaskService",
    "TextTooLong",
    "UnknownTag",
    "UnknownTimezone",
]
