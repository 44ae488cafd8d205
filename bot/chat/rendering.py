"""Message texts (HTML parse mode). Everything a person typed is escaped here and nowhere else.

Telegram counts a message's length in UTF-16 code units after parsing the HTML, and refuses
more than 4096; the clipping below counts the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from bot.chat.dates import Calendar, day_name, due_text, zone_hint
from bot.chat.i18n import N_, _n
from bot.schemas import (
    DoneOutcome,
    DoneReport,
    SearchPage,
    TagRead,
    TaskFilter,
    TaskPage,
    TaskRead,
    TaskStatus,
)

MESSAGE_LIMIT = 4096
LIST_TITLE_LIMIT = 80
BUTTON_TITLE_LIMIT = 32
REPORT_TITLE_LIMIT = 48
# /tags shows this many (a message holds 4096 characters; a keyboard 100 buttons).
TAGS_SHOWN = 30
TAG_SHOWN_LENGTH = 40

STATUS_ICONS = {
    TaskStatus.PENDING: "⬜",
    TaskStatus.IN_PROGRESS: "🔄",
    TaskStatus.DONE: "✅",
}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int, *, one_line: bool = True) -> str:
    """At most `limit` UTF-16 units, ending in "…" when cut; never splits a surrogate pair."""
    if one_line:
        text = " ".join(text.split())
    length = utf16_length(text)
    if length <= limit:
        return text
    if length == len(text):  # no astral-plane characters: one unit each, cut by slicing
        return text[: max(limit - 1, 0)].rstrip() + "…"
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit - 1:
            return text[:index].rstrip() + "…"
    return text


# Marked for extraction here, translated on use: one catalog lookup per label, not three.
_STATUS_LABELS = {
    TaskStatus.PENDING: N_("To do"),
    TaskStatus.IN_PROGRESS: N_("In progress"),
    TaskStatus.DONE: N_("Done"),
}
_FILTER_LABELS = {
    # Not "📂 Open": that is the button that opens a card, a verb in Russian ("Открыть");
    # the English catalog says "📂 Open" for both.
    TaskFilter.OPEN: N_("📂 Open (the list filter)"),
    TaskFilter.DONE: N_("☑️ Done"),
    TaskFilter.ALL: N_("🗂 All"),
}


def status_label(status: TaskStatus) -> str:
    return _(_STATUS_LABELS[status])


def filter_label(task_filter: TaskFilter) -> str:
    return _(_FILTER_LABELS[task_filter])


PRIORITY_MARKS = {1: "🔴", 2: "🟡", 3: "🔵"}
_PRIORITY_LABELS = {1: N_("high"), 2: N_("medium"), 3: N_("low")}


def priority_label(priority: int) -> str:
    return f"{PRIORITY_MARKS[priority]} {_(_PRIORITY_LABELS[priority])}"


def tag_names(names: Sequence[str]) -> str:
    """ "#home #work", escaped (a tag is letters, digits, "_" and "-", but still)."""
    return " ".join(f"#{escape(name)}" for name in names)


def _marked_title(task: TaskRead, limit: int) -> str:
    mark = f"{PRIORITY_MARKS[task.priority]} " if task.priority in PRIORITY_MARKS else ""
    tags = f" <i>{tag_names(task.tags)}</i>" if task.tags else ""
    return mark + escape(clip(task.title, limit)) + tags


def task_line(task: TaskRead, cal: Calendar | None = None, limit: int = LIST_TITLE_LIMIT) -> str:
    line = f"{STATUS_ICONS[task.status]} <b>#{task.number}</b> {_marked_title(task, limit)}"
    if cal is not None and task.due_at is not None:
        line += f" · {due_text(task, cal.zone, cal.today)}"
    return line


def format_moment(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ "2 Dec 2026, 09:41" in the person's language and zone ("… UTC" when that is UTC)."""
    zone = zone or ZoneInfo("UTC")
    text = format_datetime(
        moment.astimezone(zone), "d MMM y, HH:mm", locale=get_i18n().current_locale
    )
    return f"{text} UTC" if zone.key == "UTC" else text


def render_list(page: TaskPage, cal: Calendar | None = None) -> str:
    titles = {
        TaskFilter.OPEN: _("📋 <b>Open tasks</b>"),
        TaskFilter.DONE: _("✅ <b>Done tasks</b>"),
        TaskFilter.ALL: _("🗂 <b>All tasks</b>"),
    }
    header = titles[page.filter] + f" ({page.total})"
    if page.tag is not None:
        header = f"🏷 <b>{tag_names([page.tag.name])}</b> · {header}"
    if page.pages > 1:
        header += " · " + _("page {page} of {pages}").format(page=page.page + 1, pages=page.pages)
    if not page.items:
        empty = {
            TaskFilter.OPEN: _("Nothing to do. Send me a message to add a task."),
            TaskFilter.DONE: _("No done tasks yet."),
            TaskFilter.ALL: _("No tasks yet. Send me a message to add one."),
        }
        if page.tag is not None:
            return f"{header}\n\n" + _("No tasks with this tag here.")
        return f"{header}\n\n{empty[page.filter]}"
    lines = "\n".join(task_line(task, cal) for task in page.items)
    return f"{header}\n\n{lines}\n\n" + _("Tap a number to open its task.")


