"""Reminders: a worker beside polling that sends each due firing once (see worker.py)."""

from bot.chat.send_limits import SendLimiter
from bot.reminders.worker import ReminderWorker

__all__ = ["ReminderWorker", "SendLimiter"]
