"""What ``stancestream subscribe`` and ``export`` do (the typer commands are thin wrappers in
``downstream_commands``): live stances from Redis with a consumer group of one's own, bulk
exports from the database."""

from __future__ import annotations

import csv
import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any, cast, get_args
from xml.etree import ElementTree as ET

import redis.asyncio as aioredis

from stancestream.services.storage.db import create_engine, create_sessionmaker
from stancestream.services.storage.live import (
    RecentBatches,
    StanceFilter,
    parse_entry,
    stance_events,
)
from stancestream.services.storage.queries import GraphFilter, Queries, majority
from stancestream.services.storage.schemas import Graph
from stancestream.shared.consumer import GroupReadReply
from stancestream.shared.contracts import StanceLabel

_REL = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, now: datetime | None = None) -> datetime:
    """``2024-05-06``, ``2024-05-06T12:00:00+02:00`` (UTC when no offset) or a span back from
    now: ``30m``, ``24h``, ``7d``, ``2w``. Raises ValueError saying what it expects."""
    m = _REL.match(value.strip())
    if m:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[m[2]]: int(m[1])})
    try:
        t = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"bad time {value!r}: use an ISO date/time (2024-05-06, 2024-05-06T12:00Z) "
            "or a span back from now (30m, 24h, 7d, 2w)"
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


# ---- subscribe -------------------------------------------------------------------------------
async def ensure_subscriber_group(
    client: aioredis.Redis, stream: str, group: str, from_start: bool
) -> bool:
    """Create ``group`` at ``0`` (``from_start``) or ``$`` (only what comes next); False when it
    already existed (it then goes on from where it stopped)."""
    try:
        await client.xgroup_create(stream, group, id="0" if from_start else "$", mkstream=True)
        return True
    except aioredis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
        return False


async def subscribe_events(
    client: aioredis.Redis,
    stream: str,
    group: str,
    flt: StanceFilter,
    consumer: str | None = None,
    block_ms: int = 1000,
) -> AsyncIterator[tuple[bytes, list[dict[str, Any]]]]:
    """(entry id, its stances passing ``flt``) from ``group``: first this consumer's pending
    entries (read before a crash, never acked), then new ones. The caller acks each entry
    (:func:`ack`) once it has handled the stances: at-least-once delivery."""
    consumer = consumer or f"cli-{socket.gethostname()}"
    recent = RecentBatches()  # a batch published twice is printed once (acked both times)
    pending: bytes | str | None = "0"
    while True:
        cursor = pending if pending is not None else ">"
        res = cast(
            GroupReadReply,
            await client.xreadgroup(group, consumer, {stream: cursor}, count=50, block=block_ms),
        )
        entries = res[0][1] if res else []
        if pending is not None and not entries:
            pending = None  # history replayed; from now on only new entries
            continue
        for eid, fields in entries:
            if pending is not None:
                pending = eid
            batch = parse_entry(fields) if fields else None
            if batch is not None and not recent.first_time(batch):
                batch = None
            events = [e for e in stance_events(batch) if flt.keep(e)] if batch else []
            yield eid, events


async def ack(client: aioredis.Redis, stream: str, group: str, eid: bytes) -> None:
    await client.xack(stream, group, eid)


# ---- export ----------------------------------------------------------------------------------
LABELS: tuple[str, ...] = get_args(StanceLabel)
# the CSV columns of each view, written as the header even when the window holds no stance;
# both views name the pair and its label the same way
PAIR_COLUMNS = ("created_at", "source", "source_name", "target", "target_name", "stance")
CLAIM_COLUMNS = (
    "id",
    *PAIR_COLUMNS,
    "score",
    "model",
    "basis",
    "cue",
    "claim_id",
    "claim_text",
    "speaker",
    "article_id",
    "article_url",
    "outlet",
)
ARTICLE_COLUMNS = (
    "article_id",
    "article_url",
    "outlet",
    *PAIR_COLUMNS,
    *LABELS,
    "score",
    "evidence",
)


