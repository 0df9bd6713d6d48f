"""``POST /articles``: producers that push articles instead of being polled.

The body is read the way ``stancestream ingest`` reads a JSONL file, by the same code
(:func:`stancestream.services.ingestion.sources.decode_record` and ``article_from_record``): the
same fields, checks and size limits. Items go through the same publisher (``publish_articles`` with
a ``Deduper``): a new article's stream entry and dedupe keys are written by one Lua script, a known
one is reported ``duplicate`` with the stored id, a refused one is reported with its reason and
parked in ``articles.v1.dlq``; the other items of the request go on.

A body the endpoint cannot read as a whole is refused before anything is published: 415 for a
media type it does not take, 413 over ``storage.max_push_bytes``, 400 for one that is not JSON
(for JSONL: no line is JSON) or holds no article; 503 when there is no Redis, or while linking
lags more than ``ingestion.max_lag`` entries (``Retry-After``: pushing waits as ingestion does).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Any, Literal

import redis.asyncio as aioredis
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from stancestream.services.ingestion.dedupe import Deduper
from stancestream.services.ingestion.errors import BadInput, IngestError
from stancestream.services.ingestion.publisher import group_lag, publish_articles
from stancestream.services.ingestion.sources import Item, article_from_record, decode_record
from stancestream.shared.settings import IngestionSettings
from stancestream.shared.streams import GROUPS

router = APIRouter(tags=["push"])

JSON_TYPES = frozenset({"application/json"})
JSONL_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonl"}
)
REF = "POST /articles"  # what the dead letters name as the input: like `file:line` for ingest
RETRY_AFTER_S = 5


@dataclass(frozen=True)
class PushTarget:
    """Where pushed articles go: the stream, through the ingesters' dedupe keys."""

    client: aioredis.Redis
    deduper: Deduper
    stream: str


class PushedArticle(BaseModel):
    """One article as ``stancestream ingest`` reads a JSONL line (documentation of the body: the
    reader is ingestion's own)."""

    text: str | None = Field(None, description='the body text; this or "html" is needed')
    html: str | None = Field(None, description="a whole page, extracted as ingestion does")
    title: str | None = None
    url: str | None = Field(None, description="canonicalised; the id is derived from it")
    published_at: str | None = Field(None, description="ISO-8601 or an RFC 2822 date")
    source: str | None = Field(None, description="the outlet")
    id: str | None = Field(None, description="your own id (default: from the URL, else the text)")


class PushOutcome(BaseModel):
    input: int = Field(
        description="the item's index in a JSON array (0 for one object), or its "
        "line number in a JSONL body (from 1)"
    )
    status: Literal["published", "duplicate", "rejected"]
    id: str | None = Field(None, description="the article id (a duplicate's: the stored one's)")
    error: str | None = Field(None, description="why it was refused (it is in articles.v1.dlq)")


class PushResult(BaseModel):
    published: int
    duplicates: int
    rejected: int
    items: list[PushOutcome] = Field(description="one per item, in the body's order")


_EXAMPLE = {
    "text": "Senator Warren condemned Governor Abbott over the border policy.",
    "url": "https://news.example/warren-abbott",
    "title": "Warren condemns Abbott",
}
_ITEM_SCHEMA = PushedArticle.model_json_schema()
_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"oneOf": [_ITEM_SCHEMA, {"type": "array", "items": _ITEM_SCHEMA}]},
            "example": _EXAMPLE,
        },
        "application/x-ndjson": {
            "schema": {"type": "string", "description": "one article object per line"},
            "example": '{"text": "Moscow accused Washington of lying."}\n',
        },
    },
}


def _refuse(status: int, detail: str, **headers: str) -> HTTPException:
    return HTTPException(status, detail, headers=headers or None)