def render_card(task: TaskRead, cal: Calendar | None = None, *, intro: str = "") -> str:
    """The task card; a long description is clipped so the message fits Telegram's limit."""
    head = f"{intro}<b>#{task.number}</b> · <b>{escape(task.title)}</b>"
    zone = cal.zone if cal is not None else None
    facts = [
        _("Status: {icon} {status}").format(
            icon=STATUS_ICONS[task.status], status=status_label(task.status)
        ),
    ]
    if task.priority in PRIORITY_MARKS:
        assert task.priority is not None
        facts.append(_("Priority: {priority}").format(priority=priority_label(task.priority)))
    if task.tags:
        facts.append(_("Tags: {tags}").format(tags=tag_names(task.tags)))
    if cal is not None and task.due_at is not None:
        facts.append(_("Due: {when}").format(when=due_text(task, cal.zone, cal.today)))
    if cal is not None and task.remind_at is not None:
        local = task.remind_at.astimezone(cal.zone)
        when = f"{day_name(local.date())}, {local:%H:%M}"
        facts.append(_("Reminder: ⏰ {when}").format(when=when))
    if task.nag_minutes:
        facts.append(_("Nags every {minutes} min until done").format(minutes=task.nag_minutes))
    facts.append(_("Created: {moment}").format(moment=format_moment(task.created_at, zone)))
    if task.updated_at != task.created_at:
        facts.append(_("Updated: {moment}").format(moment=format_moment(task.updated_at, zone)))
    if task.done_at is not None:
        facts.append(_("Done: {moment}").format(moment=format_moment(task.done_at, zone)))
    tail = "\n\n" + "\n".join(facts)
    if not task.description:
        return head + tail
    # Budget in visible characters: the HTML tags are not counted, the escapes count as one.
    visible = utf16_length(intro) + utf16_length(f"#{task.number} · {task.title}")
    visible += utf16_length(tail) + 2 + 16  # separator and a margin for intro markup
    description = clip(task.description, MESSAGE_LIMIT - visible, one_line=False)
    return f"{head}\n\n{escape(description)}{tail}"


def render_done_report(
    reports: Sequence[DoneReport], invalid: Sequence[str], cal: Calendar | None = None
) -> str:
    lines = []
    for report in reports:
        title = escape(clip(report.title or "", REPORT_TITLE_LIMIT))
        if report.outcome is DoneOutcome.DONE:
            lines.append(_("✅ #{number} {title}: done").format(number=report.number, title=title))
        elif report.outcome is DoneOutcome.RESCHEDULED:
            when = ""
            if cal is not None and report.next_due is not None:
                local = report.next_due.astimezone(cal.zone)
                when = f"{day_name(local.date())}, {local:%H:%M}"
            lines.append(
                _("🔁 #{number} {title}: done; it repeats, next {when}").format(
                    number=report.number, title=title, when=when
                )
            )
        elif report.outcome is DoneOutcome.ALREADY_DONE:
            lines.append(
                _("☑️ #{number} {title}: was already done").format(number=report.number, title=title)
            )
        else:
            lines.append(_("❓ #{number}: not found").format(number=report.number))
    for token in invalid:
        lines.append(_("⚠️ {token}: not a task number").format(token=escape(clip(token, 20))))
    done = sum(report.outcome in (DoneOutcome.DONE, DoneOutcome.RESCHEDULED) for report in reports)
    summary = _n("Marked {count} task done.", "Marked {count} tasks done.", done).format(count=done)
    return "\n".join([*lines, "", summary])


def render_done_picker(page: TaskPage) -> str:
    if not page.items:
        return _("🎉 Nothing left to do.")
    text = _("Tap the tasks you have finished:")
    if page.pages > 1:
        text += " " + _("page {page} of {pages}").format(page=page.page + 1, pages=page.pages)
    return text


ADDED_TITLE_LIMIT = 200
BATCH_LINES = 30


def render_added(task: TaskRead, cal: Calendar | None = None) -> str:
    """The answer to an add: a line, one for the understood due date (so a wrong reading
    shows at once) and one for a description; while the person never chose a zone, a date
    comes with which one was assumed."""
    text = f"➕ <b>#{task.number}</b> {_marked_title(task, ADDED_TITLE_LIMIT)}"
    if cal is not None and task.due_at is not None:
        text += f"\n{due_text(task, cal.zone, cal.today)}"
        if not cal.zone_chosen:
            text += f"\n{zone_hint(cal.zone.key)}"
    if task.description:
        text += f"\n📝 <i>{escape(clip(task.description, 80))}</i>"
    return text


