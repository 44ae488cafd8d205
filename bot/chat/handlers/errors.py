"""Turns errors into answers: typed service errors into a localized explanation, anything
else into a short apology (and a log line with the update id). The bot keeps running."""

from __future__ import annotations

import logging
from contextlib import suppress
from html import escape

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.filters import in_loop
from bot.chat.import_texts import file_size_text
from bot.chat.keyboards import open_list_keyboard
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import clip
from bot.chat.replies import respond
from bot.services import (
    BrokenFile,
    DueNotUnderstood,
    EmptyFile,
    EmptyTitle,
    FileTooLarge,
    ImportRefused,
    InvalidDate,
    InvalidTags,
    InvalidText,
    NoRoomToImport,
    NothingToSearch,
    NotUtf8,
    StorageUnavailable,
    TaskError,
    TaskLimitReached,
    TaskNotFound,
    TextTooLong,
    TooManyTasks,
    UnknownFormat,
    UnknownTag,
    UnknownTimezone,
)

log = logging.getLogger(__name__)


def explain_refused_file(error: ImportRefused) -> str:
    nothing = _("Nothing was imported.")
    if isinstance(error, FileTooLarge):
        text = _("This file is {size}; I read files of up to {limit}.").format(
            size=file_size_text(error.size), limit=file_size_text(error.limit)
        )
    elif isinstance(error, NotUtf8):
        text = _(
            "I can't read this file: it is not UTF-8 text. I read JSON, CSV and ICS files in "
            "UTF-8; from a spreadsheet, save it as «CSV UTF-8»."
        )
    elif isinstance(error, EmptyFile):
        text = _("The file is empty.")
    elif isinstance(error, BrokenFile):
        text = _("This {format} file is damaged: I couldn't read it.").format(
            format=error.file_format
        )
    elif isinstance(error, TooManyTasks):
        text = _(
            "The file has {count} tasks; I import at most {limit} at once. Split it and "
            "send the parts."
        ).format(count=error.count, limit=error.limit)
    elif isinstance(error, NoRoomToImport):
        text = _(
            "That would add {adding} tasks, but you keep {kept} of the {limit} I keep for one "
            "person: there is room for {room} more. Delete some, or import a smaller file."
        ).format(
            adding=error.adding,
            kept=error.kept,
            limit=error.limit,
            room=max(error.limit - error.kept, 0),
        )
    else:
        assert isinstance(error, UnknownFormat)
        text = _(
            "I don't know this kind of file. I read the JSON, CSV and ICS files /export "
            "sends, a CSV exported from Todoist, and calendar files (ICS) with to-dos."
        )
    return f"{text} {nothing}"


