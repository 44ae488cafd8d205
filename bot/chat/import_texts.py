"""The texts of an import: the preview of what a file would add, and the result.

Everything from the file (its name, the titles) is escaped and clipped here; the preview
lists a few tasks and a few places per reason, so it stays far below Telegram's 4096.
"""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from bot.chat.dates import Calendar
from bot.chat.i18n import N_, _n
from bot.chat.rendering import clip, task_line
from bot.schemas import FileFormat, ImportPreview, ImportResult, ImportSummary, SkipReason

FILE_NAME_LIMIT = 60
PREVIEW_TITLE_LIMIT = 60

_FORMATS = {
    FileFormat.JSON: N_("a JSON file from /export"),
    FileFormat.CSV: N_("a CSV file from /export"),
    FileFormat.ICS: N_("a calendar file (ICS)"),
    FileFormat.TODOIST: N_("a Todoist CSV export"),
}
_REASONS = {
    SkipReason.NO_TITLE: N_("no title"),
    SkipReason.TOO_LONG: N_("text too long to keep"),
    SkipReason.BAD_DATE: N_("a date I can't read"),
    SkipReason.BAD_STATUS: N_("an unknown status"),
    SkipReason.BAD_PRIORITY: N_("a priority other than 1, 2 or 3"),
    SkipReason.BAD_REPEAT: N_("a repeat rule I can't follow"),
    SkipReason.BAD_ENTRY: N_("not a task I can read"),
}


def _heading(summary: ImportSummary, file_name: str | None) -> str:
    name = escape(clip(file_name or "", FILE_NAME_LIMIT)) or "…"
    return f"📥 <b>{name}</b>: {_(_FORMATS[summary.file_format])}"


def _numbers(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first}–#{last}"


def _summary_lines(summary: ImportSummary) -> list[str]:
    """What is not added, and why: duplicates, invalid entries, what is no task."""
    lines = []
    duplicates = []
    if summary.already_there:
        duplicates.append(
            _n(
                "{count} already in your list",
                "{count} already in your list",
                summary.already_there,
            ).format(count=summary.already_there)
        )
    if summary.repeated:
        duplicates.append(
            _n(
                "{count} repeated in the file",
                "{count} repeated in the file",
                summary.repeated,
            ).format(count=summary.repeated)
        )
    if duplicates:
        lines.append(_("♻️ Skipped as duplicates: {which}.").format(which=", ".join(duplicates)))
    invalid = sum(entry.count for entry in summary.skipped)
    if invalid:
        lines.append(
            _n(
                "⚠️ {count} entry skipped (where it is in the file):",
                "⚠️ {count} entries skipped (where they are in the file):",
                invalid,
            ).format(count=invalid)
        )
        for entry in summary.skipped:
            places = ", ".join(str(position) for position in entry.positions)
            if entry.count > len(entry.positions):
                places += ", …"
            lines.append(f"• {_(_REASONS[entry.reason])}: {places}")
    if summary.not_tasks:
        lines.append(
            _n(
                "ℹ️ {count} event, section or note left out: not a task.",
                "ℹ️ {count} events, sections or notes left out: not tasks.",
                summary.not_tasks,
            ).format(count=summary.not_tasks)
        )
    if summary.undated:
        lines.append(
            _n(
                "ℹ️ {count} date in words I couldn't read: that task comes without a due date.",
                "ℹ️ {count} dates in words I couldn't read: those tasks come without a due date.",
                summary.undated,
            ).format(count=summary.undated)
        )
    return lines


def render_import_preview(preview: ImportPreview, file_name: str | None, cal: Calendar) -> str:
    """What the file would add (the first few tasks, as they will read) and what not."""
    summary = preview.summary
    parts = [_heading(summary, file_name)]
    if preview.adding:
        first = preview.first[0].number
        parts.append(
            _n(
                "I will add {count} task, numbered #{first}:",
                "I will add {count} tasks, numbered from #{first}:",
                preview.adding,
            ).format(count=preview.adding, first=first)
        )
        parts.extend(task_line(task, cal, PREVIEW_TITLE_LIMIT) for task in preview.first)
        rest = preview.adding - len(preview.first)
        if rest:
            parts.append(_n("…and {count} more", "…and {count} more", rest).format(count=rest))
    else:
        parts.append(_("Nothing in it to add."))
    details = _summary_lines(summary)
    text = "\n".join(parts)
    if details:
        text += "\n\n" + "\n".join(details)
    if preview.adding:
        text += "\n\n" + _("Import them? Nothing is added until you tap Import.")
    return text


def render_import_result(result: ImportResult) -> str:
    if result.numbers is None:
        text = _("Nothing added: every task in the file is in your list already.")
    elif result.summary is None:  # imported before: a second tap, or an old preview
        text = _n(
            "✅ This file is imported already: {count} task, {numbers}.",
            "✅ This file is imported already: {count} tasks, {numbers}.",
            result.added,
        ).format(count=result.added, numbers=_numbers(*result.numbers))
    else:
        text = _n(
            "✅ Added {count} task: {numbers}.",
            "✅ Added {count} tasks: {numbers}.",
            result.added,
        ).format(count=result.added, numbers=_numbers(*result.numbers))
    details = _summary_lines(result.summary) if result.summary is not None else []
    return "\n".join([text, *details])


def render_import_help(max_megabytes: str, max_tasks: int) -> str:
    return _(
        "📥 Send me a file and I'll add its tasks: the JSON, CSV or ICS file from /export "
        "(yours, or a friend's), a CSV exported from Todoist, or a calendar file (ICS) with "
        "to-dos. Up to {size} and {count} tasks. I'll show what it adds and ask first; tasks "
        "you have already (same title and due date) are skipped."
    ).format(size=max_megabytes, count=max_tasks)


def file_size_text(size: int) -> str:
    """ "10 MB", "1.5 MB", "512 KB" in the person's language."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        shown = f"{megabytes:.1f}".removesuffix(".0")
        return _("{size} MB").format(size=shown)
    return _("{size} KB").format(size=max(1, round(size / 1024)))
