"""``stancestream dlq``: look at, replay and purge the dead-letter streams (``<stream>.dlq``).

A dead letter is a ``DeadLetter`` JSON in the entry's ``__data__`` field (see
``stancestream.shared.consumer.ReliableConsumer.dead_letter``). Replaying puts its payload back on
the stream it came from in FastStream's own envelope (what ``broker.publish`` writes, so both
FastStream and ``stancestream.shared.consumer.decode_entry`` read it) and deletes the letter in the
same MULTI/EXEC, so a replay neither loses nor doubles a message. The functions take the client and
stream names as arguments so tests can use their own prefixed streams; the typer commands only wrap
them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import redis.asyncio as aioredis
import typer
from faststream.redis.parser.binary import BinaryMessageFormatV1
from pydantic import ValidationError

from stancestream.services.cli.options import DataDir, RedisUrl, fail, redis_errors_exit
from stancestream.shared.consumer import BadMessage, RangeReply, decode_entry
from stancestream.shared.contracts import DeadLetter

app = typer.Typer(
    help="Dead letters: list, show, replay to the original stream, purge.", no_args_is_help=True
)

SUFFIX = ".dlq"
T = TypeVar("T")


def dlq_name(stream: str) -> str:
    """Accept ``articles.v1`` or ``articles.v1.dlq``; return the dead-letter stream's name."""
    return stream if stream.endswith(SUFFIX) else stream + SUFFIX


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


@dataclass
class Letter:
    """One entry of a dead-letter stream; ``letter`` is None when the entry is not a DeadLetter
    (written by hand or by a third party) and ``problem`` says why."""

    id: str
    letter: DeadLetter | None
    problem: str = ""


def parse_letter(msg_id: Any, fields: dict[bytes, bytes]) -> Letter:
    """A dead letter as every service writes it (its JSON in ``__data__``); letters an older
    ingestion wrote in FastStream's binary envelope read the same."""
    try:
        return Letter(_s(msg_id), DeadLetter.model_validate(decode_entry(fields)))
    except BadMessage as exc:
        return Letter(_s(msg_id), None, str(exc))
    except ValidationError as exc:
        return Letter(_s(msg_id), None, f"not a dead letter: {exc.errors()[0]['msg']}")


async def dlq_streams(client: aioredis.Redis, prefix: str = "") -> dict[str, int]:
    """Every ``<prefix>*.dlq`` stream with its length, sorted by name."""
    found: dict[str, int] = {}
    async for key in client.scan_iter(match=f"{prefix}*{SUFFIX}", count=500, _type="stream"):
        found[_s(key)] = await client.xlen(key)
    return dict(sorted(found.items()))


async def list_letters(client: aioredis.Redis, stream: str, count: int = 100) -> list[Letter]:
    """The oldest ``count`` letters of ``stream``'s DLQ."""
    entries = cast(RangeReply, await client.xrange(dlq_name(stream), count=count))
    return [parse_letter(i, f) for i, f in entries]


async def get_letter(client: aioredis.Redis, stream: str, msg_id: str) -> Letter | None:
    try:
        entries = cast(
            RangeReply, await client.xrange(dlq_name(stream), min=msg_id, max=msg_id, count=1)
        )
    except aioredis.ResponseError:  # not a stream id
        return None
    return parse_letter(*entries[0]) if entries else None


async def encode_payload(payload: str, letter_id: str) -> bytes:
    """FastStream's binary envelope around the payload JSON (what ``broker.publish`` writes)."""
    return await BinaryMessageFormatV1.encode(
        message=payload.encode(),
        reply_to=None,
        headers={"content-type": "application/json", "x-replayed-from": letter_id},
        correlation_id=uuid.uuid4().hex,
    )


