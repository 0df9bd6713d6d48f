"""Stream and consumer-group names. Versioned like the messages they carry (``claims.v1``)."""

from __future__ import annotations

import os
import socket
import uuid

ARTICLES = "articles.v1"
CLAIMS = "claims.v1"
STANCES = "stances.v1"

# consumer group of each service on the stream it reads
GROUPS = {
    "linking": (ARTICLES, "linking"),
    "stance": (CLAIMS, "stance"),
    "storage": (STANCES, "storage"),
    "storage-articles": (ARTICLES, "storage"),
}


def dlq(stream: str) -> str:
    """Dead-letter stream of ``stream``: the original payload plus error, service and attempts."""
    return f"{stream}.dlq"


def consumer_name(service: str) -> str:
    """Unique per process (host, pid, random suffix) so scaled-out workers never share a name."""
    return f"{service}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