def explain(error: TaskError) -> str:
    if isinstance(error, ImportRefused):
        return explain_refused_file(error)
    if isinstance(error, TaskNotFound):
        return _("There is no task #{number}. Send /list to see yours.").format(number=error.number)
    if isinstance(error, TextTooLong):
        template = (
            _("The text is too long: {length} characters, at most {limit} fit.")
            if error.field == "text"
            else _("The description is too long: {length} characters, at most {limit} fit.")
        )
        return (
            template.format(length=error.length, limit=error.limit)
            + " "
            + _("Nothing was saved; shorten it and send it again.")
        )
    if isinstance(error, EmptyTitle):
        return _("The task needs a title: send some text. Nothing was saved.")
    if isinstance(error, StorageUnavailable):
        return _(
            "⚠️ I can't reach my database right now, so nothing was saved. "
            "Please try again in a minute."
        )
    if isinstance(error, TaskLimitReached):
        return _(
            "You already have {limit} tasks, the most I can keep for one person. "
            "Delete some to add new ones. Nothing was saved."
        ).format(limit=error.limit)
    if isinstance(error, InvalidDate):
        return _(
            "That date does not exist, so I did not guess one. Nothing was saved; send it "
            "again with a real date (like <code>28.02</code>) or without one."
        )
    if isinstance(error, DueNotUnderstood):
        return _(
            "I couldn't read a date in «{text}». Try <code>tomorrow</code>, "
            "<code>friday 18:00</code>, <code>25.12</code>, <code>in 2 hours</code>, "
            "<code>завтра в 9</code>. Nothing was changed."
        ).format(text=escape(clip(error.text, 40)))
    if isinstance(error, UnknownTimezone):
        return _(
            "I don't know the time zone «{text}». Try <code>/tz Moscow</code>, "
            "<code>/tz Europe/Berlin</code> or <code>/tz +3</code>, or share a location. "
            "Nothing was changed."
        ).format(text=escape(clip(error.text, 40)))
    if isinstance(error, NothingToSearch):
        return _(
            "There are no words to look for in «{text}»: I search for words (letters and "
            "digits). Try <code>/find milk</code>."
        ).format(text=escape(clip(error.text, 40)))
    if isinstance(error, InvalidText):
        return _("The text contains a character I cannot store. Nothing was saved.")
    if isinstance(error, InvalidTags):
        return _(
            "«{text}» are not tags: a tag starts with a letter, like <code>#home</code> or "
            "<code>#работа</code>. Send the tags again, <code>-</code> for none, or /cancel."
        ).format(text=escape(clip(error.text, 40)))
    if isinstance(error, UnknownTag):
        return _("None of your tasks has the tag «{name}». /tags lists yours.").format(
            name=escape(clip(error.name, 40))
        )
    return _("That did not work. Nothing was changed.")


async def task_error_on_button(event: ErrorEvent, query: CallbackQuery) -> None:
    assert isinstance(event.exception, TaskError)
    text = (
        _("Task #{number} no longer exists.").format(number=event.exception.number)
        if isinstance(event.exception, TaskNotFound)
        else explain(event.exception)
    )
    error = event.exception
    gone = isinstance(error, TaskNotFound)
    message = query.message
    if (
        isinstance(error, TaskNotFound)
        and isinstance(message, Message)
        and message.chat.type == ChatType.PRIVATE
    ):
        # The message showed a task that is gone: it says so, with the list one tap away.
        with suppress(TelegramAPIError):
            await message.edit_text(
                _("🗑 #{number} is gone.").format(number=error.number),
                reply_markup=open_list_keyboard(owner=query.from_user.id),
            )
    with suppress(TelegramAPIError):  # the handler may have answered already
        await query.answer(text, show_alert=not gone)


async def task_error_on_message(event: ErrorEvent, message: Message) -> None:
    assert isinstance(event.exception, TaskError)
    await respond(message, explain(event.exception))


async def blocked_by_person(event: ErrorEvent) -> None:
    # They blocked the bot (or left the chat): whatever they asked for is saved already,
    # and there is nobody to answer. Not an error of ours; not worth a traceback.
    log.info("update %s: %s", event.update.update_id, event.exception)


async def unexpected_error(event: ErrorEvent, changes: Changes | None = None) -> None:
    saved = changes is not None and changes.committed
    log.error(
        "update %s failed%s: %s",
        event.update.update_id,
        " after its change was saved" if saved else "",
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    if saved:
        # The reply is what failed: sending it again would make a duplicate.
        apology = _("✅ That was saved, but I could not show you the result. Send /list to see it.")
    else:
        apology = _(
            "Sorry, something went wrong on my side. Nothing was changed; please try again."
        )
    with suppress(TelegramAPIError):  # Telegram may be what failed; the log line is enough
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(apology, show_alert=True)
        elif event.update.message is not None:
            await respond(event.update.message, apology)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(
        task_error_on_button,
        ExceptionTypeFilter(TaskError),
        in_loop(F.update.callback_query.as_("query")),
    )
    router.errors.register(
        task_error_on_message,
        ExceptionTypeFilter(TaskError),
        in_loop(F.update.message.as_("message")),
    )
    router.errors.register(blocked_by_person, ExceptionTypeFilter(TelegramForbiddenError))
    router.errors.register(unexpected_error)
    return router
