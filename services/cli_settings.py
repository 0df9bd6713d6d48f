"""Settings for a command: built once from env/.env plus the command's flags, or a clear exit."""

from __future__ import annotations

import typer

from stancestream.shared.settings import Settings, load_settings


def settings_or_exit(**overrides: object) -> Settings:
    """``load_settings(**overrides)``; on a bad value, pydantic's message and exit code 2."""
    try:
        return load_settings(**overrides)
    except Exception as exc:  # pydantic's message names the bad field
        typer.echo(f"error: bad configuration: {exc}", err=True)
        raise typer.Exit(2) from exc
