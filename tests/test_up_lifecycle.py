"""`up`'s lifecycle as a user meets it: start on a port a stopped stack just used, stop cleanly on
Ctrl-C (workers, then the API, then Redis), start again at once."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from services.stack import Stack
from shared.settings import Settings, StorageSettings
from tests.stack_helpers import free_port

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
