"""Editing the message that made a task edits the task (Telegram's `edited_message`)."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.chat.filters import in_loop
from bot.chat.middlewares.changes import Changes
from bot.chat.rendering import clip
from bot.chat.replies import respond
from bot.schemas import Person
from bot.services import TaskService


def _task_text(text: str) -> str | None:
    """What the task was made of: the text after `/add` (or `/add@bot`), or the text itself;
    None for any other command."""
    if not text.startswith("/"):
        return text
    first_line, newline, below = text.partition("\n")
    if first_line.split("@", 1)[0].split(" ", 1)[0].lower() != "/add":
        return None
    if " " in first_line:
        return first_line.split(" ", 1)[1] + newline + below
    return below


async def edit_from_message(
    message: Message, person: Person, task_service: TaskService, changes: Changes
) -> None:
    assert message.text is not None  # the filter
    text = _task_text(message.text)
    if text is None or not text.strip():
        return
    tasks = await task_service.edit_from_message(
        person, text, chat_id=message.chat.id, message_id=message.message_id
    )
    if not tasks:
        return  # the message made no task (a command, a refused text): nothing to follow
    if len(tasks) > 1:
        await respond(
            message,
            _(
                "That message made {count} tasks, one per line; I left them as they are. "
                "Edit each from its card (/list)."
            ).format(count=len(tasks)),
        )
        return
    [task] = tasks
    changes.saved()
    await respond(
        message,
        _("✏️ #{number} now reads: {title}").format(
            number=task.number, title=escape(clip(task.title, 200))
        ),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.edited_message.register(edit_from_message, in_loop(F.text))
    return router
