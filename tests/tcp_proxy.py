"""A TCP proxy in front of a real server (Redis, PostgreSQL) that can fail on purpose.

``budget``: cut every connection once that many client bytes have passed (a crash at an exact
point of the conversation). ``close()``: cut every connection and refuse new ones (an outage) until
``open()``. It runs on its own threads, so a client that blocks its event loop (a migration run
synchronously) still gets through. The servers behind it are the real ones.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, host: str, port: int, budget: int | None = None):
        self.host, self.port, self.budget = host, port, budget
        self.sent = 0
        self.refusing = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port_here = self._listener.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.close()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(5)

    def close(self) -> None:
        """Cut every open connection and refuse new ones."""
        with self._lock:
            self.refusing = True
            socks, self._socks = self._socks, []
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def open(self) -> None:
        self.refusing = False

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection((self.host, self.port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counted: bool) -> None:
        try:
            while data := src.recv(65536):
                if self.refusing:
                    return
                if counted and self.budget is not None:
                    with self._lock:
                        room = self.budget - self.sent
                        self.sent += min(room, len(data))
                    if len(data) > room:
                        dst.sendall(data[:room])
                        self.close()
                        return
                elif counted:
                    with self._lock:
                        self.sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
