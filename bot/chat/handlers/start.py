"""/start and /help."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.chat.replies import respond
from bot.schemas import Person
from bot.services import TaskService


def help_text() -> str:
    return _(
        "<b>Commands</b>\n"
        "/add <i>text</i> — add a task. The first line is the title, the next lines "
        "a description.\n"
        "   <code>/add Buy milk</code>\n"
        "/list — your open tasks; tap one to open it, change its status, edit or delete it.\n"
        "/list #<i>tag</i> — the tasks with a tag; /tags — your tags.\n"
        "/find <i>words</i> — find tasks by words in their titles, descriptions and tags, "
        "done ones too.\n"
        "   <code>/find milk</code>   <code>/find купить</code>\n"
        "/done <i>numbers</i> — mark tasks done.\n"
        "   <code>/done 3</code>   <code>/done 3 5 #7</code>\n"
        "/done — pick finished tasks from a list.\n"
        "/today — overdue and due today; /upcoming — the next 7 days.\n"
        "/tz <i>city</i> — your time zone.   <code>/tz Moscow</code>   <code>/tz +3</code>\n"
        "/export — your tasks as JSON, CSV and calendar (ICS) files.\n"
        "/import — send me one of those files back, or a Todoist CSV export, to add its "
        "tasks (I show them and ask first).\n"
        "/cancel — stop what I am waiting for.\n"
        "/help — this message.\n\n"
        "In a private chat, any text you send me becomes a task; a list (lines starting "
        "with «-») becomes a task per line. Edit your message, and the task follows.\n\n"
        "Dates in plain words, English or Russian, become due dates:\n"
        "   <code>Call mom tomorrow at 9</code>   <code>Отчёт в пятницу в 18:00</code>\n"
        "   <code>Pay rent every month on the 1st</code>   <code>через 2 часа</code>\n\n"
        "A priority and tags, too: <code>Report !1 #work</code>   <code>Хлеб !низкий #дом</code>"
    )


async def start(message: Message, person: Person, task_service: TaskService) -> None:
    await task_service.sync_user(person)
    name = message.from_user.first_name if message.from_user else ""
    greeting = _("👋 Hi, {name}! I keep your to-do list.").format(name=escape(name))
    await respond(message, f"{greeting}\n\n{help_text()}")


async def show_help(message: Message) -> None:
    await respond(message, help_text())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(show_help, Command("help"))
    return router