async def replay(
    client: aioredis.Redis, stream: str, ids: Sequence[str] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Re-publish letters (``ids``, or all when None) to their original stream and delete them.

    Returns ``(replayed, skipped)`` as ``(letter id, detail)`` pairs: the new entry id, or why a
    letter stays (unknown id, not a dead letter, payload that is not JSON — it could only fail
    again; fix it by hand and ``XADD`` it yourself).
    """
    name = dlq_name(stream)
    if ids is None:
        letters = [parse_letter(i, f) for i, f in cast(RangeReply, await client.xrange(name))]
    else:
        letters = []
        for i in ids:
            got = await get_letter(client, name, i)
            letters.append(got or Letter(i, None, "no such letter"))
    replayed: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for lt in letters:
        if lt.letter is None:
            skipped.append((lt.id, lt.problem))
            continue
        try:
            json.loads(lt.letter.payload)
        except json.JSONDecodeError:
            skipped.append((lt.id, "payload is not JSON; replaying it would only fail again"))
            continue
        data = await encode_payload(lt.letter.payload, lt.id)
        async with client.pipeline(transaction=True) as pipe:
            pipe.xadd(lt.letter.stream, {"__data__": data})
            pipe.xdel(name, lt.id)
            new_id, _ = await pipe.execute()
        replayed.append((lt.id, f"{lt.letter.stream} {_s(new_id)}"))
    return replayed, skipped


async def purge(client: aioredis.Redis, stream: str) -> int:
    """Delete the whole DLQ of ``stream``; returns how many letters it held."""
    name = dlq_name(stream)
    async with client.pipeline(transaction=True) as pipe:
        pipe.xlen(name)
        pipe.delete(name)
        n, _ = await pipe.execute()
    return int(n)


# ---- CLI ------------------------------------------------------------------------------------
StreamArg = Annotated[str, typer.Argument(help="stream, e.g. articles.v1 (or articles.v1.dlq)")]


def _with_client(
    data_dir: Path | None, redis_url: str | None, fn: Callable[[aioredis.Redis], Awaitable[T]]
) -> T:
    from stancestream.shared.redis import connect, resolve_redis_url
    from stancestream.shared.settings import load_settings

    with redis_errors_exit():
        url = resolve_redis_url(load_settings(data_dir=data_dir, redis_url=redis_url))

    async def go() -> T:
        client = await connect(url, attempts=3)
        try:
            return await fn(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def _one_line(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("list")
def list_cmd(
    stream: Annotated[
        str | None, typer.Option("--stream", "-s", help="list this stream's letters")
    ] = None,
    limit: Annotated[int, typer.Option(help="letters to show")] = 100,
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
) -> None:
    """Every dead-letter stream with its count, or (--stream) the letters of one."""
    if stream is None:
        streams = _with_client(data_dir, redis_url, dlq_streams)
        if not streams:
            typer.echo("no dead letters")
        for name, n in streams.items():
            typer.echo(f"{name}\t{n}")
        return
    letters = _with_client(data_dir, redis_url, lambda c: list_letters(c, stream, limit))
    if not letters:
        typer.echo(f"{dlq_name(stream)} is empty")
    for lt in letters:
        if lt.letter is None:
            typer.echo(f"{lt.id}\t-\t{lt.problem}")
            continue
        d = lt.letter
        typer.echo(
            f"{lt.id}\t{d.service}\tattempts={d.attempts}\t{d.failed_at.isoformat()}\t"
            f"{_one_line(d.error)}"
        )


@app.command()
def show(
    stream: StreamArg,
    letter_id: Annotated[str, typer.Argument(metavar="ID", help="letter id from `dlq list`")],
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
) -> None:
    """One letter in full, as JSON (the payload parsed when it is JSON)."""
    lt = _with_client(data_dir, redis_url, lambda c: get_letter(c, stream, letter_id))
    if lt is None:
        raise fail(f"no letter {letter_id} in {dlq_name(stream)}", code=1)
    if lt.letter is None:
        typer.echo(json.dumps({"id": lt.id, "problem": lt.problem}, indent=2))
        return
    body: dict[str, Any] = {"id": lt.id, **lt.letter.model_dump(mode="json")}
    with contextlib.suppress(json.JSONDecodeError):
        body["payload"] = json.loads(lt.letter.payload)
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))


@app.command("replay")
def replay_cmd(
    stream: StreamArg,
    ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="letter ids")] = None,
    all_: Annotated[bool, typer.Option("--all", help="replay every letter")] = False,
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
) -> None:
    """Put letters back on their original stream (after fixing the cause) and delete them."""
    if bool(ids) == all_:
        raise fail("give letter ids or --all (not both)")
    done, skipped = _with_client(
        data_dir, redis_url, lambda c: replay(c, stream, None if all_ else ids)
    )
    for lid, where in done:
        typer.echo(f"replayed {lid} -> {where}")
    for lid, why in skipped:
        typer.echo(f"skipped {lid}: {why}", err=True)
    typer.echo(f"{len(done)} replayed, {len(skipped)} skipped", err=True)
    raise typer.Exit(1 if skipped else 0)


@app.command("purge")
def purge_cmd(
    stream: StreamArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
) -> None:
    """Delete every letter of one dead-letter stream."""
    if not yes and not typer.confirm(f"Delete all letters of {dlq_name(stream)}?"):
        raise typer.Exit(1)
    n = _with_client(data_dir, redis_url, lambda c: purge(c, stream))
    typer.echo(f"purged {n} letters from {dlq_name(stream)}")
