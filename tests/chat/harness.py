"""Feeds `Update` objects to the real dispatcher, as Telegram would, and reads what came back.

chat = ChatHarness(create_dispatcher(service), bot, session)
await chat.send(ALICE, "/add Buy milk")
await chat.press(ALICE, "Done")
assert "Done" in chat.last(ALICE).text
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Document, Message, MessageEntity, Update, User

from tests.chat.recording import BOT_USER, RecordingSession, Request, SentMessage


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"

    def as_user(self) -> User:
        return User(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            username=self.username,
            language_code=self.language_code,
        )


class ChatHarness:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, session: RecordingSession) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self._update_ids = count(1)
        self._message_ids = count(1)
        self._callback_ids = count(1)
        self._file_ids = count(1)

    async def send(
        self,
        user: TgUser,
        text: str | None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to: Message | None = None,
        update_id: int | None = None,
        message_id: int | None = None,
    ) -> list[Request]:
        """The person sends a message (None: a sticker, say); returns the bot's calls."""
        entities = None
        if text and text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        message = self.user_message(user, text, chat_id=chat_id, chat_type=chat_type)
        message = message.model_copy(
            update={
                "message_id": message_id or message.message_id,
                "entities": entities,
                "reply_to_message": reply_to,
            }
        )
        return await self.feed(
            Update(update_id=update_id or next(self._update_ids), message=message)
        )

    async def send_document(
        self,
        user: TgUser,
        content: bytes,
        file_name: str | None = "tasks.json",
        *,
        file_size: int | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> list[Request]:
        """The person sends a file; Telegram keeps it for getFile and the download.
        `file_size` overrides the size the Document declares (Telegram's is the real one)."""
        number = next(self._file_ids)
        file_id = f"BQACAgIAAx{number:04d}"
        self.session.add_file(file_id, f"documents/file_{number}", content)
        document = Document(
            file_id=file_id,
            file_unique_id=f"AgAD{number:04d}",
            file_name=file_name,
            file_size=len(content) if file_size is None else file_size,
        )
        message = self.user_message(user, None, chat_id=chat_id, chat_type=chat_type)
        message = message.model_copy(update={"document": document, "caption": caption})
        return await self.feed(Update(update_id=next(self._update_ids), message=message))

    def user_message(
        self,
        user: TgUser,
        text: str | None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> Message:
        return Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=chat_id or user.id, type=chat_type),
            from_user=user.as_user(),
            text=text,
        )

    async def press(
        self, user: TgUser, button: str, message: SentMessage | None = None, *, exact: bool = False
    ) -> list[Request]:
        """The person presses the button whose text contains (or is) `button`."""
        message = message or self.last_with_buttons(user)
        for row in message.buttons:
            for candidate in row:
                text = candidate["text"]
                if text == button or (not exact and button in text):
                    return await self.press_data(user, candidate["callback_data"], message)
        raise AssertionError(f"no button {button!r} in {message.button_texts()}")

    async def press_data(
        self,
        user: TgUser,
        data: str,
        message: SentMessage,
        *,
        chat_type: str = "private",
        reply_to: Message | None = None,
    ) -> list[Request]:
        """A button press with any callback data, forged ones included."""
        query_id = f"cb{next(self._callback_ids)}"
        query = CallbackQuery(
            id=query_id,
            from_user=user.as_user(),
            chat_instance="instance",
            data=data,
            message=Message(
                message_id=message.message_id,
                date=datetime.now(UTC),
                chat=Chat(id=message.chat_id, type=chat_type),
                from_user=User(**BOT_USER),
                text=message.text,
                reply_to_message=reply_to,
            ),
        )
        requests = await self.feed(Update(update_id=next(self._update_ids), callback_query=query))
        assert query_id in self.session.answered_callbacks, f"callback {data!r} was not answered"
        return requests

    async def feed(self, update: Update) -> list[Request]:
        start = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, update)
        return self.session.requests[start:]

    # -- reading ------------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        return sorted(
            (m for (chat, _), m in self.session.messages.items() if chat == chat_id),
            key=lambda m: m.message_id,
        )

    def last(self, user: TgUser) -> SentMessage:
        messages = self.messages(user.id)
        assert messages, "the bot has sent nothing to this chat"
        return messages[-1]

    def last_with_buttons(self, user: TgUser) -> SentMessage:
        for message in reversed(self.messages(user.id)):
            if message.buttons:
                return message
        raise AssertionError("no message with buttons in this chat")

    def callback_answer(self, requests: list[Request]) -> dict[str, Any]:
        [answer] = [r.params for r in requests if r.method == "answerCallbackQuery"]
        return answer


def texts(requests: list[Request]) -> list[str]:
    """What the bot sent or edited to, in order."""
    return [r.params["text"] for r in requests if r.method in {"sendMessage", "editMessageText"}]
