"""The AsyncAPI 3.0 document of every stream, built from the pydantic contract.

Hand-built rather than FastStream's generator: FastStream names channels after handler functions
and only knows the subscribers of one process, while downstream readers need every stream (and
its dead-letter stream) with the payload schema, who writes it and which consumer groups read it.
Served at ``/asyncapi`` by storage and written by ``stancestream docs``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from stancestream.shared.contracts import Article, DeadLetter, LinkedArticle, StanceBatch
from stancestream.shared.streams import ARTICLES, CLAIMS, GROUPS, STANCES, dlq

# stream -> (payload model, service that writes it)
STREAMS: dict[str, tuple[type[BaseModel], str]] = {
    ARTICLES: (Article, "ingestion"),
    CLAIMS: (LinkedArticle, "linking"),
    STANCES: (StanceBatch, "stance"),
}

# streams that producers outside the pipeline also write, through the storage API
PUSHED: dict[str, str] = {
    ARTICLES: "POST /articles on the storage API appends one Article per new item of the "
    "request, deduped with ingestion's keys (the same entry ingestion writes); refused items "
    "are dead-lettered to articles.v1.dlq",
}

ENCODING = (
    "Each Redis stream entry carries one JSON message: FastStream's binary envelope in the "
    "`__data__` field (decode with `stancestream.shared.consumer.decode_entry`, or with any "
    "FastStream RedisBroker subscriber), or, from third-party producers, plain JSON in a `data` "
    "field. Read with your own consumer group (XREADGROUP) and XACK after processing; ids are "
    "deterministic, so redelivery is safe to upsert."
)


def _key(stream: str) -> str:
    """A channel key AsyncAPI accepts (``stances.v1.dlq`` -> ``stances_v1_dlq``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", stream)


def _schemas() -> dict[str, Any]:
    """JSON schemas of the message models, nested models hoisted into components."""
    out: dict[str, Any] = {}
    models: list[type[BaseModel]] = [*(m for m, _ in STREAMS.values()), DeadLetter]
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def _groups(stream: str) -> list[str]:
    return sorted({g for s, g in GROUPS.values() if s == stream})


def asyncapi_document(server: str = "localhost:6379") -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel per stream and per ``.dlq``, operations per writer
    and per consumer group, payload schemas from the contract."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for stream, (model, writer) in STREAMS.items():
        messages[model.__name__] = _message(model)
        _add_stream(channels, operations, stream, model, writer)
        _add_dead_letters(channels, operations, stream)
    messages["DeadLetter"] = _message(DeadLetter)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "StanceStream streams",
            "version": "1",
            "description": "News in, claims and linked actors, directed stances out, over Redis "
            "Streams. Stream names carry the message version (`stances.v1`). " + ENCODING,
        },
        "defaultContentType": "application/json",
        "servers": {"redis": {"host": server, "protocol": "redis"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }


def _message(model: type[BaseModel]) -> dict[str, Any]:
    """The message entry of ``model``: its name, its docstring's first line, its schema."""
    name = model.__name__
    return {
        "name": name,
        "title": name,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{name}"},
    }


def _add_stream(
    channels: dict[str, Any],
    operations: dict[str, Any],
    stream: str,
    model: type[BaseModel],
    writer: str,
) -> None:
    """The channel of ``stream``, its writer's send, the storage API's push where there is one,
    and a receive per consumer group."""
    name, key = model.__name__, _key(stream)
    channels[key] = {
        "address": stream,
        "title": stream,
        "description": f"{name} messages written by the {writer} service. {ENCODING}",
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
    }
    operations[f"{writer}_sends_{key}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{key}"},
        "summary": f"{writer} appends one {name} per entry (XADD)",
    }
    if stream in PUSHED:
        channels[key]["description"] += f" Also: {PUSHED[stream]}."
        operations[f"storage_api_sends_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": PUSHED[stream],
        }
    for group in _groups(stream):
        operations[f"{group}_receives_{key}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"consumer group '{group}' reads it (XREADGROUP, XACK when done)",
            "x-redis-consumer-group": group,
        }


def _add_dead_letters(channels: dict[str, Any], operations: dict[str, Any], stream: str) -> None:
    """The ``.dlq`` channel of ``stream`` and its readers' send to it."""
    dkey = _key(dlq(stream))
    channels[dkey] = {
        "address": dlq(stream),
        "title": dlq(stream),
        "description": f"Entries of {stream} a service refused or failed too often, with the "
        "original payload and the error; see `stancestream dlq`.",
        "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
    }
    operations[f"consumers_send_{dkey}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{dkey}"},
        "summary": f"readers of {stream} dead-letter what they cannot process",
    }
