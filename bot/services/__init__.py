from bot.services.errors import (
    EmptyTitle,
    InvalidText,
    StorageUnavailable,
    TaskError,
    TaskLimitReached,
    TaskNotFound,
    TextTooLong,
)
from bot.services.tasks import TaskService

__all__ = [
    "EmptyTitle",
    "InvalidText",
    "StorageUnavailable",
    "TaskError",
    "TaskLimitReached",
    "TaskNotFound",
    "TaskService",
    "TextTooLong",
]
