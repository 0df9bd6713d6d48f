"""Logging set-up for every command: one line per event, ``time level [service] logger: message``,
or one JSON object per line (``STANCESTREAM_LOG_FORMAT=json``). No colour codes: the lines land
in log files and collectors. FastStream's and uvicorn's loggers go through the same handler;
their chatter (per-message and task-callback lines, access logs) shows only at DEBUG."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# loggers whose INFO lines are noise for an operator: shown at DEBUG only
CHATTY = (
    "faststream",
    "stancestream.broker",
    "httpx",
    "uvicorn.access",
    "alembic.runtime.plugins",  # one line per plugin at every start
)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "service", "logger", "message"[, "exc"]}``, one object per line."""

    def __init__(self, service: str | None = None):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(level: str = "INFO", service: str | None = None, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s "
                + (f"[{service}] " if service else "")
                + "%(name)s: %(message)s"
            )
        )
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    root = logging.getLogger().level
    for name in CHATTY:
        logger = logging.getLogger(name)
        logger.setLevel(root if root <= logging.DEBUG else max(logging.WARNING, root))
    # FastStream's package logger writes to a coloured handler of its own: ours instead
    fs = logging.getLogger("faststream")
    for h in list(fs.handlers):
        fs.removeHandler(h)
    fs.propagate = True
