"""/export: the person's tasks as JSON, CSV and ICS files, in their private chat."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.chat.replies import open_private_chat_button
from bot.schemas import Person
from bot.services import TaskService
from bot.services.exports import to_csv, to_ics, to_json


async def export_command(message: Message, person: Person, task_service: TaskService) -> None:
    assert message.bot is not None  # set on every update the dispatcher feeds
    exported = await task_service.export(person)
    zone = ZoneInfo(exported.zone.name)
    files = (
        BufferedInputFile(to_json(exported.tasks, zone.key), "tasks.json"),
        BufferedInputFile(to_csv(exported.tasks, zone), "tasks.csv"),
        BufferedInputFile(to_ics(exported.tasks, person.telegram_id, zone), "tasks.ics"),
    )
    caption = _(
        "📦 Your {count} tasks: JSON (everything), CSV (for a spreadsheet) and ICS (for a "
        "calendar app)."
    ).format(count=len(exported.tasks))
    try:
        for index, document in enumerate(files):
            await message.bot.send_document(
                person.telegram_id, document, caption=caption if index == 0 else None
            )
    except TelegramForbiddenError:  # from a group, and the bot may not write first
        await message.reply(
            _(
                "I can't write to you first. Open a private chat with me, press Start, "
                "and send the command there."
            ),
            reply_markup=await open_private_chat_button(message.bot),
        )
        return
    if message.chat.type != ChatType.PRIVATE:
        await message.reply(_("📬 I sent it to you in a private chat."))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(export_command, Command("export"))
    return router
