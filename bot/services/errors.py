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


# -- importing a file: each refuses the whole file, and nothing is imported ------------------


class ImportRefused(TaskError):
    """A file that is not imported at all."""


class FileTooLarge(ImportRefused):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file has {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


class NotUtf8(ImportRefused):
    def __init__(self) -> None:
        super().__init__("the file is not UTF-8 text")


class EmptyFile(ImportRefused):
    def __init__(self) -> None:
        super().__init__("the file is empty")


class UnknownFormat(ImportRefused):
    """Text, but none of the formats the bot reads."""

    def __init__(self) -> None:
        super().__init__("the file is in no format the bot reads")


class BrokenFile(ImportRefused):
    """A file of a known format that does not parse."""

    def __init__(self, file_format: str) -> None:
        super().__init__(f"the {file_format} file does not parse")
        self.file_format = file_format


class TooManyTasks(ImportRefused):
    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"the file has {count} tasks; at most {limit} are imported at once")
        self.count = count
        self.limit = limit


class NoRoomToImport(ImportRefused):
    """The new tasks would take the person past MAX_TASKS_PER_USER."""

    def __init__(self, adding: int, kept: int, limit: int) -> None:
        super().__init__(f"{adding} more tasks would pass the limit of {limit} (has {kept})")
        self.adding = adding
        self.kept = kept
        self.limit = limit


class NothingToSearch(TaskError):
    """A search with no letters or digits in it."""

    def __init__(self, text: str) -> None:
        super().__init__("the query has no words")
        self.text = text
