"""What every command shares: the ``--data-dir`` / ``--redis-url`` / ``--database-url`` options
(defined once here), settings built from env/.env plus those flags, and the one way a command
stops on an error: ``error: ...`` on stderr and a nonzero exit code, no traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from stancestream.shared.settings import Settings, load_settings

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="where the embedded Redis, SQLite, logs and KB index live "
        "(default ~/.stancestream; env STANCESTREAM_DATA_DIR)",
    ),
]
RedisUrl = Annotated[str | None, typer.Option("--redis-url", help="Redis URL (env REDIS_URL)")]
DbUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (env DATABASE_URL)")
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr; returns the exit to raise (``raise fail(...)``)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def redis_errors_exit(
    then: str | None = None, also: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Exit 2 with one line when Redis is not there: no REDIS_URL and no stack for the data dir
    (or one of the ``also`` errors, reported the same way); with ``then``, also when Redis goes
    away mid-command, the line saying what happened and ``then`` what to do."""
    from stancestream.shared.redis import REDIS_LOST, RedisUnavailable, lost_message

    missing: tuple[type[Exception], ...] = (RedisUnavailable, *also)
    try:
        yield
    except missing as exc:
        raise fail(str(exc)) from exc
    except REDIS_LOST as exc:
        if then is None:
            raise
        raise fail(lost_message(exc, then)) from exc


def settings_or_exit(**overrides: object) -> Settings:
    """``load_settings(**overrides)``; on a bad value, pydantic's message and exit code 2."""
    try:
        return load_settings(**overrides)
    except Exception as exc:  # pydantic's message names the bad field
        raise fail(f"bad configuration: {exc}") from exc
