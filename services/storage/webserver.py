"""Serve an ASGI app with uvicorn inside the service's event loop, beside the consumers.

The socket is bound by :func:`bind` before the service starts consuming, so a taken port fails
start-up with a clear OSError (uvicorn itself would ``sys.exit`` from inside a task). Signals stay
with ``run_service``, which drains the consumers before anything stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for a request's headers: a client that
    opens a connection and sends its headers slowly (or never) is cut after ``header_timeout``
    seconds, so thousands of half-sent requests cannot hold the API's connections (uvicorn
    times out only idle keep-alive connections)."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self._arm()  # the next request's headers are on their way: they have a deadline
        super().data_received(data)
        if not self._between_requests():
            self._disarm()  # the headers are complete; the request is being served

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


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


async def serve(
    app: Any,
    sock: socket.socket,
    header_timeout: float = 10.0,
    on_shutdown: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` on ``sock`` until cancelled; then call ``on_shutdown`` (which tells live
    streams like /stream/stances to end: they never finish on their own) and let uvicorn finish
    open requests, 3 s at most, however often the caller cancels meanwhile (a request cut by a
    second cancel would die with a traceback). Request headers must arrive within
    ``header_timeout`` seconds (see ``HeaderTimeoutH11``)."""
    protocol = type("Http", (HeaderTimeoutH11,), {"header_timeout": header_timeout})
    server = _Server(
        uvicorn.Config(
            app,
            log_level="warning",
            log_config=None,  # uvicorn's loggers go through the service's handler, no colours
            lifespan="off",
            timeout_graceful_shutdown=3,
            http=protocol,
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]), name="storage-api")
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        if on_shutdown is not None:
            on_shutdown()
        while not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)
        raise
    finally:
        sock.close()
