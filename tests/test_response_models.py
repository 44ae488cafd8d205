"""The answer models aiogram parametrises per call survive a full garbage collection.

Each check runs in a fresh interpreter: in this one, other tests' bots may keep the same
models alive, and the check could not fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# How many of the per-update answer models, built as aiogram builds them, outlive a collection.
PROBE = """
import gc, weakref
from aiogram.methods.base import Response
from aiogram.types import Message, Update
from bot.chat.response_models import KeepResponseModels

def surviving():  # inside a function, as aiogram's check_response builds them
    models = [
        weakref.ref(Response[Message]),
        weakref.ref(Response[Message | bool]),
        weakref.ref(Response[bool]),
        weakref.ref(Response[list[Update]]),
    ]
    gc.collect()
    return sum(model() is not None for model in models)

keep = KeepResponseModels() if {keep} else None
print(surviving())
"""


def surviving_models(*, keep: bool) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(keep=keep)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout)


def test_without_it_a_collection_drops_the_models() -> None:
    """What the middleware is for: pydantic's cache holds the models only weakly."""
    assert surviving_models(keep=False) == 0


def test_the_bots_session_keeps_the_models_of_its_answers() -> None:
    assert surviving_models(keep=True) == 4
