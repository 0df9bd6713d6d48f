"""What a service writes to its log file (stdout not a TTY): plain lines in one format, no ANSI
colour codes, none of FastStream's per-task chatter at INFO; one JSON object per line with
``STANCESTREAM_LOG_FORMAT=json``. A real storage service (it has subscribers and the API) on an
embedded Redis, started and stopped with SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest

from stancestream.shared.redis import EmbeddedRedis
from tests.stack_helpers import ROOT, free_port, own_stack_env, stancestream, wait_until

pytestmark = pytest.mark.integration

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \[storage\] [\w.]+: ")


def _run_storage(tmp_path: Path, url: str, **env: str) -> str:
    """Start the storage service, wait until it consumes, SIGTERM it; its whole output."""
    log = tmp_path / "storage.log"
    with open(log, "wb") as out:  # a file, as `up` gives its workers
        proc = subprocess.Popen(
            stancestream("service", "storage", "--redis-url", url),
            cwd=ROOT,
            env={
                **own_stack_env(),
                "STANCESTREAM_DATA_DIR": str(tmp_path),
                "STANCESTREAM_STORAGE__PORT": str(free_port()),
                **env,
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: "consuming" in log.read_text(), 120, "storage consuming")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(60) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return log.read_text()


@pytest.fixture
def embedded(tmp_path: Path):
    server = EmbeddedRedis(tmp_path / "redis")
    yield server.start()
    server.stop()


def test_service_logs_are_plain_lines_without_colour_or_faststream_chatter(
    embedded: str, tmp_path: Path
) -> None:
    text = _run_storage(tmp_path, embedded)
    assert "storage: stopped" in text  # it ran its whole course
    assert "\x1b[" not in text, text
    assert "is being executed" not in text, text
    lines = text.splitlines()
    assert all(LINE.match(line) for line in lines), [x for x in lines if not LINE.match(x)]


def test_service_logs_as_json_lines_with_a_setting(embedded: str, tmp_path: Path) -> None:
    text = _run_storage(tmp_path, embedded, STANCESTREAM_LOG_FORMAT="json")
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows and all(r["service"] == "storage" and r["level"] for r in rows)
    assert any(r["message"] == "storage: stopped" for r in rows)
