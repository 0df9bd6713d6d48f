"""HTML -> body text, title and publish date (trafilatura), from bytes of any encoding.

Precision over recall: a missed paragraph costs less than boilerplate ("Read more", share
buttons, related links) that the linker would turn into actors and claims.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import trafilatura
from trafilatura.utils import load_html

from stancestream.services.ingestion.errors import BadInput, EmptyArticle, TooLarge
from stancestream.services.ingestion.furniture import drop_furniture_lines, prune_tree
from stancestream.services.ingestion.normalize import normalize_text, paragraphs_to_blocks

# trafilatura keeps module-level lxml objects (compiled XPath expressions, parsers) that lxml does
# not allow two threads to use at once: concurrent extractions (fetched pages are extracted on
# worker threads) crashed the process with SIGSEGV or "double free or corruption" in about one
# `ingest --feed` run of twenty. The work is CPU-bound under the GIL anyway, so one extraction at
# a time per process costs no throughput. A lock for the library's process-wide state.
TRAFILATURA_LOCK = threading.Lock()

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# browsers read these labels as windows-1252 (WHATWG Encoding Standard)
_AS_CP1252 = {
    "ascii",
    "us-ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso8859-1",
    "l1",
    "windows-1252",
    "cp1252",
}


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode error handler: the offending bytes as cp1252 (latin-1 for its 5 holes), so UTF-8
    text with stray Windows bytes ("mixed") keeps both its UTF-8 and its cp1252 characters."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return "".join(_byte_cp1252(b) for b in bad), err.end


def _byte_cp1252(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


codecs.register_error("stancestream-cp1252", _cp1252_fallback)


def _lookup(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The declared charset: BOM, then the Content-Type header, then a <meta> in the first 4 kB."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        found = _lookup(m.group(1))
        if found:
            return found
    if meta := _META_CHARSET.search(data[:4096]):
        return _lookup(meta.group(1).decode("ascii", errors="replace"))
    return None


def decode_bytes(data: bytes, content_type: str | None = None) -> str:
    """Bytes of unknown encoding -> str, never raising: declared charset if it decodes cleanly,
    else UTF-8 with stray bytes read as cp1252 (which also covers pure cp1252/latin-1 text)."""
    declared = sniff_charset(data, content_type)
    if declared == "cp1252" and not data.isascii():
        try:  # non-ASCII that is valid UTF-8 is UTF-8 mislabelled, not cp1252 by chance
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared and declared not in ("utf-8", "utf-8-sig"):
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common; fall through to the robust path
    if declared == "utf-8-sig":
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8", errors="stancestream-cp1252")


@dataclass
class Extracted:
    """What one page gave: body text (normalised, paragraphs blank-line separated) and metadata."""

    text: str
    title: str | None = None
    published_at: datetime | None = None
    url: str | None = None  # canonical/og URL the page declares
    sitename: str | None = None


def parse_date(value: object) -> datetime | None:
    """ISO 8601 (date or datetime) or RFC 2822 -> aware UTC datetime; None if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        s = str(value).strip()
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def check_size(data: bytes | str, max_bytes: int, source: str) -> None:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", errors="replace"))
    if size > max_bytes:
        raise TooLarge(
            source,
            f"page is {size:,} bytes, over the limit of {max_bytes:,} (ingestion.max_html_bytes)",
        )


def extract_html(
    html: bytes | str,
    *,
    source: str,
    max_bytes: int,
    content_type: str | None = None,
    url: str | None = None,
) -> Extracted:
    """Body and metadata of one HTML page. Raises ``TooLarge`` or ``EmptyArticle``."""
    check_size(html, max_bytes, source)
    page = decode_bytes(html, content_type) if isinstance(html, bytes) else html
    try:
        with TRAFILATURA_LOCK:
            tree = load_html(page)
            doc = trafilatura.bare_extraction(
                prune_tree(tree) if tree is not None else page,
                url=url,
                favor_precision=True,
                include_comments=False,
                include_tables=False,
                include_images=False,
                deduplicate=False,
                with_metadata=True,
            )
    except Exception as exc:  # lxml/trafilatura on hostile markup: refuse the page, not the run
        raise BadInput(source, f"HTML extraction failed: {type(exc).__name__}: {exc}") from exc
    raw = (getattr(doc, "text", None) or "") if doc is not None else ""
    title = normalize_text(getattr(doc, "title", None) or "") or None
    text = normalize_text(paragraphs_to_blocks(raw))
    text = drop_furniture_lines(_drop_title_line(text, title))
    if not text:
        raise EmptyArticle(source, "no body text found in the HTML (paywall, index or media page?)")
    return Extracted(
        text=text,
        title=title,
        published_at=parse_date(getattr(doc, "date", None)),
        url=getattr(doc, "url", None) or None,
        sitename=getattr(doc, "sitename", None) or None,
    )


def _drop_title_line(text: str, title: str | None) -> str:
    """Pages often repeat their <h1> as the first block; the title has its own field."""
    if not title:
        return text
    first, _, rest = text.partition("\n\n")
    if first.casefold() == title.casefold() and rest:
        return rest
    return text


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
    "ul",
    "ol",
    "pre",
    "figcaption",
    "hr",
}
_SKIP_TAGS = {"script", "style", "noscript", "template"}


class _FragmentText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data.replace("\n", " "))


def fragment_text(html: str) -> str:
    """Text of an HTML fragment that *is* the article (a feed's content:encoded): every block
    becomes a paragraph. trafilatura would judge such a short, chrome-less snippet boilerplate."""
    parser = _FragmentText()
    parser.feed(html)
    parser.close()
    return normalize_text("".join(parser.parts))
