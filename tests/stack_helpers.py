"""Helpers for tests that run a real stack (see ``tests.stack_fixtures``): free ports, polling,
`stancestream ingest` into a running stack."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def own_stack_env() -> dict[str, str]:
    """This environment without ``REDIS_URL`` and ``DATABASE_URL``: a stack of its own, on an
    embedded Redis and the data dir's SQLite."""
    return {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}


def stancestream(*args: str) -> list[str]:
    """The command line of ``stancestream ARGS`` run by this interpreter."""
    return [sys.executable, "-m", "stancestream", *args]


def up_command(data_dir: Path, port: int, *args: str) -> list[str]:
    """``stancestream up`` on ``data_dir`` with the API on ``port``; ``args`` follow."""
    return stancestream("up", "--data-dir", str(data_dir), "--port", str(port), *args)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(fn, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")


async def wait_for(cond, timeout: float = 15.0, every: float = 0.05):
    """Await ``cond()`` until it is truthy and return its value; fail with a clear message at
    the timeout. The async twin of ``wait_until``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await cond()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(every)


def stop_up(proc: subprocess.Popen, timeout: float) -> None:
    """Stop ``stancestream up`` as Ctrl-C does; kill it if that takes over ``timeout`` s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_ingest(data_dir: Path, *args: str, env: dict[str, str], timeout: float = 180) -> str:
    """``stancestream ingest -q ARGS`` into the stack of ``data_dir``; its stdout."""
    proc = subprocess.run(
        stancestream("ingest", "--data-dir", str(data_dir), "-q", *args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def ingest(data_dir: Path, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env["STANCESTREAM_INGESTION__ALLOW_HOSTS"] = '["127.0.0.1"]'  # the tests' local web server
    out = run_ingest(data_dir, "--json", *args, env=env)
    outcomes = [json.loads(line) for line in out.splitlines()]
    return [o["id"] for o in outcomes if o["status"] == "published"]
