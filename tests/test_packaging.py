"""One import name: the project installs as ``stancestream`` only, and its public contract path
imports.

The install check builds the wheel from a copy of exactly what deploy/Dockerfile copies into its
build stage (so the image gets the same), checks that the wheel's only top-level names are
``stancestream`` and its dist-info, installs it with ``--no-deps`` into a fresh venv in a temp
folder and imports from another folder. The dependencies come from this venv's site-packages,
added to the fresh one by a ``.pth`` line: a directory added that way is not a site dir, so this
venv's editable-install hook (which would import the checkout) is not loaded, and the project
code imported is the wheel's. A full dependency install would take minutes; this takes seconds.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import stancestream.contracts as public
from stancestream.shared import contracts, streams

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_contract_name_imports_and_is_the_shared_object() -> None:
    assert public.__all__, "stancestream.contracts lists no names"
    for name in public.__all__:
        module = importlib.import_module("stancestream.contracts")
        obj = getattr(module, name)
        source = contracts if hasattr(contracts, name) else streams
        assert obj is getattr(source, name), name
    models = {
        n
        for n, v in vars(contracts).items()
        if isinstance(v, type) and v.__module__ == contracts.__name__ and not n.startswith("_")
    }
    assert models <= set(public.__all__), models - set(public.__all__)
    assert {"ARTICLES", "CLAIMS", "STANCES", "GROUPS", "dlq"} <= set(public.__all__)


def _dockerfile_sources() -> list[str]:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    build_stage = text.split("\nFROM ")[1]  # the first FROM: the build stage
    names: list[str] = []
    for line in build_stage.splitlines():
        if m := re.match(r"COPY (?!--from)(.+) \S+$", line):
            names += m.group(1).split()
    return names


@pytest.mark.slow
def test_the_wheel_installs_stancestream_only_and_imports_from_another_folder(tmp_path) -> None:
    sources = _dockerfile_sources()
    assert {"pyproject.toml", "stancestream", "services", "shared"} <= set(sources), sources
    src = tmp_path / "src"
    src.mkdir()
    for name in sources:
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(path, src / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("stancestream-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {
        "stancestream",
        wheel.name.split("-py")[0] + ".dist-info",
    }
    for data in (
        "services/stance/model/model.onnx",
        "services/stance/backends/onnx.py",
        "services/stance/training/train.py",
        "services/storage/alembic.ini",
        "services/storage/static/app.js",
        "services/linking/kb/data/index.sqlite",
    ):
        assert f"stancestream/{data}" in names, data

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    fresh_site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(fresh_site) / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [*pip, "--python", str(py), "install", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [py, "-c", code], cwd=elsewhere, capture_output=True, text=True, timeout=120
        )

    ok = run(
        "import stancestream, stancestream.contracts as c, stancestream.services.cli.main; "
        "print(stancestream.__file__); print(c.StanceBatch.__name__)"
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [
        str(Path(fresh_site) / "stancestream" / "__init__.py"),
        "StanceBatch",
    ]
    for name in ("shared", "services"):
        gone = run(f"import {name}")
        assert gone.returncode != 0 and "ModuleNotFoundError" in gone.stderr, (name, gone)
    cli = subprocess.run(
        [env_dir / "bin" / "stancestream", "--help"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0 and "StanceStream" in cli.stdout, cli.stderr
