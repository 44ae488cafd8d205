"""Drive a bot through :class:`~tests.e2e.fake_telegram.FakeTelegram` as a Telegram user.

Each call pushes an update and waits until the bot has reacted, so a test reads like a chat
(``server`` is the running FakeTelegram the bot process polls)::

    alice = TelegramUser(server, User(id=1001, first_name="Alice"))
    replies = await alice.send("/add Buy milk")
    assert "Buy milk" in replies[-1].text
    await alice.press("Done", exact=False)  # also checks the bot answered the callback
    assert "✅" in alice.last_message().text

"Reacted" means: the bot sent or edited something in the chat (``send``) or answered the
callback query (``press``), and then made no request about the chat for ``quiet`` seconds.
A bot that answers a callback and only edits the message more than ``quiet`` seconds later
needs a larger ``quiet``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from tests.e2e.fake_telegram import CallbackQuery, FakeTelegram, JsonDict, Message, User

__all__ = ["CallbackQuery", "Message", "TelegramUser", "User"]

_Mark = dict[int, Message]  # the chat's messages (current versions) at some moment


class TelegramUser:
    """A user chatting with the bot in one chat (their private chat unless ``chat_id`` is set)."""

    def __init__(
        self,
        server: FakeTelegram,
        user: User,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,
        quiet: float = 0.2,
    ) -> None:
        self.server = server
        self.user = user
        self.chat_id = user.id if chat_id is None else chat_id
        self.timeout = timeout
        self.quiet = quiet
        self.last_callback: CallbackQuery | None = None

    async def send(self, text: str) -> list[Message]:
        """Send a message; returns the bot messages sent or edited in reaction, oldest first."""
        mark = self._mark()
        self.server.push_message(self.user, self.chat_id, text)
        await self._settle(lambda: bool(self._changes(mark)), f"reply to {text!r}")
        return self._changes(mark)

    async def send_document(
        self, content: bytes, file_name: str | None = None, *, mime_type: str | None = None
    ) -> list[Message]:
        """Send a file; returns the bot messages sent or edited in reaction, oldest first."""
        mark = self._mark()
        self.server.push_document(
            self.user, self.chat_id, content, file_name=file_name, mime_type=mime_type
        )
        await self._settle(lambda: bool(self._changes(mark)), f"reply to the file {file_name!r}")
        return self._changes(mark)

    async def press(
        self,
        button: str,
        message: Message | int | None = None,
        *,
        exact: bool = True,
    ) -> list[Message]:
        """Press a button by its visible text (or a part of it with ``exact=False``).

        The button is looked up in ``message`` (a Message or message id), by default in the
        latest bot message with an inline keyboard, else in the chat's reply keyboard (pressing
        one of those sends its text). Waits for the callback answer, which lands in
        :attr:`last_callback`; returns the bot messages sent or edited meanwhile.
        """
        target = self._keyboard_message(message)
        inline = [b for row in target.inline_keyboard for b in row] if target else []
        found = [b for b in inline if _matches(b["text"], button, exact)]
        if not found and message is None:
            keys = [t for row in self.reply_keyboard() for t in row if _matches(t, button, exact)]
            if len(keys) == 1:
                return await self.send(keys[0])
        if target is None or len(found) != 1:
            problem = "more than one button" if found else "no button"
            raise AssertionError(f"{problem} matching {button!r}\n{self.transcript()}")
        data = found[0].get("callback_data")
        if data is None:
            raise AssertionError(f"button {found[0]} is not a callback button")
        mark = self._mark()
        query_id = self.server.push_callback(self.user, target, data)
        callback = self.last_callback = self.server.callbacks[query_id]
        await self._settle(lambda: callback.answered, f"answer to button {found[0]['text']!r}")
        return self._changes(mark)

    def messages(self) -> list[Message]:
        """Every message of the chat as it is now (edits applied, deletions left out)."""
        return self.server.messages(self.chat_id)

    def last_message(self) -> Message:
        """The newest message the bot sent in the chat, as it is now."""
        sent = [m for m in self.messages() if m.from_bot]
        if not sent:
            raise AssertionError(f"the bot has sent nothing\n{self.transcript()}")
        return sent[-1]

    def message(self, message_id: int) -> Message:
        """A message as it is now, after any edits (check ``.deleted``)."""
        return self.server.message(self.chat_id, message_id)

    def buttons(self, message: Message | int | None = None) -> list[list[str]]:
        """Inline button texts by row, of ``message`` or the latest bot message with a keyboard."""
        target = self._keyboard_message(message)
        return [] if target is None else target.buttons

    def reply_keyboard(self) -> list[list[str]]:
        """Button texts by row of the reply keyboard the user currently sees."""
        markup = self.server.reply_keyboard(self.chat_id)
        rows: list[list[str | JsonDict]] = [] if markup is None else markup["keyboard"]
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in rows]

    def transcript(self) -> str:
        """The chat as text, with the calls about it that failed; for assertion messages."""
        lines = [f"chat {self.chat_id}:"]
        for m in self.server.messages(self.chat_id, include_deleted=True):
            who = "bot" if m.from_bot else m.sender.first_name
            edited = f" (edited {len(m.edits)}x)" if m.edits else ""
            deleted = " (deleted)" if m.deleted else ""
            lines.append(f"  #{m.message_id} {who}: {m.text!r}{edited}{deleted}")
            lines.extend(f"      {row}" for row in m.buttons)
        failed = [
            r
            for r in self.server.requests
            if r.chat_id == self.chat_id and r.status is not None and r.status != 200
        ]
        lines.extend(f"  failed {r.method} -> {r.status}: {r.response}" for r in failed)
        lines.extend(f"  dropped by allowed_updates: {u}" for u in self.server.dropped_updates)
        return "\n".join(lines)

    def _keyboard_message(self, message: Message | int | None) -> Message | None:
        if isinstance(message, Message):
            return self.message(message.message_id)
        if isinstance(message, int):
            return self.message(message)
        with_keyboard = [m for m in self.messages() if m.from_bot and m.buttons]
        return with_keyboard[-1] if with_keyboard else None

    def _mark(self) -> _Mark:
        return {m.message_id: m for m in self.server.messages(self.chat_id, include_deleted=True)}

    def _changes(self, mark: _Mark) -> list[Message]:
        # Messages are replaced on every edit, so identity tells what changed since the mark.
        return [m for m in self.messages() if m.from_bot and mark.get(m.message_id) is not m]

    async def _settle(self, done: Callable[[], bool], what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            async with asyncio.timeout_at(deadline):
                await self.server.wait_until(done)
        except TimeoutError:
            raise AssertionError(f"no {what} within {self.timeout}s\n{self.transcript()}") from None
        # Then let the bot go quiet about this chat, so that follow-up sends and edits land too.
        while loop.time() < deadline:
            seen = self._activity()
            try:
                async with asyncio.timeout(self.quiet):
                    await self.server.wait_until(partial(self._active_since, seen))
            except TimeoutError:
                return

    def _activity(self) -> int:
        return sum(1 for r in self.server.requests if r.chat_id == self.chat_id)

    def _active_since(self, seen: int) -> bool:
        return self._activity() != seen


def _matches(text: str, wanted: str, exact: bool) -> bool:
    return text == wanted if exact else wanted in text
