"""The README's tables say what the code has: the API table lists exactly the operations of
``/openapi.json`` (method, path, query parameters), and the command table exactly the commands of
``stancestream`` (every leaf of ``--help`` and its groups), with only options they take."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from stancestream.services.cli.main import app as cli
from stancestream.services.storage.api import create_app
from stancestream.shared.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `([^`]+)` \|", re.MULTILINE)


def _rows(prefix: str) -> list[str]:
    return [m.replace("\\|", "|") for m in ROW.findall(README.read_text()) if m.startswith(prefix)]


def _api_rows() -> dict[tuple[str, str], set[str]]:
    """(method, path with parameters as {}) -> the query parameters a row names."""
    out: dict[tuple[str, str], set[str]] = {}
    for row in _rows("GET ") + _rows("POST ") + _rows("PUT ") + _rows("DELETE "):
        method, _, target = row.partition(" ")
        path, _, query = target.partition("?")
        key = (method.lower(), re.sub(r"\{[^}]*\}", "{}", path))
        assert key not in out, f"README lists {row!r} twice"
        out[key] = {p.split("=")[0] for p in query.split("&") if p}
    return out


def _openapi_operations() -> dict[tuple[str, str], set[str]]:
    doc = create_app(Settings(), None).openapi()  # type: ignore[arg-type] - no database needed
    out: dict[tuple[str, str], set[str]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            params = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            out[(method, re.sub(r"\{[^}]*\}", "{}", path))] = params
    return out


def test_the_api_table_lists_exactly_the_openapi_operations_and_their_parameters() -> None:
    readme, api = _api_rows(), _openapi_operations()
    assert sorted(set(api) - set(readme)) == [], "operations the README's API table lacks"
    assert sorted(set(readme) - set(api)) == [], "README rows with no such operation"
    for key, params in api.items():
        assert readme[key] == params, f"{key}: README {sorted(readme[key])}, API {sorted(params)}"


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> dict[str, set[str]]:
    """Every leaf command of the CLI (``stance score``) -> the options it takes."""
    subs = getattr(cmd, "commands", None)
    if subs is None:
        return {" ".join(path): {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}}
    out: dict[str, set[str]] = {}
    for name, sub in subs.items():
        if not sub.hidden:
            out.update(_commands(sub, (*path, name)))
    return out


def _command_rows() -> dict[str, set[str]]:
    """Leaf command -> the options its README row shows (``kb download|build`` is two rows)."""
    out: dict[str, set[str]] = {}
    for row in _rows("stancestream "):
        words = row.split()[1:]
        names: list[list[str]] = []
        for w in words:
            if not re.fullmatch(r"[a-z][a-z|-]*", w):
                break
            names.append(w.split("|"))
        options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", row))
        leaves = [" ".join(p) for p in _product(names)]
        for leaf in leaves:
            assert leaf not in out, f"README lists {leaf!r} twice"
            out[leaf] = options
    return out


def _product(choices: list[list[str]]) -> list[list[str]]:
    combos: list[list[str]] = [[]]
    for options in choices:
        combos = [c + [o] for c in combos for o in options]
    return combos


def test_the_command_table_lists_exactly_the_cli_commands_with_options_they_take() -> None:
    readme, commands = _command_rows(), _commands(typer.main.get_command(cli))
    assert sorted(set(commands) - set(readme)) == [], "commands the README's table lacks"
    assert sorted(set(readme) - set(commands)) == [], "README rows with no such command"
    for name, shown in readme.items():
        unknown = shown - commands[name]
        assert not unknown, f"README shows {sorted(unknown)} for `stancestream {name}`"