def _media_type(request: Request) -> Literal["json", "jsonl"]:
    mtype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if mtype in JSON_TYPES:
        return "json"
    if mtype in JSONL_TYPES:
        return "jsonl"
    raise _refuse(
        415,
        f"Content-Type {mtype or '(none)'!r} is not read here: send application/json (an "
        "article or an array of them) or application/x-ndjson (one article per line)",
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    too_large = _refuse(
        413,
        f"the body is over the limit of {limit:,} bytes (storage.max_push_bytes): "
        "send the articles in several requests",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _record(rec: Any, ref: str, settings: IngestionSettings) -> Item:
    try:
        return article_from_record(rec, ref, settings)
    except IngestError as err:
        return err


def read_body(
    body: bytes, kind: Literal["json", "jsonl"], settings: IngestionSettings
) -> tuple[list[int], list[str], list[Item]]:
    """(inputs, dead-letter refs, items) of a body; raises a 400 for one not read as a whole."""
    if kind == "json":
        try:
            doc = decode_record(body, REF)
        except BadInput as err:
            hint = " (JSONL? send it as application/x-ndjson)" if b"\n{" in body else ""
            raise _refuse(400, f"the body is {err.reason}{hint}") from err
        if isinstance(doc, dict):
            return [0], [REF], [_record(doc, REF, settings)]
        if not isinstance(doc, list):
            raise _refuse(400, f"expected an article object or an array, got {type(doc).__name__}")
        refs = [f"{REF}[{i}]" for i in range(len(doc))]
        items = [_record(rec, ref, settings) for rec, ref in zip(doc, refs, strict=True)]
        return list(range(len(doc))), refs, items
    inputs, refs, items, not_json = [], [], [], []
    for n, raw in enumerate(io.BytesIO(body), start=1):
        if not raw.strip():
            continue
        ref = f"{REF}:{n}"
        try:
            rec = decode_record(raw, ref)
        except BadInput as err:
            not_json.append(err)
            item: Item = err
        else:
            item = _record(rec, ref, settings)
        inputs.append(n)
        refs.append(ref)
        items.append(item)
    if items and len(not_json) == len(items):
        raise _refuse(400, f"no line of the body is JSON (line {inputs[0]}: {not_json[0].reason})")
    return inputs, refs, items


@router.post(
    "/articles",
    status_code=202,
    response_model=PushResult,
    responses={
        400: {"description": "the body is not JSON, or holds no article"},
        413: {"description": "the body is over storage.max_push_bytes"},
        415: {"description": "a Content-Type other than application/json or x-ndjson"},
        503: {"description": "no Redis for this API, or linking lags (Retry-After)"},
    },
    openapi_extra={"requestBody": _BODY},
)
async def push_articles(request: Request) -> PushResult:
    """Publish articles into the pipeline as `stancestream ingest` does: a JSON article, a JSON
    array of them, or JSONL (application/x-ndjson). Answers one `{input, status, id | error}`
    per item: `published`, `duplicate` (with the stored article's id) or `rejected` (with the
    reason; parked in articles.v1.dlq). The other items of a request go on."""
    settings = request.app.state.settings
    kind = _media_type(request)
    body = await _read_capped(request, settings.storage.max_push_bytes)
    inputs, refs, items = await asyncio.to_thread(read_body, body, kind, settings.ingestion)
    if not items:
        raise _refuse(400, "the body holds no article")
    target: PushTarget | None = request.app.state.push
    if target is None:
        raise _refuse(503, "this API has no Redis: articles cannot be published")
    max_lag = settings.ingestion.max_lag
    try:
        lag = await group_lag(target.client, target.stream, GROUPS["linking"][1], max_lag)
        if lag is not None and lag > max_lag:
            raise _refuse(
                503,
                f"linking lags {lag:,} entries (ingestion.max_lag {max_lag:,}): retry later",
                **{"Retry-After": str(RETRY_AFTER_S)},
            )
        res = await publish_articles(
            target.client, items, deduper=target.deduper, stream=target.stream, refs=refs
        )
    except (aioredis.RedisError, OSError) as exc:  # what was published is a duplicate next time
        raise _refuse(
            503, f"Redis failed ({exc}): send the request again", **{"Retry-After": "1"}
        ) from exc
    outcomes = [
        PushOutcome(input=n, status=o.status, id=o.id, error=o.error)
        for n, o in zip(inputs, res.outcomes, strict=True)
    ]
    return PushResult(
        published=len(res.published),
        duplicates=res.duplicates,
        rejected=len(res.rejected),
        items=outcomes,
    )
