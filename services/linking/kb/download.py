"""``kb download``: fetch the open KB sources, verify sha256, record it, show progress.

Each file is checked against the checksum pinned here (the snapshot the shipped index was built
and tuned on). Upstream files change; a mismatch stops with the two hashes and how to accept
the new file (``--accept-changed``), which then records the new hash in ``SHA256SUMS`` beside
the files. A source may come packed (NSI's ``nsi.json`` is one member of its npm tarball): the
archive is fetched, the member extracted and its own hash checked. A mirror (``--base-url``)
holds every file as this command writes it, flat, under its file name.

Sources with no public location pinned here (the EveryPolitician ``world`` scraper CSVs, whose
upstream paths this project could not check) are fetched only from a mirror; without one they
are listed as skipped, with how to add them (``kb build --source-dir``).
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from collections.abc import Iterable
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

_GH = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class Source:
    file: str  # local file name (also its name under --base-url)
    url: str | None  # public location; None: only from a mirror
    sha256: str | None  # of the file as written (for a packed source: of the member)
    licence: str
    member: str | None = None  # path of the file inside the .tgz at ``url``
    odbl: bool = False  # share-alike: fetched only with --include-odbl
    extra: bool = False  # one of the kb-extra sources (``extra_sources.py``)


CURATED: tuple[Source, ...] = (
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


def _extra(
    file: str,
    url: str | None,
    sha256: str | None,
    licence: str,
    member: str | None = None,
    odbl: bool = False,
) -> Source:
    return Source(file, url, sha256, licence, member=member, odbl=odbl, extra=True)


_EP_WORLD = "EveryPolitician scrapers (Wikidata, CC0 1.0)"
# The kb-extra sources (``extra_sources.EXTRA_FILES`` reads them under these names). Only NSI's
# location could be checked from where this was written (the npm registry: the tarball's
# member equals the snapshot byte for byte); the GitHub paths follow each project's published
# layout and the hashes are the snapshot's, so an upstream edit shows as a checksum mismatch.
EXTRA: tuple[Source, ...] = (
    _extra(
        "nsi.json",
        "https://registry.npmjs.org/name-suggestion-index/-/name-suggestion-index-8.0.20260918.tgz",
        "96f105218058d3b68ef69c93f3d8f46f6bc714c70e9ef7d9f9e2f5c006585eb1",
        "BSD-3-Clause",
        member="package/dist/json/nsi.json",
    ),
    _extra(
        "wikidata-us-cities.tsv",
        f"{_GH}/hearvox/wiki-media-cred/HEAD/data/wikidata-us-cities.tsv",
        "36e4fa58d0d619b8a09bd4715e0e2e33bc18c9da6141c6208d50536b23ad6bea",
        "CC0 1.0",
    ),
    _extra(
        "wikidata-us-states.tsv",
        f"{_GH}/hearvox/wiki-media-cred/HEAD/data/wikidata-us-states.tsv",
        "2f422e6490593aec05e424862abca5c8efa78edbd7c336164dd14e89cda2793a",
        "CC0 1.0",
    ),
    _extra(
        "wikipedia-us-newspapers.tsv",
        f"{_GH}/hearvox/wiki-media-cred/HEAD/data/wikipedia-us-newspapers.tsv",
        "a133401e88b4f2f852ce5152c271722e7b32071b2344585959321b9a8f5a6b73",
        "CC0 1.0",
    ),
    _extra(
        "executive.yaml",
        f"{_GH}/unitedstates/congress-legislators/main/executive.yaml",
        "a2ab6d1043f9fb77cffc6ffe97f87d774c7dbdd82bd22919b33e7dba7cba12df",
        "CC0 1.0",
    ),
    _extra(
        "ne_10m_populated_places.geojson",
        f"{_GH}/martynafford/natural-earth-geojson/HEAD/10m/cultural/ne_10m_populated_places.json",
        "536ed7d8b1618e999d0569f69300e642b8b6a62234fb516fedfee0bb2901609f",
        "public domain (Natural Earth)",
    ),
    _extra(
        "world-leaders-2021.csv",
        f"{_GH}/every-politician-scrapers/world-leaders-2021/HEAD/data/wikidata.csv",
        "8f625bf0c89411b3dec0654fe0674e92c1e4712e6854ca4de772b2fbf71c7b15",
        _EP_WORLD,
    ),
    _extra(
        "world-holders21.csv",
        None,
        "da4dfbf14a5ce851661818f8b8077a851ccae51921a8459203395ca6c8d5440f",
        _EP_WORLD,
    ),
    _extra(
        "world-current.csv",
        None,
        "8620d3f658a4dda3daca36e0b72410529b8afcf2a046879d7de0e6a196072a39",
        _EP_WORLD,
    ),
    _extra(
        "world-legislators.csv",
        None,
        "1593a8066c38faa1a2ca910934cbb58bd2fa83d5e5fc7cfca800404dad1033bf",
        _EP_WORLD,
    ),
    _extra(
        "world-bio.csv",
        None,
        "6abd8c4e2bfb447f135b26e293c02a2b2196133ef5352831857ef93b484dd375",
        _EP_WORLD,
    ),
    _extra(
        "world-country-cabinets.csv",
        None,
        "7e23a587f1f38d19dd308077fdfb21d5973062cba049b392da0b0f5df4d837ec",
        _EP_WORLD,
    ),
    _extra(
        "world-enwiki-current-cabinets.csv",
        None,
        "5f0d5b8cb324951d325ea6568227c19c5fc41415d063324e6bcdea346ee5b4cb",
        _EP_WORLD,
    ),
    _extra(
        "world-2021-cabinets.csv",
        None,
        "5986d0906ee2f3bea627e2f13f3633347b33fe4212cd069326bf2c3168b463ec",
        _EP_WORLD,
    ),
    _extra(
        "world-2022-cabinets.csv",
        None,
        "80407977d09912e641b2d3e7d60ca7c69feeeb98e7c56806407b7bf181e31c6d",
        _EP_WORLD,
    ),
    _extra(
        "states.csv",
        f"{_GH}/dr5hn/countries-states-cities-database/HEAD/csv/states.csv",
        None,  # changes upstream often; ODbL, for a local index only
        "ODbL 1.0",
        odbl=True,
    ),
)
SOURCES: tuple[Source, ...] = CURATED + EXTRA
SUMS = "SHA256SUMS"


class ChecksumError(RuntimeError):
    """A downloaded file is not the one pinned; nothing was written in its place."""


def wanted(
    extra: bool = True, include_odbl: bool = False, sources: Iterable[Source] = SOURCES
) -> list[Source]:
    """The sources one ``download`` call asks for."""
    return [s for s in sources if (extra or not s.extra) and (include_odbl or not s.odbl)]


def _stream(url: str, out: Path, client: httpx.Client, progress: Progress, label: str) -> str:
    """GET ``url`` into ``out`` with a progress bar; returns the body's sha256."""
    digest = hashlib.sha256()
    task = progress.add_task(label, total=None)
    with client.stream("GET", url) as resp:
        if resp.status_code != 200:
            raise httpx.HTTPStatusError(
                f"GET {url}: HTTP {resp.status_code}", request=resp.request, response=resp
            )
        size = resp.headers.get("content-length")
        progress.update(task, total=int(size) if size and size.isdigit() else None)
        with open(out, "wb") as fh:
            for chunk in resp.iter_bytes(1 << 16):
                fh.write(chunk)
                digest.update(chunk)
                progress.advance(task, len(chunk))
    return digest.hexdigest()


