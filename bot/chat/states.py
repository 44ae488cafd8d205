"""Dialogue states. They live in aiogram's FSM storage (memory now, Redis when replicated)."""

from aiogram.fsm.state import State, StatesGroup


class AddTask(StatesGroup):
    text = State()


class EditDue(StatesGroup):
    # data: number, view, page, card_chat, card_message
    text = State()


class EditReminder(StatesGroup):
    # data: number, view, page, card_chat, card_message
    text = State()


class EditTask(StatesGroup):
    # data: number, filter, page (where the card came from)
    text = State()


class EditTags(StatesGroup):
    # data: number, view, page, card_chat, card_message
    text = State()


class SearchTasks(StatesGroup):
    query = State()
