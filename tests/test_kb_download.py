"""`kb download` against a local HTTP server (the --base-url mirror), checksums verified."""

from __future__ import annotations

import functools
import hashlib
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancestream.services.cli.main import app
from stancestream.services.linking.kb.download import SOURCES, SUMS


@pytest.fixture
def serve() -> Iterator:
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_download_from_a_mirror(shared_data: Path, tmp_path: Path, serve) -> None:
    url = serve(shared_data / "kb")
    res = CliRunner().invoke(
        app, ["kb", "download", "--data-dir", str(tmp_path), "--base-url", url]
    )
    assert res.exit_code == 0, res.output
    dest = tmp_path / "kb-sources"
    sums = (dest / SUMS).read_text().splitlines()
    assert len(sums) == len(SOURCES)
    for line in sums:
        digest, name = line.split()
        assert hashlib.sha256((dest / name).read_bytes()).hexdigest() == digest
    res = CliRunner().invoke(app, ["kb", "build", "--data-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "kb" / "index.sqlite").is_file()


def test_checksum_mismatch_is_a_clear_error(shared_data: Path, tmp_path: Path, serve) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "kb", mirror)
    with open(mirror / SOURCES[1].file, "a", encoding="utf-8") as fh:
        fh.write("\n# tampered\n")
    data = tmp_path / "data"
    res = CliRunner().invoke(
        app, ["kb", "download", "--data-dir", str(data), "--base-url", serve(mirror)]
    )
    assert res.exit_code == 1
    assert "checksum mismatch" in res.output and SOURCES[1].file in res.output
    assert not (data / "kb-sources" / SOURCES[1].file).exists()  # nothing half-trusted kept
    res = CliRunner().invoke(
        app,
        [
            "kb",
            "download",
            "--data-dir",
            str(data),
            "--base-url",
            serve(mirror),
            "--accept-changed",
        ],
    )
    assert res.exit_code == 0, res.output


def test_unreachable_mirror_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app, ["kb", "download", "--data-dir", str(tmp_path), "--base-url", "http://127.0.0.1:9"]
    )
    assert res.exit_code == 1
    assert "download failed (no network?)" in res.output
    assert "--base-url URL" in res.output and "--source-dir DIR" in res.output  # what to do
