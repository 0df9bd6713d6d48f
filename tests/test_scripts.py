"""`scripts/up` installs only when the project's dependencies changed: run in a copy of the
project whose venv's python and stancestream record what they were asked to do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stack_helpers import ROOT

RECORDER = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >>"$(dirname "$0")/../calls.log"
if [ "$1 $2" = "-m pip" ] && [ -f "$(dirname "$0")/../pip-fails" ]; then exit 1; fi
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of scripts/ and pyproject.toml with a venv of recorders."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "stancestream"):
        (bin_dir / name).write_text(RECORDER)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def _up(project: Path) -> tuple[int, list[str]]:
    log = project / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    proc = subprocess.run(
        ["bash", str(project / "scripts" / "up"), "--port", "8123"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return proc.returncode, calls


def _pip_calls(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("python -m pip")]


def test_scripts_up_installs_only_when_the_dependencies_changed(project: Path) -> None:
    code, calls = _up(project)
    assert code == 0 and "python -m pip install -q -e ." in calls, calls
    assert calls[-1] == "stancestream up --port 8123"

    code, calls = _up(project)  # nothing changed: straight to `up`
    assert code == 0 and calls == ["stancestream up --port 8123"], calls

    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"psutil>=5.9",', '"psutil>=5.9", "x",'))
    code, calls = _up(project)
    assert code == 0 and _pip_calls(calls), calls


def test_scripts_up_tries_again_after_a_failed_install(project: Path) -> None:
    (project / ".venv" / "pip-fails").touch()
    code, calls = _up(project)
    assert code != 0 and _pip_calls(calls) and "stancestream up --port 8123" not in calls
    (project / ".venv" / "pip-fails").unlink()
    code, calls = _up(project)
    assert code == 0 and _pip_calls(calls), calls  # not taken for installed


BUILD_METADATA = """
import sys, warnings
from setuptools import build_meta
from setuptools.warnings import SetuptoolsDeprecationWarning
warnings.simplefilter("error", SetuptoolsDeprecationWarning)
print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))
"""


def test_the_package_metadata_builds_without_setuptools_deprecation_warnings(
    tmp_path: Path,
) -> None:
    """The install's metadata step, with setuptools' deprecation warnings as errors (the
    project.license table form is one): the licence is an SPDX expression."""
    src = tmp_path / "src"
    for name in ("pyproject.toml", "README.md"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, src / name)
    for pkg in ("shared", "services"):
        (src / pkg).mkdir()
        (src / pkg / "__init__.py").touch()
    (tmp_path / "meta").mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", BUILD_METADATA, str(tmp_path / "meta")],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    dist_info = tmp_path / "meta" / proc.stdout.strip().splitlines()[-1]
    metadata = (dist_info / "METADATA").read_text()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: License ::" not in metadata  # deprecated beside an SPDX expression


CHECKER = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >>"$(dirname "$0")/../calls.log"
if [ -f "$(dirname "$0")/../$(basename "$0")-fails" ]; then exit 1; fi
"""


@pytest.fixture
def checked(project: Path) -> Path:
    """The recorder project with ruff and mypy recorders that fail when asked to."""
    for name in ("ruff", "mypy"):
        (project / ".venv" / "bin" / name).write_text(CHECKER)
        (project / ".venv" / "bin" / name).chmod(0o755)
    return project


def _run(project: Path, script: str) -> tuple[int, list[str]]:
    log = project / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    proc = subprocess.run(
        ["bash", str(project / "scripts" / script)], capture_output=True, text=True, timeout=60
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return proc.returncode, [c for c in calls if not c.startswith("python -m pip")]


def test_scripts_lint_runs_every_check_and_fails_if_one_fails(checked: Path) -> None:
    checks = ["ruff check .", "ruff format --check .", "mypy "]
    assert _run(checked, "lint") == (0, checks)
    (checked / ".venv" / "ruff-fails").touch()
    assert _run(checked, "lint") == (1, checks)  # mypy still runs after ruff failed


def test_scripts_test_stops_before_the_tests_when_lint_fails(checked: Path) -> None:
    (checked / ".venv" / "mypy-fails").touch()
    code, calls = _run(checked, "test")
    assert code != 0
    assert calls == ["ruff check .", "ruff format --check .", "mypy "]  # no pytest
