"""Why an input was refused: one typed exception per reason, each naming the input it came from.

::

    IngestError                 base: ``source`` (file, ``file:line`` or URL) + readable reason
    ├── BadInput                unreadable file, unsupported type, bad JSONL line, missing field
    ├── TooLarge                page over ``max_html_bytes`` or text over ``max_article_chars``
    ├── EmptyArticle            nothing left after extraction and normalisation
    ├── FetchError              network error, timeout or HTTP error status for a URL
    ├── Refused                 a URL the outbound policy does not let ingestion fetch
    └── FeedError               a feed that answered 5xx/4xx or is not parseable RSS/Atom

They are values as much as exceptions: sources yield them beside articles so one bad line never
hides the good ones, and the publisher dead-letters each with its reason.
"""

from __future__ import annotations

from typing import Any


class IngestError(Exception):
    """An input that cannot become an ``Article``; ``str()`` is ``"<source>: <reason>"``."""

    def __init__(self, source: str, reason: str, **detail: Any):
        self.source = source
        self.reason = reason
        self.detail = detail  # small extra context for the dead letter (title, status, ...)
        super().__init__(f"{source}: {reason}")

    @property
    def kind(self) -> str:
        return type(self).__name__


class BadInput(IngestError):
    """The input itself is malformed or of a kind we do not read."""


class TooLarge(IngestError):
    """Over a configured size limit; refused before it can hurt memory or the downstream model."""


class EmptyArticle(IngestError):
    """Extraction found no body text (a paywall, an index page, a video page)."""


class FetchError(IngestError):
    """The URL could not be fetched: DNS, connect, timeout, TLS, or an HTTP error status."""


class FeedError(IngestError):
    """A feed poll failed as a whole; other feeds carry on."""


class Refused(IngestError):
    """A URL outside the outbound policy (``stancestream.services.ingestion.url_policy``): not
    http/https, or a loopback, private or link-local address not listed in
    ``ingestion.allow_hosts``."""
