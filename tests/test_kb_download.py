"""`kb download` against a local HTTP server (the --base-url mirror), checksums verified."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import shutil
import tarfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancestream.services.cli.main import app
from stancestream.services.linking.kb.download import (
    CURATED,
    SOURCES,
    SUMS,
    ChecksumError,
    Source,
    download,
    wanted,
)
from stancestream.services.linking.kb.store import SHIPPED, KbIndex


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


def _mirror(shared_data: Path, folder: Path) -> Path:
    """A flat mirror as `kb download` writes: the curated four and every kb-extra file."""
    folder.mkdir()
    for p in sorted((shared_data / "kb").iterdir()):
        if p.is_file():
            (folder / p.name).symlink_to(p)
    for p in sorted((shared_data / "kb-extra").rglob("*")):
        if p.name.endswith(".gz"):
            (folder / p.name[:-3]).write_bytes(gzip.decompress(p.read_bytes()))
        elif p.is_file() and not (folder / p.name).exists():
            (folder / p.name).symlink_to(p)
    return folder


def test_download_from_a_mirror(shared_data: Path, tmp_path: Path, serve) -> None:
    url = serve(_mirror(shared_data, tmp_path / "mirror"))
    res = CliRunner().invoke(
        app, ["kb", "download", "--data-dir", str(tmp_path), "--base-url", url]
    )
    assert res.exit_code == 0, res.output
    assert "not fetched" not in res.output  # a mirror serves the unpinned ones too
    dest = tmp_path / "kb-sources"
    sums = (dest / SUMS).read_text().splitlines()
    assert len(sums) == len(wanted()) == len(SOURCES) - 1  # all but the ODbL file
    for line in sums:
        digest, name = line.split()
        assert hashlib.sha256((dest / name).read_bytes()).hexdigest() == digest
    pinned = {s.file: s.sha256 for s in SOURCES}
    assert all(pinned[line.split()[1]] == line.split()[0] for line in sums)  # the snapshot
    res = CliRunner().invoke(app, ["kb", "build", "--data-dir", str(tmp_path), "--permissive"])
    assert res.exit_code == 0, res.output
    built = KbIndex.open(tmp_path / "kb", shipped=False)
    shipped = KbIndex(SHIPPED)
    assert built is not None
    try:  # the downloaded sources give the index the package ships
        assert built.ids() == shipped.ids()
        assert "Q7747" in built.ids()  # Vladimir Putin, from the world leaders
    finally:
        built.close()
        shipped.close()


def test_no_extra_fetches_the_curated_four(shared_data: Path, tmp_path: Path, serve) -> None:
    url = serve(shared_data / "kb")
    res = CliRunner().invoke(
        app, ["kb", "download", "--data-dir", str(tmp_path), "--base-url", url, "--no-extra"]
    )
    assert res.exit_code == 0, res.output
    got = sorted(
        line.split()[1] for line in (tmp_path / "kb-sources" / SUMS).read_text().splitlines()
    )
    assert got == sorted(s.file for s in CURATED)


def _tgz(path: Path, member: str, body: bytes) -> None:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))


def test_a_packed_source_is_extracted_and_its_member_checked(tmp_path: Path, serve) -> None:
    body = b'{"nsi": {}}\n'
    served = tmp_path / "served"
    served.mkdir()
    _tgz(served / "pkg.tgz", "package/dist/json/nsi.json", body)
    url = serve(served)
    good = Source(
        "nsi.json",
        f"{url}/pkg.tgz",
        hashlib.sha256(body).hexdigest(),
        "BSD-3-Clause",
        member="package/dist/json/nsi.json",
    )
    unpinned = Source("world-bio.csv", None, None, "CC0", extra=True)
    out = download(tmp_path / "out", show=False, sources=[good, unpinned])
    assert (tmp_path / "out" / "nsi.json").read_bytes() == body
    assert out.fetched == {"nsi.json": good.sha256} and out.skipped == [unpinned]
    assert not out.failed
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["SHA256SUMS", "nsi.json"]
    wrong = Source("nsi.json", good.url, good.sha256, "BSD-3-Clause", member="package/x.json")
    out = download(tmp_path / "out2", show=False, sources=[wrong])
    assert isinstance(out.failed["nsi.json"], ChecksumError)
    assert "holds no file package/x.json" in str(out.failed["nsi.json"])
    changed = Source("nsi.json", good.url, "0" * 64, "BSD-3-Clause", member=good.member)
    out = download(tmp_path / "out3", show=False, sources=[changed])
    assert "checksum mismatch for nsi.json" in str(out.failed["nsi.json"])
    assert [p.name for p in (tmp_path / "out3").iterdir()] == [SUMS]  # no partial file
    assert (tmp_path / "out3" / SUMS).read_text() == ""


def test_one_failure_does_not_stop_the_others(tmp_path: Path, serve) -> None:
    served = tmp_path / "served"
    served.mkdir()
    (served / "b.csv").write_bytes(b"b\n")
    url = serve(served)
    a = Source("a.csv", f"{url}/a.csv", None, "CC0")  # 404
    b = Source("b.csv", f"{url}/b.csv", hashlib.sha256(b"b\n").hexdigest(), "CC0")
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "old.csv").write_bytes(b"old")
    (dest / SUMS).write_text("abc  old.csv\n")
    out = download(dest, show=False, sources=[a, b])
    assert list(out.failed) == ["a.csv"] and "HTTP 404" in str(out.failed["a.csv"])
    assert not out.offline
    assert (dest / "b.csv").read_bytes() == b"b\n"
    assert (dest / SUMS).read_text() == f"abc  old.csv\n{b.sha256}  b.csv\n"  # kept, added


def test_checksum_mismatch_is_a_clear_error(shared_data: Path, tmp_path: Path, serve) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "kb", mirror)
    with open(mirror / SOURCES[1].file, "a", encoding="utf-8") as fh:
        fh.write("\n# tampered\n")
    data = tmp_path / "data"
    res = CliRunner().invoke(
        app,
        ["kb", "download", "--data-dir", str(data), "--base-url", serve(mirror), "--no-extra"],
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
            "--no-extra",
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
