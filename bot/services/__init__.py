from bot.services.errors import EmptyTitle, InvalidText, TaskError, TaskNotFound, TextTooLong
from bot.services.tasks import TaskService

__all__ = ["EmptyTitle", "InvalidText", "TaskError", "TaskNotFound", "TaskService", "TextTooLong"]
