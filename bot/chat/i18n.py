"""Gettext catalogs (bot/locales/*/LC_MESSAGES/messages.po), compiled in memory at start.

Compiling the `.po` files when the bot starts means nobody has to remember a build step and
the package ships only the readable catalogs. Edit them with the usual tools:
`make messages` (pybabel extract and update), then fill in the new `msgstr` lines.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _gettext
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
LOCALES = ("en", "ru")


def compile_catalogs(target: Path) -> None:
    """Write `<locale>/LC_MESSAGES/messages.mo` under `target` for every `.po` we ship."""
    for po_path in sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale, domain=DOMAIN)
        mo_path = target / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def create_i18n() -> I18n:
    # aiogram's I18n loads compiled catalogs from a directory (and a subclass would get a
    # context variable of its own, invisible to aiogram's gettext), so compile into a
    # private temporary directory and hand that over.
    compiled = Path(tempfile.mkdtemp(prefix="todo-bot-locales-"))
    try:
        compile_catalogs(compiled)
        return I18n(path=compiled, default_locale=DEFAULT_LOCALE, domain=DOMAIN)
    finally:
        shutil.rmtree(compiled, ignore_errors=True)  # loaded into memory by now


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later, e.g. with a locale."""
    return message


def _n(singular: str, plural: str, n: int) -> str:
    """Plural-aware gettext in the current person's language (Russian has three forms)."""
    return _gettext(singular, plural, n=n)
