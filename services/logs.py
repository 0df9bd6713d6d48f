"""Logging set-up for every command: one line per event, ``time level logger: message``."""

from __future__ import annotations

import logging
import sys


def setup_logging(level: str = "INFO", service: str | None = None) -> None:
    fmt = (
        "%(asctime)s %(levelname)s "
        + (f"[{service}] " if service else "")
        + "%(name)s: %(message)s"
    )
    logging.basicConfig(level=level.upper(), format=fmt, stream=sys.stderr, force=True)
    for noisy in ("faststream", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
