"""/settings, /digest and /quiet: the person's time zone, daily digest and quiet hours."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.chat.callbacks import SettingsCallback, SettingsChoice
from bot.chat.middlewares.changes import Changes
from bot.chat.replies import respond, respond_privately, show
from bot.schemas import Person, UserRead
from bot.services import TaskService
from bot.services.schedule import parse_time_of_day

_OFF = {"off", "no", "none", "выкл", "нет", "откл"}


def _clock_face(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def render_settings(user: UserRead) -> str:
    digest = _clock_face(user.digest_minute) if user.digest_minute is not None else _("off")
    quiet = (
        f"{_clock_face(user.quiet_from)}–{_clock_face(user.quiet_to)}"
        if user.quiet_from is not None and user.quiet_to is not None
        else _("none")
    )
    return _(
        "⚙️ <b>Settings</b>\n"
        "🕐 Time zone: <b>{zone}</b> — <code>/tz Moscow</code>, <code>/tz +3</code>\n"
        "☀️ Daily digest: <b>{digest}</b> — <code>/digest 08:30</code>, <code>/digest off</code>\n"
        "🌙 Quiet hours: <b>{quiet}</b> — <code>/quiet 23:00-08:00</code>, "
        "<code>/quiet off</code>\n"
        "🔁 Nagging: per task, from the card's ⏰ Remind button."
    ).format(zone=user.timezone, digest=digest, quiet=quiet)


def settings_keyboard(owner: int) -> InlineKeyboardMarkup:
    def choice(text: str, value: SettingsChoice) -> InlineKeyboardButton:
        data = SettingsCallback(choice=value, owner=owner).pack()
        return InlineKeyboardButton(text=text, callback_data=data)

    builder = InlineKeyboardBuilder()
    builder.row(
        choice(_("☀️ 08:00"), SettingsChoice.DIGEST_8),
        choice(_("☀️ 09:00"), SettingsChoice.DIGEST_9),
        choice(_("☀️ No digest"), SettingsChoice.DIGEST_OFF),
    )
    builder.row(
        choice(_("🌙 22:00–07:00"), SettingsChoice.QUIET_22_7),
        choice(_("🌙 23:00–08:00"), SettingsChoice.QUIET_23_8),
        choice(_("🌙 No quiet hours"), SettingsChoice.QUIET_OFF),
    )
    return builder.as_markup()


async def settings_command(message: Message, person: Person, task_service: TaskService) -> None:
    user = await task_service.settings_of(person)
    await respond_privately(message, render_settings(user), settings_keyboard(person.telegram_id))


_DIGESTS = {
    SettingsChoice.DIGEST_8: 8 * 60,
    SettingsChoice.DIGEST_9: 9 * 60,
    SettingsChoice.DIGEST_OFF: None,
}
_QUIETS = {
    SettingsChoice.QUIET_22_7: (22 * 60, 7 * 60),
    SettingsChoice.QUIET_23_8: (23 * 60, 8 * 60),
    SettingsChoice.QUIET_OFF: (None, None),
}


async def settings_choice(
    query: CallbackQuery,
    callback_data: SettingsCallback,
    person: Person,
    task_service: TaskService,
    changes: Changes,
) -> None:
    if callback_data.choice in _DIGESTS:
        user = await task_service.set_digest(person, _DIGESTS[callback_data.choice])
    else:
        user = await task_service.set_quiet(person, *_QUIETS[callback_data.choice])
    changes.saved()
    await show(query, render_settings(user), settings_keyboard(person.telegram_id))


async def digest_command(
    message: Message, command: CommandObject, person: Person, task_service: TaskService
) -> None:
    wanted = (command.args or "").strip().lower()
    if wanted in _OFF:
        user = await task_service.set_digest(person, None)
    else:
        minute = parse_time_of_day(wanted)
        if minute is None:
            await respond(
                message,
                _(
                    "When should the daily digest come? <code>/digest 09:00</code>, or "
                    "<code>/digest off</code>. Nothing was changed."
                ),
            )
            return
        user = await task_service.set_digest(person, minute)
    await respond_privately(message, render_settings(user))


async def quiet_command(
    message: Message, command: CommandObject, person: Person, task_service: TaskService
) -> None:
    wanted = (command.args or "").strip().lower().replace("—", "-").replace("–", "-")
    if wanted in _OFF:
        user = await task_service.set_quiet(person, None, None)
    else:
        start_text, _dash, end_text = wanted.partition("-")
        start, end = parse_time_of_day(start_text), parse_time_of_day(end_text)
        if start is None or end is None or start == end:
            await respond(
                message,
                _(
                    "Which hours should be quiet? <code>/quiet 23:00-08:00</code>, or "
                    "<code>/quiet off</code>. Nothing was changed."
                ),
            )
            return
        user = await task_service.set_quiet(person, start, end)
    await respond_privately(message, render_settings(user))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(settings_command, Command("settings"))
    router.callback_query.register(settings_choice, SettingsCallback.filter())
    router.message.register(digest_command, Command("digest"))
    router.message.register(quiet_command, Command("quiet"))
    return router