def render_batch(
    tasks: Sequence[TaskRead], cal: Calendar | None = None, *, intro: str | None = None
) -> str:
    """Tasks added together: a line each, at most BATCH_LINES of them."""
    count = len(tasks)
    head = intro or _n("➕ Added {count} task:", "➕ Added {count} tasks:", count).format(
        count=count
    )
    lines = [
        f"<b>#{task.number}</b> {escape(clip(task.title, 60))}"
        + (f" · {due_text(task, cal.zone, cal.today)}" if cal and task.due_at else "")
        for task in tasks
    ]
    if count > BATCH_LINES:
        rest = count - BATCH_LINES + 1
        lines = [
            *lines[: BATCH_LINES - 1],
            _n("…and {count} more", "…and {count} more", rest).format(count=rest),
        ]
    return "\n".join([head, *lines])


def render_paste_question(lines: Sequence[str]) -> str:
    count = len(lines)
    preview = "\n".join(f"• {escape(clip(line, 60))}" for line in lines[:5])
    if count > 5:
        preview += "\n…"
    return (
        _n(
            "This message has {count} line. One task, or one task per line?",
            "This message has {count} lines. One task (the first line the title, the rest its "
            "description), or one task per line?",
            count,
        ).format(count=count)
        + f"\n\n{preview}"
    )


EDIT_PROMPT_TEXT_LIMIT = 3500


def render_edit_prompt(task: TaskRead) -> str:
    """The edit prompt shows the whole current text, ready to copy (a tap copies <code>)."""
    current = task.title if not task.description else f"{task.title}\n{task.description}"
    current = clip(current, EDIT_PROMPT_TEXT_LIMIT, one_line=False)
    return _(
        "Send the new text for #{number}. The first line becomes the title; further lines, "
        "if any, replace the description. /cancel to keep it as it is.\n\n"
        "Now:\n<code>{text}</code>"
    ).format(number=task.number, text=escape(current))


def render_reminder(task: TaskRead, cal: Calendar) -> str:
    """A delivered reminder: the number, the title, when it is due."""
    text = f"⏰ <b>#{task.number}</b> {escape(clip(task.title, ADDED_TITLE_LIMIT))}"
    if task.due_at is not None:
        text += f"\n{due_text(task, cal.zone, cal.today)}"
    return text


def render_tags(tags: Sequence[TagRead]) -> str:
    """/tags: each tag with how many open and done tasks carry it."""
    if not tags:
        return _(
            "🏷 No tags yet. Put one in a task's text, like <code>Buy milk #home</code>, "
            "or tap 🏷 Tags on a task's card."
        )
    lines = [
        _("{tag} — open: {open}, done: {done}").format(
            tag=tag_names([clip(tag.name, TAG_SHOWN_LENGTH)]),
            open=tag.open_count,
            done=tag.done_count,
        )
        for tag in tags[:TAGS_SHOWN]
    ]
    if len(tags) > TAGS_SHOWN:
        lines.append(_("…and {count} more").format(count=len(tags) - TAGS_SHOWN))
    head = _("🏷 <b>Your tags</b> ({count})").format(count=len(tags))
    return f"{head}\n\n" + "\n".join(lines) + "\n\n" + _("Tap a tag to see its tasks.")


def render_tags_prompt(task: TaskRead) -> str:
    now = tag_names(task.tags) if task.tags else _("none")
    return _(
        "🏷 Send the tags for #{number} «{title}», like <code>#home #work</code>. "
        "Send <code>-</code> to remove them all.\nNow: {tags}"
    ).format(number=task.number, title=escape(clip(task.title, 60)), tags=now)


def render_search(found: SearchPage, cal: Calendar | None = None) -> str:
    """/find's results: what was searched for (the words actually used), a line per task as
    in the list, one page at a time."""
    query = escape(found.query)
    if not found.items:
        text = _(
            "🔎 Nothing found for «{query}». I looked in the titles, descriptions and tags "
            "of all your tasks, done ones too."
        ).format(query=query)
    else:
        text = _n(
            "🔎 {count} task found for «{query}»",
            "🔎 {count} tasks found for «{query}»",
            found.total,
        ).format(count=found.total, query=query)
        if found.pages > 1:
            text += " · " + _("page {page} of {pages}").format(
                page=found.page + 1, pages=found.pages
            )
    if found.cut:
        text += "\n" + _("(A long query: I searched for its first words only.)")
    if not found.items:
        return text
    lines = "\n".join(task_line(task, cal) for task in found.items)
    return f"{text}\n\n{lines}\n\n" + _("Tap a number to open its task.")
