"""The ``stancestream`` command: run the stack, feed it, run one service, analyze offline; the
other command groups (``stance``, ``dlq``, ``kb``, ``subscribe``/``export``/``docs``) are added
from their modules."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from stancestream.services.cli.dlq import app as dlq_app
from stancestream.services.cli.downstream_commands import register as register_downstream
from stancestream.services.cli.kb import app as kb_app
from stancestream.services.cli.logs import setup_logging
from stancestream.services.cli.options import (
    DataDir,
    DbUrl,
    RedisUrl,
    fail,
    redis_errors_exit,
    settings_or_exit,
)
from stancestream.services.stance.cli import app as stance_app
from stancestream.services.stance.cli import open_io

app = typer.Typer(
    help="StanceStream: live news in, linked actors and directed stances out.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # docstring lines wrap as paragraphs, not at their breaks
    pretty_exceptions_enable=False,
)
app.add_typer(stance_app, name="stance")
app.add_typer(dlq_app, name="dlq")
app.add_typer(kb_app, name="kb")
register_downstream(app)  # subscribe, export, docs

SERVICE_SPECS = {
    "ingestion": "stancestream.services.ingestion.service",
    "linking": "stancestream.services.linking.service",
    "stance": "stancestream.services.stance.service",
    "storage": "stancestream.services.storage.service",
}


@app.command()
def service(
    name: Annotated[str, typer.Argument(help="ingestion | linking | stance | storage")],
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
    database_url: DbUrl = None,
) -> None:
    """Run one service worker in the foreground until SIGTERM/Ctrl-C (scale by running more)."""
    import importlib

    from stancestream.shared.service import run_service

    if name not in SERVICE_SPECS:
        raise fail(f"unknown service {name!r}; choose from {', '.join(SERVICE_SPECS)}")
    settings = settings_or_exit(data_dir=data_dir, redis_url=redis_url, database_url=database_url)
    setup_logging(settings.log_level, name, settings.log_format)
    spec = importlib.import_module(SERVICE_SPECS[name]).SPEC
    with redis_errors_exit():
        asyncio.run(run_service(spec, settings))


@app.command()
def up(
    data_dir: DataDir = None,
    port: Annotated[int | None, typer.Option(help="API port (default 8000)")] = None,
    redis_url: RedisUrl = None,
    database_url: DbUrl = None,
    workers: Annotated[
        list[str] | None,
        typer.Option(
            "--workers", help="processes per service, e.g. --workers stance=2 (repeatable)"
        ),
    ] = None,
) -> None:
    """Run the whole pipeline here: embedded Redis (unless REDIS_URL), SQLite (unless
    DATABASE_URL), all four services and the API, until Ctrl-C/SIGTERM."""
    from stancestream.services.cli.stack import DataDirLock, Stack, parse_workers

    kw: dict[str, object] = {
        "data_dir": data_dir,
        "redis_url": redis_url,
        "database_url": database_url,
    }
    settings = settings_or_exit(**kw)
    if port is not None:
        settings.storage.port = port
    setup_logging(settings.log_level, "up", settings.log_format)
    try:
        counts = parse_workers(workers or [])
    except ValueError as exc:
        raise fail(str(exc)) from exc
    stack = Stack(settings, counts)
    lock = DataDirLock(settings.data_dir)
    problem = lock.acquire() or stack.preflight()
    if problem:
        raise fail(problem)
    stack.handle_signals()  # from here on, Ctrl-C stops everything in order
    try:
        stack.start()
        api = f"http://{settings.storage.host}:{settings.storage.port}"
        if stack.wait_ready():
            typer.echo(
                f"StanceStream is up: API {api}/docs, data dir {settings.data_dir}\n"
                f"Feed it: stancestream ingest --data-dir {settings.data_dir} FILE|URL|--feed URL"
                "\nStop with Ctrl-C.",
                err=True,
            )
        elif not stack.stopping:
            typer.echo(
                f"warning: the API at {api} is not answering yet; see {settings.data_dir}/logs/",
                err=True,
            )
        stack.run_forever()
    finally:
        stack.stop()
        lock.release()


@app.command()
def ingest(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="files (text, HTML, JSONL), folders or http(s) URLs")
    ] = None,
    feed: Annotated[
        list[str] | None, typer.Option("--feed", help="RSS/Atom feed URL (repeatable)")
    ] = None,
    data_dir: DataDir = None,
    redis_url: RedisUrl = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help='one JSON object per input: {"input", "status": published|duplicate|rejected,'
            ' "id" | "error"}',
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="publish known articles again (same ids: storage updates them, no duplicates)",
        ),
    ] = False,
) -> None:
    """Publish articles into the running stack (the one `up` started with the same data dir, or
    REDIS_URL) and print `input -> id` for each (`(duplicate)` for one known already).
    Rejected inputs are listed with the reason and parked in articles.v1.dlq."""
    from stancestream.services.ingestion.service import ingest as run_ingest

    if not inputs and not feed:
        raise fail("nothing to ingest: give files, URLs or --feed URL")
    settings = settings_or_exit(data_dir=data_dir, redis_url=redis_url)
    setup_logging("WARNING")
    then = "Run it again once the stack is back: what was published is skipped as duplicate"
    with redis_errors_exit(then):
        report = asyncio.run(
            run_ingest(
                settings, list(inputs or []), list(feed or []), progress=not quiet, force=force
            )
        )
    typer.echo(report.summary(), err=True)
    for out in report.outcomes:
        if as_json:
            typer.echo(json.dumps(out.as_json(), ensure_ascii=False))
        elif out.status == "published":
            typer.echo(f"{out.input} -> {out.id}")
        elif out.status == "duplicate":
            typer.echo(f"{out.input} -> {out.id} (duplicate)")
        # the rejected ones were listed on stderr with their reason
    raise typer.Exit(1 if report.rejected and not report.published else 0)


@app.command()
def analyze(
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL (default stdin)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL (default stdout)")
    ] = None,
    model: Annotated[str | None, typer.Option(help="stance model: shipped, path or HF id")] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="report bad lines and go on")
    ] = False,
    no_stance: Annotated[
        bool, typer.Option("--no-stance", help="entities and claims only")
    ] = False,
    text: Annotated[
        bool,
        typer.Option("--text", help="for reading: actors, and each support/oppose with its claim"),
    ] = False,
) -> None:
    """Offline, one process, no Redis: {"id","text"[,"title","url","published_at"]} per line in,
    {"id","entities","claims","stances"} per line out (--text: a block per article to read)."""
    from stancestream.services.cli.analyze import run_analyze

    settings = settings_or_exit()
    setup_logging("WARNING")
    with open_io(input, output) as (src, dst):
        code = run_analyze(
            settings,
            src,
            dst,
            model=model,
            skip_bad=skip_bad,
            with_stance=not no_stance,
            text=text,
        )
    raise typer.Exit(code)


@app.command()
def relink(
    since: Annotated[
        str | None, typer.Option(help="ISO date/time or a span back from now: 24h, 7d, 2w")
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Read stored articles again with the current knowledge base and reading, and replace their
    actors, claims and stances: local ids become Wikidata ids, no duplicates are left."""
    from stancestream.services.cli.downstream import parse_when
    from stancestream.services.cli.relink import relink as run_relink

    try:
        t0 = parse_when(since) if since else None
    except ValueError as exc:
        raise fail(str(exc)) from exc
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    settings = settings_or_exit(**overrides)
    setup_logging("WARNING")
    n = run_relink(settings, t0, echo=lambda m: typer.echo(m, err=True))
    typer.echo(f"relinked {n} articles in {settings.db_url}", err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
