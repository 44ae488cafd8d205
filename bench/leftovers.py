"""What a run has created and not yet removed: PostgreSQL databases and child processes.

Each section removes its own in a `finally`. These records are the last resort for when an
interrupt lands inside such a `finally` (or Python 3.11's `asyncio.wait_for`, used by
SQLAlchemy's pool, swallows a cancellation): `python -m bench` sweeps them before exiting.
"""

from __future__ import annotations

import contextlib
import os
import signal

# Database name -> the admin URL it was created through.
databases: dict[str, str] = {}
# Process ids of children that may still be running.
children: set[int] = set()


def kill_children() -> None:
    """SIGKILL every recorded child still there (by its id: nothing else is touched)."""
    for pid in sorted(children):
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    children.clear()
