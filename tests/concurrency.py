"""Test helper: how many calls of a function ran at the same time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class OverlapWatcher:
    """Wraps ``fn``; ``most`` is the largest number of its calls seen running at once. Each call
    waits ``hold`` seconds first, to widen the window in which an overlap would show."""

    def __init__(self, fn: Callable[..., Any], hold: float = 0.01):
        self.fn, self.hold = fn, hold
        self.inside = self.most = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(self.hold)
        try:
            return self.fn(*args, **kwargs)
        finally:
            with self._lock:
                self.inside -= 1
