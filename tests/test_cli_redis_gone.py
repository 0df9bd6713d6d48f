"""`subscribe` and `ingest` when the stack goes away under them: one line saying so, a nonzero
exit, no traceback. A real (embedded) Redis that is shut down mid-command."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from stancestream.shared.redis import EmbeddedRedis
from stancestream.shared.streams import ARTICLES
from tests.stack_helpers import ROOT

pytestmark = pytest.mark.integration


class _Command:
    """A `stancestream` subprocess whose stderr lines can be awaited as they come."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "stancestream", *args],
            cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for_line(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.err.append(line)
            if needle in line:
                return
        raise AssertionError(f"no {needle!r} on stderr within {timeout}s: {self.err}")

    def finish(self, timeout: float) -> tuple[int, str, list[str]]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"still running {timeout}s after Redis went away") from None
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self._reader.join(10)  # until stderr's end
        while not self.lines.empty():
            self.err.append(self.lines.get())
        return self.proc.returncode, out, self.err


def _assert_one_line_error(code: int, err: list[str]) -> None:
    text = "".join(err)
    assert code != 0, text
    assert "Traceback" not in text, text
    errors = [line for line in err if line.startswith("error: ")]
    assert len(errors) == 1, text
    assert "Redis" in errors[0], errors[0]


@pytest.fixture
def doomed_redis(tmp_path: Path):
    """An embedded Redis the test shuts down itself (stop() again at the end is harmless)."""
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    yield server, url
    server.stop()


def test_subscribe_says_in_one_line_that_redis_went_away(doomed_redis) -> None:
    server, url = doomed_redis
    cmd = _Command("subscribe", "--redis-url", url, "--group", "reader")
    cmd.wait_for_line("as group 'reader'", timeout=60)
    server.stop()
    code, _out, err = cmd.finish(timeout=30)
    _assert_one_line_error(code, err)


def test_ingest_says_in_one_line_that_redis_went_away(doomed_redis, tmp_path: Path) -> None:
    server, url = doomed_redis
    # linking lags beyond max_lag: the ingest waits for it, still talking to Redis
    client = redis.Redis.from_url(url)
    for i in range(3):
        client.xadd(ARTICLES, {"i": i})
    client.xgroup_create(ARTICLES, "linking", id="0")
    client.close()
    article = tmp_path / "article.txt"
    article.write_text("Senator Warren condemned Governor Abbott over the border policy.\n" * 3)
    cmd = _Command(
        "ingest",
        "--redis-url",
        url,
        "-q",
        str(article),
        env={"STANCESTREAM_INGESTION__MAX_LAG": "1"},
    )
    cmd.wait_for_line("backpressure", timeout=60)
    server.stop()
    code, _out, err = cmd.finish(timeout=30)
    _assert_one_line_error(code, err)
