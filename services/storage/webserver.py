"""Serve an ASGI app with uvicorn inside the service's event loop, beside the consumers.

The socket is bound by :func:`bind` before the service starts consuming, so a taken port fails
start-up with a clear OSError (uvicorn itself would ``sys.exit`` from inside a task). Signals stay
with ``run_service``, which drains the consumers before anything stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port, see ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno, f"storage API cannot listen on {host}:{port}: {exc.strerror}"
        ) from exc
    return sock


async def serve(app: Any, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until cancelled; then let uvicorn finish open requests (3 s at
    most: live streams like /stream/stances never finish on their own)."""
    server = _Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=3)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]), name="storage-api")
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await task
        raise
    finally:
        sock.close()
