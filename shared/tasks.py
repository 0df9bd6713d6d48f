"""Stopping background asyncio tasks reliably.

A plain ``task.cancel(); await task`` hangs forever when a library turns the CancelledError into
another exception (a cleanup that fails while cancelled raises its own error instead) and a loop
that catches ``Exception`` then carries on: seen as a storage worker that never stopped. Loops
check ``cancel_requested()`` in their ``except Exception`` handlers, and ``stop_tasks`` cancels
again until the tasks are done, giving up with a warning after a timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger("stancestream.tasks")


def cancel_requested() -> bool:
    """True when the current task has been asked to stop (its cancellation may have been turned
    into another exception on the way up)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop_tasks(tasks: Iterable[asyncio.Task[Any]], timeout: float = 10.0) -> None:
    """Cancel ``tasks`` and wait for them to finish, re-cancelling those that swallowed it."""
    tasks = list(tasks)
    pending = {t for t in tasks if not t.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending:
        for t in pending:
            t.cancel()
        left = deadline - loop.time()
        if left <= 0:
            names = [t.get_name() for t in pending]
            log.warning("tasks did not stop within %.0fs: %s", timeout, names)
            return
        _, pending = await asyncio.wait(pending, timeout=min(1.0, left))
    for t in tasks:
        if t.done() and not t.cancelled() and t.exception() is not None:
            log.warning("task %s ended with %r", t.get_name(), t.exception())
