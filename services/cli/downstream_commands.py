"""``stancestream subscribe | export | docs``: for the people downstream of the pipeline."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from stancestream.services.cli.options import (
    DataDir,
    DbUrl,
    RedisUrl,
    fail,
    redis_errors_exit,
    settings_or_exit,
)
from stancestream.shared.streams import STANCES


def subscribe(
    group: Annotated[str, typer.Option(help="your consumer group; it remembers what you read")] = (
        "cli"
    ),
    from_start: Annotated[
        bool, typer.Option("--from-start", help="a new group starts at the first entry, not now")
    ] = False,
    actor: Annotated[str | None, typer.Option(help="entity id or name, either side")] = None,
    stance: Annotated[str | None, typer.Option(help="support | oppose | neutral")] = None,
    min_score: Annotated[float, typer.Option(help="drop stances scored lower")] = 0.0,
    count: Annotated[
        int | None, typer.Option(help="exit after printing at least this many stances")
    ] = None,
    stream: Annotated[str, typer.Option(hidden=True)] = STANCES,
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
) -> None:
    """Print live stances from Redis as JSON lines, read with your own consumer group (acked
    after printing, so a restart goes on where it stopped; unacked ones come again)."""
    from stancestream.services.cli.downstream import ack, ensure_subscriber_group, subscribe_events
    from stancestream.services.storage.live import StanceFilter
    from stancestream.shared.redis import connect, resolve_redis_url

    if stance not in (None, "support", "oppose", "neutral"):
        raise fail(f"--stance must be support, oppose or neutral, not {stance!r}")
    settings = settings_or_exit(data_dir=data_dir, redis_url=redis_url)

    async def run() -> None:
        client = await connect(resolve_redis_url(settings), attempts=3)
        printed = 0
        try:
            created = await ensure_subscriber_group(client, stream, group, from_start)
            where = ("the first entry" if from_start else "now") if created else "where it stopped"
            typer.echo(f"reading {stream} as group {group!r} from {where}", err=True)
            flt = StanceFilter(actor=actor, stance=stance, min_score=min_score)
            async for eid, events in subscribe_events(client, stream, group, flt):
                for ev in events:
                    sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
                sys.stdout.flush()
                await ack(client, stream, group, eid)
                printed += len(events)
                if count is not None and printed >= count:
                    return
        finally:
            await client.aclose()

    then = f"Run it again once the stack is back: group {group!r} goes on where it stopped"
    with redis_errors_exit(then, also=(OSError,)), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def export(
    since: Annotated[
        str | None, typer.Option(help="ISO date/time or a span back from now: 24h, 7d, 2w")
    ] = None,
    until: Annotated[str | None, typer.Option(help="ISO date/time or span, exclusive")] = None,
    time: Annotated[
        str,
        typer.Option(
            help="what --since/--until compare with: published (the article's publication time,"
            " else when it was stored) | ingested (when ingestion took it in)"
        ),
    ] = "published",
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv (stances) | graphml")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
    min_count: Annotated[int, typer.Option(help="graphml: edges seen at least this often")] = 1,
    view: Annotated[
        str,
        typer.Option(
            help="jsonl/csv: article (one row per article and ordered pair, the majority of its"
            " claims, claims as evidence) | claim (one row per claim's stance)"
        ),
    ] = "article",
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Export the stances of a time window (JSON lines or CSV: one row per article and ordered
    pair with names, article link, counts and the claims as evidence, or with --view claim one
    row per claim's stance) or the stance graph (GraphML) from the database."""
    from stancestream.services.cli.downstream import (
        export_graph,
        export_stances,
        graphml,
        parse_when,
    )
    from stancestream.services.storage.queries import GraphFilter

    if fmt not in ("jsonl", "csv", "graphml"):
        raise fail(f"--format must be jsonl, csv or graphml, not {fmt!r}")
    if view not in ("article", "claim"):
        raise fail(f"--view must be article or claim, not {view!r}")
    if time not in ("published", "ingested"):
        raise fail(f"--time must be published or ingested, not {time!r}")
    try:
        t0 = parse_when(since) if since else None
        t1 = parse_when(until) if until else None
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if t0 and t1 and t0 >= t1:
        raise fail(f"empty window: --since {since} is not before --until {until}")
    settings = settings_or_exit(data_dir=data_dir, database_url=database_url)
    url = settings.db_url
    if not settings.database_url and not (settings.data_dir / "stancestream.db").exists():
        raise fail(f"no database in {settings.data_dir}: give --data-dir or DATABASE_URL")
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "graphml":
            f = GraphFilter(since=t0, until=t1, min_count=min_count, time=time)
            g = asyncio.run(export_graph(url, f))
            out.write(graphml(g))
            what = f"{len(g.nodes)} actors and {len(g.edges)} edges"
        else:
            n = asyncio.run(export_stances(url, t0, t1, fmt, out, view, time))
            what = f"{n} {'article-level ' if view == 'article' else ''}stances"
    finally:
        if output:
            out.close()
    typer.echo(f"exported {what}" + (f" to {output}" if output else ""), err=True)


def docs(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default stdout)")
    ] = None,
) -> None:
    """Write the AsyncAPI 3.0 document of every stream (also served at /asyncapi)."""
    from stancestream.shared.asyncapi import asyncapi_document

    text = json.dumps(asyncapi_document(), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``stancestream`` app."""
    app.command()(subscribe)
    app.command()(export)
    app.command()(docs)