def _extract(archive: Path, member: str, out: Path, url: str) -> str:
    """Write ``member`` of the gzipped tarball ``archive`` to ``out``; returns its sha256."""
    digest = hashlib.sha256()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                src = tar.extractfile(member)
            except KeyError:
                src = None
            if src is None:
                raise ChecksumError(f"{url} holds no file {member}")
            with src, open(out, "wb") as fh:
                for chunk in iter(lambda: src.read(1 << 16), b""):
                    fh.write(chunk)
                    digest.update(chunk)
    except tarfile.TarError as exc:
        raise ChecksumError(f"{url} is not the gzipped tarball expected: {exc}") from exc
    return digest.hexdigest()


def fetch(
    src: Source,
    dest_dir: Path,
    client: httpx.Client,
    progress: Progress,
    base_url: str | None = None,
    accept_changed: bool = False,
) -> str:
    """Download one source to ``dest_dir`` atomically; returns its sha256."""
    tmp = dest_dir / f".{src.file}.part"
    packed = dest_dir / f".{src.file}.archive.part"
    try:
        if base_url:
            url = f"{base_url.rstrip('/')}/{src.file}"
            got = _stream(url, tmp, client, progress, src.file)
        elif src.url is None:
            raise ValueError(f"{src.file} has no public location; it needs --base-url")
        elif src.member:
            url = src.url
            _stream(url, packed, client, progress, f"{src.file} ({url.rsplit('/', 1)[-1]})")
            got = _extract(packed, src.member, tmp, url)
        else:
            url = src.url
            got = _stream(url, tmp, client, progress, src.file)
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
        packed.unlink(missing_ok=True)


@dataclass
class Outcome:
    """What one ``download`` call did: each source fetched, skipped or failed (with why)."""

    fetched: dict[str, str]  # file -> sha256
    skipped: list[Source]  # no public location and no mirror
    failed: dict[str, Exception]  # file -> the error; the other files were still fetched

    @property
    def offline(self) -> bool:
        """Every failure is a connection failure (no network, or the host unreachable)."""
        return bool(self.failed) and all(
            isinstance(e, httpx.TransportError) for e in self.failed.values()
        )


def _read_sums(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split(maxsplit=1) for line in path.read_text().splitlines() if line.strip())
    return {name.strip(): digest for digest, name in pairs}


def download(
    dest_dir: Path,
    base_url: str | None = None,
    accept_changed: bool = False,
    timeout_s: float = 60.0,
    show: bool = True,
    extra: bool = True,
    include_odbl: bool = False,
    sources: Iterable[Source] = SOURCES,
) -> Outcome:
    """Fetch the wanted sources into ``dest_dir``, one failure not stopping the others.

    ``SHA256SUMS`` keeps the hash of every file fetched, this call's and earlier ones', so a
    re-run after a failure need only fetch the rest."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    todo = wanted(extra, include_odbl, sources)
    out = Outcome({}, [s for s in todo if s.url is None and not base_url], {})
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
        for src in todo:
            if src in out.skipped:
                continue
            try:
                out.fetched[src.file] = fetch(
                    src, dest_dir, client, progress, base_url, accept_changed
                )
            except (httpx.HTTPError, OSError, ChecksumError) as exc:
                out.failed[src.file] = exc
    sums = _read_sums(dest_dir / SUMS) | out.fetched
    sums = {f: h for f, h in sums.items() if (dest_dir / f).is_file()}
    (dest_dir / SUMS).write_text("".join(f"{h}  {f}\n" for f, h in sums.items()))
    return out
