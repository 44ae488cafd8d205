"""/cancel leaves whatever dialogue is waiting for text."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.chat.replies import respond


async def cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await respond(message, _("Nothing to cancel."))
        return
    await state.clear()
    await respond(message, _("Cancelled. Nothing was changed."))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cancel, Command("cancel"))
    return router
