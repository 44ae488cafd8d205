"""Errors a person can cause; the chat layer turns each into a localized answer."""

from __future__ import annotations


class TaskError(Exception):
    """Base of every error the chat layer should translate rather than log."""


class TaskNotFound(TaskError):
    def __init__(self, number: int) -> None:
        super().__init__(f"task #{number} not found")
        self.number = number


class EmptyTitle(TaskError):
    def __init__(self) -> None:
        super().__init__("the task has no title")


class TextTooLong(TaskError):
    def __init__(self, field: str, limit: int, length: int) -> None:
        super().__init__(f"{field} is {length} characters long; the limit is {limit}")
        self.field = field
        self.limit = limit
        self.length = length


class InvalidText(TaskError):
    """Text no database can store as written (a NUL character)."""

    def __init__(self) -> None:
        super().__init__("the text contains a NUL character")


class TaskLimitReached(TaskError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the person already has {limit} tasks")
        self.limit = limit


class InvalidDate(TaskError):
    """The text names a date that does not exist ("31.02"): refused rather than guessed."""

    def __init__(self, text: str) -> None:
        super().__init__("the text names a date that does not exist")
        self.text = text


class DueNotUnderstood(TaskError):
    """A due date edit whose text reads as no date."""

    def __init__(self, text: str) -> None:
        super().__init__("no date in the text")
        self.text = text


class UnknownTimezone(TaskError):
    def __init__(self, text: str) -> None:
        super().__init__("no such time zone")
        self.text = text


class StorageUnavailable(TaskError):
    """The database could not be reached (after a short retry); nothing was changed."""

    def __init__(self) -> None:
        super().__init__("the database is unreachable")


class InvalidTags(TaskError):
    """Typed tags that are no tags ("#3", "!!"); a tag starts with a letter."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not tags: {text[:64]!r}")
        self.text = text


class UnknownTag(TaskError):
    """The person has no task with this tag."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no tag {name[:64]!r}")
        self.name = name
