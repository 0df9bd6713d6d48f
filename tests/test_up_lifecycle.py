"""`up`'s lifecycle as a user meets it: start on a port a stopped stack just used, stop cleanly on
Ctrl-C (workers, then the API, then Redis), start again at once."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from stancestream.services.cli.stack import DEFAULT_WORKERS, SERVICES, Stack
from stancestream.shared.settings import Settings, StorageSettings
from tests.stack_helpers import ROOT, free_port, own_stack_env, up_command, wait_until

pytestmark = pytest.mark.integration


def _stack_on(port: int, data_dir: Path) -> Stack:
    # an explicit Redis URL: the preflight checks only the port
    settings = Settings(
        data_dir=data_dir, redis_url="redis://127.0.0.1:1/0", storage=StorageSettings(port=port)
    )
    return Stack(settings, {})


def _leave_time_wait(port: int) -> None:
    """A server on ``port`` that served a client (an SSE stream, say) and closed first: its side
    of the connection stays in TIME_WAIT for a minute after the listener is gone."""
    with socket.socket() as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen()
        with socket.create_connection(("127.0.0.1", port)) as client:
            conn, _ = srv.accept()
            conn.close()  # the server closes first: TIME_WAIT is on the server's port
            assert client.recv(1) == b""


def test_the_port_check_passes_while_a_stopped_stacks_connections_are_in_time_wait(
    tmp_path: Path,
) -> None:
    port = free_port()
    _leave_time_wait(port)
    with socket.socket() as plain, pytest.raises(OSError):  # TIME_WAIT is really there
        plain.bind(("127.0.0.1", port))
    assert _stack_on(port, tmp_path).preflight() is None


def test_the_port_check_refuses_a_port_something_listens_on(tmp_path: Path) -> None:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        problem = _stack_on(port, tmp_path).preflight()
    assert problem is not None and f"127.0.0.1:{port} is in use" in problem, problem


def _start_up(data_dir: Path, port: int) -> subprocess.Popen:
    # a session of its own: the test's Ctrl-C goes to its whole process group, as a terminal's
    return subprocess.Popen(
        up_command(data_dir, port),
        cwd=ROOT,
        env=own_stack_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_healthy(proc: subprocess.Popen, port: int) -> None:
    def healthy() -> bool:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"up exited with {proc.returncode}: {out}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy, timeout=240, what="the stack's API")


def _live_client(port: int, connected: threading.Event) -> None:
    """A browser on /stream/stances until the server ends the stream."""
    url = f"http://127.0.0.1:{port}/stream/stances"
    with contextlib.suppress(httpx.HTTPError), httpx.stream("GET", url, timeout=30) as r:
        for chunk in r.iter_text():
            if "retry:" in chunk:
                connected.set()


@pytest.mark.e2e
@pytest.mark.slow
def test_ctrl_c_stops_workers_api_then_redis_cleanly_and_up_again_starts_at_once(
    tmp_path: Path,
) -> None:
    port = free_port()
    proc = _start_up(tmp_path, port)
    try:
        _wait_healthy(proc, port)
        logs_dir = tmp_path / "logs"
        workers = sum(DEFAULT_WORKERS.get(s, 1) for s in SERVICES)  # a log file each

        def all_consuming() -> bool:
            logs = [p.read_text(errors="replace") for p in logs_dir.glob("*.log")]
            return len(logs) == workers and all(": consuming" in text for text in logs)

        wait_until(all_consuming, timeout=240, what="every worker to consume")
        connected = threading.Event()
        client = threading.Thread(target=_live_client, args=(port, connected), daemon=True)
        client.start()
        assert connected.wait(30), "the live stream did not start"
        t0 = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, out
    assert took < 20, f"up took {took:.1f}s to stop"
    client.join(10)
    assert not client.is_alive(), "the live stream was not ended by the server"
    logs = {p.name: p.read_text(errors="replace") for p in logs_dir.glob("*.log")}
    assert len(logs) == workers, sorted(logs)
    for name, text in {"up": out, **logs}.items():
        assert "Traceback" not in text and "Exception in ASGI" not in text, (name, text[-3000:])
    assert all(": stopped" in text for text in logs.values()), logs
    redis_log = (tmp_path / "redis.log").read_text()
    # Redis was shut down by `up`, after the workers, not by the Ctrl-C
    assert "Received SIGINT" not in redis_log and "User requested shutdown" in redis_log
    assert not (tmp_path / "redis.url").exists()

    # the server closed the live stream first, so its side is in TIME_WAIT; up starts anyway
    again = _start_up(tmp_path, port)
    try:
        _wait_healthy(again, port)
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGINT)
            try:
                again.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(again.pid, signal.SIGKILL)
                again.wait()
