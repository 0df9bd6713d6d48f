"""The rooms hold: the four services and ``shared`` never import the CLI package
(``stancestream.services.cli``), and ``shared`` (the runtime and the contract) imports nothing of
the services; the old top-level names ``services`` and ``shared`` are imported nowhere; the stance
service serves without its training code (``stance/training/``), and its modules import each
other without a cycle (lazy imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("ingestion", "linking", "stance", "storage")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _modules(*folders: Path) -> list[Path]:
    return sorted(p for f in folders for p in f.rglob("*.py") if "versions" not in p.parts)


def _offenders(paths: list[Path], prefix: str) -> list[str]:
    return [
        f"{p.relative_to(ROOT)}: {name}"
        for p in paths
        for name in sorted(_imports(p))
        if name == prefix or name.startswith(prefix + ".")
    ]


def test_no_service_and_nothing_in_shared_imports_the_cli_package() -> None:
    paths = _modules(*(ROOT / "services" / s for s in SERVICES), ROOT / "shared")
    assert len(paths) > 40
    assert _offenders(paths, "stancestream.services.cli") == []


def test_shared_imports_nothing_of_the_services() -> None:
    assert _offenders(_modules(ROOT / "shared"), "stancestream.services") == []


def test_nothing_imports_the_old_top_level_names() -> None:
    folders = ("services", "shared", "stancestream", "tests", "bench", "eval", "examples")
    paths = _modules(*(ROOT / f for f in folders))
    assert _offenders(paths, "services") + _offenders(paths, "shared") == []


STANCE = ROOT / "services" / "stance"
STANCE_PACKAGE = "stancestream.services.stance"


def _module_name(path: Path) -> str:
    parts = path.relative_to(STANCE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((STANCE_PACKAGE, *parts))


def test_stance_serving_imports_nothing_of_training() -> None:
    """Everything but ``training/`` and the ``stance`` commands (``cli.py``: train, export)."""
    serving = [p for p in _modules(STANCE) if "training" not in p.parts and p.name != "cli.py"]
    assert {p.name for p in serving} >= {"scorer.py", "queries.py", "onnx.py", "torch.py"}
    assert _offenders(serving, f"{STANCE_PACKAGE}.training") == []


def test_stance_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        _module_name(p): {n for n in _imports(p) if n.startswith(STANCE_PACKAGE + ".")}
        for p in _modules(STANCE)
    }
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(path[path.index(name) :] + [name])
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, [*path, name])

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
