"""Fixtures for tests that run a real stack (registered with ``pytest_plugins``):
`stancestream up` as a process on a fresh data dir (embedded Redis, SQLite), and a local HTTP
server with the news pages and an RSS feed of them. Used by test_e2e_up.py and
test_web_view.py; their helpers are in ``tests.stack_helpers``."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest

from tests.stack_helpers import ROOT, free_port, own_stack_env, stop_up, up_command, wait_until


@pytest.fixture
def news_site(shared_data: Path) -> Iterator[tuple[str, list[str]]]:
    """The news_html pages and an RSS feed of them on a local HTTP server."""
    pages = sorted(p.name for p in (shared_data / "news_html").glob("*.html"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    items = "".join(
        f"<item><title>{escape(p)}</title><link>{base}/{p}</link><guid>{base}/{p}</guid>"
        f"<pubDate>{formatdate(1_700_000_000 + i * 3600, usegmt=True)}</pubDate></item>"
        for i, p in enumerate(pages)
    )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>test news</title><link>{base}/</link><description>pages</description>"
        f"{items}</channel></rss>"
    ).encode()
    root = str(shared_data / "news_html")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path == "/feed.xml":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(feed)))
                self.end_headers()
                self.wfile.write(feed)
            else:
                super().do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"{base}/feed.xml", pages
    server.shutdown()


@pytest.fixture
def stack() -> Iterator[tuple[str, Path, subprocess.Popen]]:
    """`stancestream up` on a fresh data dir, embedded Redis and SQLite (no REDIS_URL)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ss-e2e-", dir="/tmp"))
    port = free_port()
    env = own_stack_env()
    env["STANCESTREAM_WORKER__CLAIM_IDLE_MS"] = "5000"
    log = open(data_dir / "up.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        up_command(data_dir, port),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}"
    try:

        def healthy():
            if proc.poll() is not None:
                raise AssertionError(f"up exited early: {(data_dir / 'up.log').read_text()}")
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 180, "API healthy")
        yield api, data_dir, proc
    finally:
        stop_up(proc, 60)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)