async def export_stances(
    db_url: str,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
    out: IO[str],
    view: str = "article",
    time: str = "published",
) -> int:
    """Write the stances of the window as JSON lines or CSV, one row per article and ordered
    pair (``view="article"``, as ``GET /stances`` does) or per claim; returns how many. The
    window is on ``time`` (``published`` or ``ingested``, as the API's ``time=``). A CSV has
    its header (``ARTICLE_COLUMNS`` or ``CLAIM_COLUMNS``) even when no row follows."""
    engine = create_engine(db_url)
    n = 0
    try:
        writer: csv.DictWriter[str] | None = None
        if fmt == "csv":
            columns = ARTICLE_COLUMNS if view == "article" else CLAIM_COLUMNS
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
        rows = Queries(create_sessionmaker(engine)).iter_stances(since, until, time=time)
        async for row in article_rows(rows) if view == "article" else rows:
            if writer is None:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                flat = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
                writer.writerow(flat)
            n += 1
    finally:
        await engine.dispose()
    return n


async def article_rows(rows: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Per-claim export rows (oldest first) folded into one row per article and ordered pair:
    the majority of the claims' support/oppose labels, counts, and the non-neutral claims as
    evidence. Rows of one article share its time, so a group is complete when the time moves on."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    current = None
    async for row in rows:
        if current is not None and row["created_at"] != current:
            for g in groups.values():
                yield _article_row(g)
            groups = {}
        current = row["created_at"]
        groups.setdefault((row["article_id"], row["source"], row["target"]), []).append(row)
    for g in groups.values():
        yield _article_row(g)


def _article_row(claims: list[dict[str, Any]]) -> dict[str, Any]:
    first = claims[0]
    count = {lab: sum(1 for c in claims if c["stance"] == lab) for lab in LABELS}
    label = majority(count["support"], count["oppose"])
    wanted = {"support", "oppose"} if label == "mixed" else {label}
    return {
        "article_id": first["article_id"],
        "article_url": first["article_url"],
        "outlet": first["outlet"],
        "created_at": first["created_at"],
        "source": first["source"],
        "source_name": first["source_name"],
        "target": first["target"],
        "target_name": first["target_name"],
        "stance": label,
        **count,
        "score": max((c["score"] for c in claims if c["stance"] in wanted), default=0.0),
        "evidence": [
            {k: c[k] for k in ("claim_id", "claim_text", "stance", "score", "basis", "cue")}
            for c in sorted(claims, key=lambda c: -c["score"])
            if c["stance"] != "neutral"
        ],
    }


async def export_graph(db_url: str, f: GraphFilter) -> Graph:
    engine = create_engine(db_url)
    try:
        return await Queries(create_sessionmaker(engine)).graph(f, limit=None)
    finally:
        await engine.dispose()


NODE_KEYS = (("name", "string"), ("type", "string"), ("wikidata", "string"), ("activity", "int"))
EDGE_KEYS = (
    ("stance", "string"),  # the most frequent label
    ("count", "int"),
    ("support", "int"),
    ("oppose", "int"),
    ("neutral", "int"),
    ("mean_score", "double"),
    ("articles_support", "int"),
    ("articles_oppose", "int"),
    ("stories_support", "int"),  # an article and its copies in other outlets count once
    ("stories_oppose", "int"),
    ("signed_score", "double"),  # (stories supporting - opposing) / both, in [-1, 1]
)


def graphml(graph: Graph) -> str:
    """The graph as GraphML (directed; node and edge attributes typed so networkx and Gephi read
    numbers as numbers)."""
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for kind, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, typ in keys:
            ET.SubElement(
                root, "key", {"id": f"{kind[0]}_{name}", "for": kind, "attr.name": name,
                              "attr.type": typ},
            )  # fmt: skip
    g = ET.SubElement(root, "graph", id="stances", edgedefault="directed")

    def data(el: ET.Element, key: str, value: Any) -> None:
        if value is not None:
            ET.SubElement(el, "data", key=key).text = str(value)

    for node in graph.nodes:
        el = ET.SubElement(g, "node", id=node.id)
        for name, _ in NODE_KEYS:
            data(el, f"n_{name}", getattr(node, name))
    for i, e in enumerate(graph.edges):
        el = ET.SubElement(g, "edge", id=f"e{i}", source=e.source, target=e.target)
        top = max(("oppose", "support", "neutral"), key=lambda lab: getattr(e, lab))
        data(el, "e_stance", top)
        for name, _ in EDGE_KEYS[1:]:
            data(el, f"e_{name}", getattr(e, name))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
