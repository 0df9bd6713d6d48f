"""``kb download``: fetch the four open KB sources, verify sha256, record it, show progress.

Each file is checked against the checksum pinned here (the snapshot the index was tuned on).
Upstream files change; a mismatch stops with the two hashes and how to accept the new file
(``--accept-changed``), which then records the new hash in ``SHA256SUMS`` beside the files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)

from stancestream.services.linking.kb.sources import FILES


@dataclass(frozen=True)
class Source:
    file: str  # local file name (also its name under --base-url)
    url: str
    sha256: str | None
    licence: str


SOURCES: tuple[Source, ...] = (
    Source(
        FILES["countries"],
        "https://raw.githubusercontent.com/datasets/country-codes/main/data/country-codes.csv",
        "67b009b529330b0a6043551189f43faa785c9c3cc0011ad2bdb4eac876356c43",
        "PDDL 1.0",
    ),
    Source(
        FILES["intl_orgs"],
        "https://raw.githubusercontent.com/confirmordeny/supraverden/main/"
        "supraverden_general_list.yaml",
        "41c7f6683b58a4625b9f7b08dbd33096a366ad4d59a40a7c17c4a5fcacdc3280",
        "CC-BY-SA 4.0",
    ),
    Source(
        FILES["parties"],
        "https://raw.githubusercontent.com/hdigital/partyfactsdata/main/import/wikidata/"
        "partyfacts_wikidata.csv",
        "897c2ed7768299764aec4fe88991ba8e736a9a589eed07b57ce357ddfedb8045",
        "MIT",
    ),
    Source(
        FILES["legislators"],
        "https://raw.githubusercontent.com/unitedstates/congress-legislators/main/"
        "legislators-current.yaml",
        "423f7bdf2d4ee46589eed93361451408d309c2f81b45e5d7bb6fe9fa4ff0c321",
        "CC0 1.0",
    ),
)
SUMS = "SHA256SUMS"


class ChecksumError(RuntimeError):
    """A downloaded file is not the one pinned; nothing was written in its place."""


def _url(src: Source, base_url: str | None) -> str:
    return f"{base_url.rstrip('/')}/{src.file}" if base_url else src.url


def fetch(
    src: Source,
    dest_dir: Path,
    client: httpx.Client,
    progress: Progress,
    base_url: str | None = None,
    accept_changed: bool = False,
) -> str:
    """Download one source to ``dest_dir`` atomically; returns its sha256."""
    url = _url(src, base_url)
    tmp = dest_dir / f".{src.file}.part"
    digest = hashlib.sha256()
    task = progress.add_task(src.file, total=None)
    try:
        with client.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"GET {url}: HTTP {resp.status_code}", request=resp.request, response=resp
                )
            size = resp.headers.get("content-length")
            progress.update(task, total=int(size) if size and size.isdigit() else None)
            with open(tmp, "wb") as fh:
                for chunk in resp.iter_bytes(1 << 16):
                    fh.write(chunk)
                    digest.update(chunk)
                    progress.advance(task, len(chunk))
        got = digest.hexdigest()
        if src.sha256 and got != src.sha256 and not accept_changed:
            raise ChecksumError(
                f"checksum mismatch for {src.file} from {url}: expected sha256 {src.sha256}, "
                f"got {got}. The file changed upstream or was corrupted in transit; re-run, or "
                "pass --accept-changed to keep the new file (its hash goes to SHA256SUMS)."
            )
        os.replace(tmp, dest_dir / src.file)
        return got
    finally:
        tmp.unlink(missing_ok=True)


def download(
    dest_dir: Path,
    base_url: str | None = None,
    accept_changed: bool = False,
    timeout_s: float = 60.0,
    show: bool = True,
) -> dict[str, str]:
    """Fetch every source into ``dest_dir``; writes ``SHA256SUMS``; returns file -> sha256."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    sums: dict[str, str] = {}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with (
        httpx.Client(timeout=timeout_s, follow_redirects=True) as client,
        Progress(*columns, disable=not show, transient=False) as progress,
    ):
        for src in SOURCES:
            sums[src.file] = fetch(src, dest_dir, client, progress, base_url, accept_changed)
    (dest_dir / SUMS).write_text("".join(f"{h}  {f}\n" for f, h in sums.items()))
    return sums
