"""Inputs -> ``Article``s: plain text, HTML and JSONL files, and single URLs.

Readers yield ``Article | IngestError`` per item instead of raising, so one bad JSONL line or one
dead URL is reported (and dead-lettered) while the rest still goes through.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from stancestream.services.ingestion.errors import (
    BadInput,
    EmptyArticle,
    FetchError,
    IngestError,
    Refused,
    TooLarge,
)
from stancestream.services.ingestion.extract import decode_bytes, extract_html, parse_date
from stancestream.services.ingestion.normalize import (
    article_id,
    canonical_url,
    content_hash,
    normalize_text,
)
from stancestream.shared.contracts import Article
from stancestream.shared.settings import IngestionSettings

Item = Article | IngestError
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
FILE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
HEADLINE_MAX = 200
KICKER_MAX = 60  # "All news", "World", "Politics | Europe": a section label above the headline


# Prose in any script is mostly letters, digits and spaces, with few symbols or control
# characters: on the 161 news texts of the dev set at most 1.9% are symbols/controls (raw HTML
# 4-9%), random bytes read as text 14%. The check needs no language model and no script list.
MAX_SYMBOL_SHARE = 0.10
MIN_WORD_SHARE = 0.60


def not_text_reason(text: str, sample: int = 20_000) -> str | None:
    """Why ``text`` (normalised) looks like binary data rather than text, or None."""
    head = text[:sample]
    if not head:
        return None
    symbols = sum(1 for c in head if unicodedata.category(c)[0] in "SC" or c == "\ufffd")
    if symbols / len(head) > MAX_SYMBOL_SHARE:
        return f"{symbols / len(head):.0%} of its characters are symbols or control characters"
    words = sum(1 for c in head if c.isalnum() or c.isspace())
    if words / len(head) < MIN_WORD_SHARE:
        return f"only {words / len(head):.0%} of its characters are letters, digits or spaces"
    return None


def make_article(
    text: str,
    *,
    source_ref: str,
    settings: IngestionSettings,
    title: str | None = None,
    url: str | None = None,
    source: str | None = None,
    published_at: datetime | str | None = None,
    id: str | None = None,
) -> Article:
    """Normalise, size-check and identify one article. Raises ``TooLarge``/``EmptyArticle``."""
    limit = settings.max_article_chars
    if len(text) > 4 * limit:  # refuse before spending time normalising megabytes
        raise TooLarge(
            source_ref,
            f"text of {len(text):,} chars is over the limit of {limit:,} "
            "(ingestion.max_article_chars)",
        )
    body = normalize_text(text)
    if not body:
        raise EmptyArticle(source_ref, "text is empty after extraction and normalisation")
    if (why := not_text_reason(body)) is not None:
        raise BadInput(source_ref, f"not text: {why} (binary data read as text?)")
    if len(body) > limit:
        raise TooLarge(
            source_ref,
            f"text of {len(body):,} chars is over the limit of {limit:,} "
            "(ingestion.max_article_chars)",
        )
    curl = canonical_url(url) if url else None
    chash = content_hash(body)
    try:
        return Article(
            id=id or article_id(curl, chash),
            url=curl,
            title=" ".join(normalize_text(title or "").split()) or None,
            source=source,
            published_at=parse_date(published_at),
            text=body,
            content_hash=chash,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        field_name = ".".join(str(x) for x in err["loc"]) or "article"
        raise BadInput(source_ref, f'invalid field "{field_name}": {err["msg"]}') from exc


# ---- plain text --------------------------------------------------------------------------------
def _headline_like(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) < HEADLINE_MAX and not s.endswith(".")


def split_title(text: str) -> tuple[str | None, str]:
    """(title, body) of a plain-text article.

    ``kicker / blank / headline / blank / body`` (the seed's "All news" layout): the headline is
    the title and the kicker is dropped. Else ``short line / blank / body``: the first line is the
    title. Anything else has no title and is all body.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n").split("\n")
    if (
        len(lines) >= 5
        and 0 < len(lines[0].strip()) <= KICKER_MAX
        and not lines[0].strip().endswith(".")
        and not lines[1].strip()
        and not lines[3].strip()
        and _headline_like(lines[2])
        and any(line.strip() for line in lines[4:])
    ):
        return lines[2].strip(), "\n".join(lines[4:])
    if (
        len(lines) >= 3
        and _headline_like(lines[0])
        and not lines[1].strip()
        and any(line.strip() for line in lines[2:])
    ):
        return lines[0].strip(), "\n".join(lines[2:])
    return None, "\n".join(lines)


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise TooLarge(str(path), f"file is {size:,} bytes, over the limit of {limit:,}")
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def read_text_file(path: Path, settings: IngestionSettings) -> Article:
    # a text file may hold max_article_chars characters of up to 4 bytes each
    data = _read_bytes(path, max(settings.max_html_bytes, 4 * settings.max_article_chars))
    title, body = split_title(decode_bytes(data))
    return make_article(body, source_ref=str(path), settings=settings, title=title)


def read_html_file(path: Path, settings: IngestionSettings) -> Article:
    data = _read_bytes(path, settings.max_html_bytes)
    ex = extract_html(data, source=str(path), max_bytes=settings.max_html_bytes)
    return make_article(
        ex.text,
        source_ref=str(path),
        settings=settings,
        title=ex.title,
        url=ex.url,
        source=ex.sitename,
        published_at=ex.published_at,
    )


def read_jsonl_file(path: Path, settings: IngestionSettings) -> Iterator[Item]:
    """One article per line: ``{"id"?, "text"|"html", "title"?, "url"?, "published_at"?,
    "source"?}``. Blank lines are skipped; every bad line is its own ``BadInput``."""
    for _ref, item in _jsonl_lines(path, settings):
        yield item


def _jsonl_lines(path: Path, settings: IngestionSettings) -> Iterator[tuple[str, Item]]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield str(path), BadInput(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            ref = f"{path}:{n}"
            try:
                yield ref, _jsonl_record(raw, ref, settings)
            except IngestError as err:
                yield ref, err


def _jsonl_record(raw: bytes, ref: str, settings: IngestionSettings) -> Article:
    return article_from_record(decode_record(raw, ref), ref, settings)


def decode_record(raw: bytes, ref: str) -> Any:
    """One JSONL line decoded (any charset ``decode_bytes`` reads). Raises ``BadInput`` for
    what is not JSON, or JSON that Python cannot hold (nested too deep, huge integers)."""
    try:
        return json.loads(decode_bytes(raw))
    except json.JSONDecodeError as exc:
        raise BadInput(ref, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise BadInput(ref, "not JSON StanceStream reads: nested too deep") from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise BadInput(ref, f"not JSON StanceStream reads: {exc}") from exc


def article_from_record(rec: Any, ref: str, settings: IngestionSettings) -> Article:
    """The article of one decoded JSONL record (see :func:`read_jsonl_file` for its fields),
    checked and limited like every input. Raises ``IngestError`` naming ``ref``."""
    if not isinstance(rec, dict):
        raise BadInput(ref, f"expected a JSON object, got {type(rec).__name__}")
    for key in ("id", "text", "html", "title", "url", "published_at", "source"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            raise BadInput(ref, f'field "{key}" must be a string')
    meta = {
        "title": rec.get("title"),
        "url": rec.get("url"),
        "source": rec.get("source"),
        "published_at": rec.get("published_at"),
        "id": rec.get("id") or None,
    }
    if meta["published_at"] and parse_date(meta["published_at"]) is None:
        raise BadInput(ref, f'unreadable "published_at": {meta["published_at"]!r}')
    if rec.get("text"):
        return make_article(rec["text"], source_ref=ref, settings=settings, **meta)
    if rec.get("html"):
        ex = extract_html(rec["html"], source=ref, max_bytes=settings.max_html_bytes)
        meta["title"] = meta["title"] or ex.title
        meta["url"] = meta["url"] or ex.url
        meta["published_at"] = meta["published_at"] or ex.published_at
        meta["source"] = meta["source"] or ex.sitename
        return make_article(ex.text, source_ref=ref, settings=settings, **meta)
    raise BadInput(ref, 'needs a non-empty "text" or "html" field')


def read_path(path: Path, settings: IngestionSettings) -> Iterator[Item]:
    """All items of one file, by suffix."""
    for _ref, item in read_path_refs(path, settings):
        yield item


def read_path_refs(path: Path, settings: IngestionSettings) -> Iterator[tuple[str, Item]]:
    """(input, item) for all items of one file: the input is the file, ``file:line`` in JSONL."""
    suffix = path.suffix.lower()
    ref = str(path)
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_lines(path, settings)
        elif suffix in HTML_SUFFIXES:
            yield ref, read_html_file(path, settings)
        elif suffix in TEXT_SUFFIXES:
            yield ref, read_text_file(path, settings)
        else:
            kind = suffix or "(none)"
            why = f"unsupported file type {kind!r}; use .txt, .html, .htm or .jsonl"
            yield ref, BadInput(ref, why)
    except IngestError as err:
        yield ref, err


def is_url(s: str) -> bool:
    return s.lower().startswith(("http://", "https://"))


def expand_inputs(inputs: Iterable[str]) -> tuple[list[Path | str], list[IngestError]]:
    """Paths and URLs to read: directories become their *.txt/*.html/*.htm/*.jsonl files (sorted,
    recursive); missing paths become ``BadInput``s."""
    out: list[Path | str] = []
    errors: list[IngestError] = []
    for item in inputs:
        if is_url(item):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FILE_SUFFIXES
            )
            if not found:
                errors.append(BadInput(item, "directory holds no .txt/.html/.htm/.jsonl files"))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            errors.append(BadInput(item, "no such file or directory"))
    return out, errors


# ---- URLs --------------------------------------------------------------------------------------
async def fetch_bytes(
    client: httpx.AsyncClient,
    url: str,
    settings: IngestionSettings,
    headers: dict[str, str] | None = None,
) -> tuple[bytes, httpx.Response]:
    """GET ``url`` with the size cap enforced while streaming and a total deadline; a 304 comes
    back with no body. Raises ``FetchError``/``TooLarge``."""
    try:
        async with asyncio.timeout(settings.fetch_deadline_s):
            return await _fetch_bytes(client, url, settings, headers)
    except TimeoutError as exc:  # a server dripping bytes never trips the per-read timeout
        raise FetchError(
            url,
            f"no complete answer within {settings.fetch_deadline_s:g}s "
            "(ingestion.fetch_deadline_s)",
        ) from exc


async def _fetch_bytes(
    client: httpx.AsyncClient,
    url: str,
    settings: IngestionSettings,
    headers: dict[str, str] | None,
) -> tuple[bytes, httpx.Response]:
    limit = settings.max_html_bytes
    try:
        async with client.stream(
            "GET",
            url,
            timeout=settings.fetch_timeout_s,
            headers={"User-Agent": settings.user_agent, **(headers or {})},
            follow_redirects=True,
        ) as resp:
            if resp.status_code == 304:
                return b"", resp
            if resp.status_code >= 400:
                raise FetchError(
                    url,
                    f"HTTP {resp.status_code} {resp.reason_phrase}".strip(),
                    status=resp.status_code,
                )
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLarge(
                    url,
                    f"page is {int(declared):,} bytes, over the limit of "
                    f"{limit:,} (ingestion.max_html_bytes)",
                )
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        url, f"page is over the limit of {limit:,} bytes (ingestion.max_html_bytes)"
                    )
                chunks.append(chunk)
            return b"".join(chunks), resp
    except Refused as exc:  # raised by the client's URL policy hook, on a redirect hop too
        if exc.source != url:
            raise Refused(url, f"redirected to {exc.source}, {exc.reason}") from exc
        raise
    except httpx.TimeoutException as exc:
        raise FetchError(url, f"timed out after {settings.fetch_timeout_s:g}s") from exc
    except httpx.HTTPError as exc:
        raise FetchError(url, f"request failed: {type(exc).__name__}: {exc}") from exc


async def fetch_article(
    client: httpx.AsyncClient,
    url: str,
    settings: IngestionSettings,
    *,
    title: str | None = None,
    source: str | None = None,
    published_at: datetime | None = None,
) -> Article:
    """Fetch and extract one page; ``title``/``published_at`` given (from a feed) win over the
    page's own. The article keeps the requested URL (canonical), so feed links dedupe before any
    fetch. Raises ``IngestError``."""
    data, resp = await fetch_bytes(client, url, settings)
    ctype = resp.headers.get("content-type", "")
    if ctype.lower().startswith("text/plain"):
        page_title, body = split_title(decode_bytes(data, ctype))
        return make_article(
            body,
            source_ref=url,
            settings=settings,
            title=title or page_title,
            url=url,
            source=source or urlsplit(url).hostname,
            published_at=published_at,
        )
    ex = await asyncio.to_thread(
        extract_html,
        data,
        source=url,
        content_type=ctype,
        max_bytes=settings.max_html_bytes,
        url=str(resp.url),
    )
    return make_article(
        ex.text,
        source_ref=url,
        settings=settings,
        title=title or ex.title,
        url=url,
        source=source or ex.sitename or urlsplit(url).hostname,
        published_at=published_at or ex.published_at,
    )
