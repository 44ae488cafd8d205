"""Every text the bot can send exists in both catalogs, with the same placeholders."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.chat.commands import COMMANDS, set_bot_commands
from bot.chat.i18n import LOCALES, LOCALES_DIR, create_i18n
from tests.chat.harness import ChatHarness

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
KEYWORDS = {"_": None, "N_": None, "_n": (1, 2)}


def _source_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        BOT_DIR, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _strings(message: Message) -> list[str]:
    """A catalog entry's translation(s) as a list (plural entries have several)."""
    value = message.string
    if isinstance(value, str):
        return [value]
    return [text for text in value if isinstance(text, str)] if value else [""]


def _catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=locale)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_translates_every_message(locale: str) -> None:
    catalog = _catalog(locale)
    source = _source_messages()
    assert len(source) > 50
    missing, empty, mismatched = [], [], []
    for message_id in source:
        key = message_id if isinstance(message_id, str) else message_id[0]
        entry = catalog.get(key)
        if entry is None:
            missing.append(key)
            continue
        strings = _strings(entry)
        if not all(strings) or entry.fuzzy:
            empty.append(key)
        if any(_placeholders(text) != _placeholders(key) for text in strings if text):
            mismatched.append(key)
    assert not missing, f"{locale}: no entry for {missing}"
    assert not empty, f"{locale}: untranslated or fuzzy {empty}"
    assert not mismatched, f"{locale}: placeholders differ in {mismatched}"
    stale = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id} - {
        m if isinstance(m, str) else m[0] for m in source
    }
    assert not stale, f"{locale}: entries no code uses (run `make messages`): {stale}"


def test_russian_has_three_plural_forms() -> None:
    catalog = _catalog("ru")
    assert catalog.num_plurals == 3
    i18n = create_i18n()
    forms = [
        i18n.gettext("Marked {count} task done.", "Marked {count} tasks done.", n, "ru")
        for n in (1, 3, 5, 21)
    ]
    assert forms == [
        "Отмечена готовой {count} задача.",
        "Отмечены готовыми {count} задачи.",
        "Отмечено готовыми {count} задач.",
        "Отмечена готовой {count} задача.",
    ]


def test_translations_keep_html_balanced() -> None:
    tag = re.compile(r"</?([a-z]+)")
    for locale in LOCALES:
        for message in _catalog(locale):
            if not message.id:
                continue
            source = message.id if isinstance(message.id, str) else message.id[0]
            for text in _strings(message):
                assert sorted(tag.findall(text)) == sorted(tag.findall(source)), text


async def test_command_menu_in_both_languages(chat: ChatHarness) -> None:
    i18n: I18n = create_i18n()
    await set_bot_commands(chat.bot, i18n)
    calls = [r.params for r in chat.session.requests if r.method == "setMyCommands"]
    by_language = {
        call.get("language_code"): {
            c["command"]: c["description"] for c in json.loads(call["commands"])
        }
        for call in calls
    }
    assert set(by_language) == {None, "en", "ru"}
    assert list(by_language["ru"]) == [command for command, _ in COMMANDS]
    assert by_language["ru"]["add"] == "Добавить задачу"
    assert by_language[None]["add"] == by_language["en"]["add"] == "Add a task"


async def test_the_empty_chat_explains_the_bot_in_both_languages(chat: ChatHarness) -> None:
    await set_bot_commands(chat.bot, create_i18n())
    for method, field in (
        ("setMyDescription", "description"),
        ("setMyShortDescription", "short_description"),
    ):
        texts = {
            r.params.get("language_code"): r.params[field]
            for r in chat.session.requests
            if r.method == method
        }
        assert set(texts) == {None, "en", "ru"}
        assert texts[None] == texts["en"]
        assert texts["en"] != texts["ru"]
        assert "to-do" in texts["en"]
        assert len(texts["ru"]) <= (512 if field == "description" else 120)
    assert "список дел" in texts["ru"].lower()
