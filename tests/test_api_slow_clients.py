"""The API on a real uvicorn server against clients that never finish their request headers."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from stancestream.services.storage.api import create_app
from stancestream.services.storage.db import create_engine, create_sessionmaker, migrate
from stancestream.services.storage.webserver import bind, serve
from stancestream.shared.settings import Settings
from tests.stack_helpers import wait_for

pytestmark = pytest.mark.integration


async def test_half_sent_requests_are_cut_at_the_header_deadline(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await migrate(url)
    engine = create_engine(url)
    app = create_app(Settings(), create_sessionmaker(engine))
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    task = asyncio.create_task(serve(app, sock, header_timeout=1.0))
    slow: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        for _ in range(30):  # each sends half a request, then nothing
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            await w.drain()
            slow.append((r, w))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/health")).status_code == 200  # others are served

            async def all_cut() -> bool:
                return all(r.at_eof() for r, _ in slow)  # EOF: the server closed them

            assert not any(r.at_eof() for r, _ in slow)  # open before the deadline
            await wait_for(all_cut, timeout=10)
            assert (await http.get("/health")).status_code == 200  # and still serves
    finally:
        for _, w in slow:
            w.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.dispose()
