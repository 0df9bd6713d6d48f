"""``stancestream --help`` reads as prose: a command's docstring wraps to the terminal, not at
the line breaks of its source, and placeholders in option help are printed, not eaten."""

from __future__ import annotations

from typer.testing import CliRunner

from stancestream.services.cli.main import app


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_command_summaries_wrap_as_paragraphs() -> None:
    out = _help()
    # the source breaks this docstring after "(acked"
    assert "(acked after printing, so a restart goes on where it stopped" in out


def test_placeholders_in_option_help_are_shown() -> None:
    assert "fetch BASE_URL/FILE instead of the public locations" in _help("kb", "download")
