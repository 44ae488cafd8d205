"""Filters shared by several routers."""

from aiogram import F

# Text that is not a command: what a dialogue waiting for text, or a quick add, accepts.
NOT_A_COMMAND = F.text & ~F.text.startswith("/")
