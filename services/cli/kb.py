"""``stancestream kb``: download the open sources, build the alias index, list its QIDs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from stancestream.services.cli.options import DataDir, fail
from stancestream.shared.settings import load_settings

app = typer.Typer(
    help="Knowledge base of actors with Wikidata ids (download, build, ids).", no_args_is_help=True
)


def _sources_dir(data_dir: Path | None) -> tuple[Path, Path]:
    settings = load_settings(data_dir=data_dir)
    return settings.data_dir / "kb-sources", settings.kb_dir


def _meanwhile() -> str:
    from stancestream.services.linking.kb.store import SHIPPED

    if SHIPPED.is_file():
        return "Meanwhile the index shipped with the package links actors."
    return "Meanwhile actors keep local ids."


@app.command()
def download(
    data_dir: DataDir = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="fetch BASE_URL/FILE instead of the public locations (a mirror)"),
    ] = None,
    accept_changed: Annotated[
        bool,
        typer.Option(
            "--accept-changed", help="keep files whose sha256 differs from the pinned one"
        ),
    ] = False,
    extra: Annotated[
        bool,
        typer.Option(
            "--extra/--no-extra",
            help="also the kb-extra sources (NSI, hearvox, executive.yaml, Natural Earth, "
            "EveryPolitician), as the shipped index reads",
        ),
    ] = True,
    include_odbl: Annotated[
        bool,
        typer.Option(
            "--include-odbl",
            help="also dr5hn states.csv (ODbL, share-alike: for an index you keep to yourself)",
        ),
    ] = False,
) -> None:
    """Fetch the open sources into <data_dir>/kb-sources, verifying their sha256."""

    from stancestream.services.linking.kb.download import ChecksumError
    from stancestream.services.linking.kb.download import download as run

    dest, _ = _sources_dir(data_dir)
    out = run(dest, base_url, accept_changed, extra=extra, include_odbl=include_odbl)
    if out.skipped:
        typer.echo(
            f"not fetched, no public location pinned: {', '.join(s.file for s in out.skipped)} "
            f"({out.skipped[0].licence}). Copy them from a checkout of "
            "github.com/every-politician-scrapers/world into a folder and add "
            "`--source-dir FOLDER` to `kb build`, or serve all files from a mirror "
            "(`--base-url`); without them office holders and cabinets are missing.",
            err=True,
        )
    if out.failed:
        lines = "\n".join(f"  {f}: {e}" for f, e in out.failed.items())
        changed = any(isinstance(e, ChecksumError) for e in out.failed.values())
        raise fail(
            f"download failed{' (no network?)' if out.offline else ''} for "
            f"{len(out.failed)} of {len(out.failed) + len(out.fetched)} files "
            f"({len(out.fetched)} fetched into {dest}):\n{lines}\n"
            + (
                "A changed upstream file: check it, then re-run with --accept-changed. "
                if changed
                else ""
            )
            + "Alternatives: `stancestream kb download --base-url URL` fetches the same files "
            "from a mirror; `stancestream kb build --source-dir DIR` (repeatable) builds from "
            f"local copies of the sources. {_meanwhile()}",
            code=1,
        )
    typer.echo(f"{len(out.fetched)} files in {dest}; next: stancestream kb build", err=True)


@app.command()
def build(
    data_dir: DataDir = None,
    source_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--source-dir",
            help="folder with source files (repeatable; default <data_dir>/kb-sources): the "
            "four curated files (first folder holding each), and any kb-extra files at any depth",
        ),
    ] = None,
    wikidata_dump: Annotated[
        list[Path] | None,
        typer.Option(
            "--wikidata-dump",
            help="Wikidata JSON dump, one entity a line (.gz/.bz2 ok; repeatable)",
        ),
    ] = None,
    aida: Annotated[
        Path | None,
        typer.Option(
            help="ELEVANT-format gold file (e.g. aida-conll-dev.jsonl) for aliases and priors"
        ),
    ] = None,
    include_odbl: Annotated[
        bool,
        typer.Option(
            "--include-odbl",
            help="also read ODbL (share-alike) files (countries-states-cities states.csv); "
            "an index built so is ODbL too: for local use, never ship it",
        ),
    ] = False,
    permissive: Annotated[
        bool,
        typer.Option(
            "--permissive",
            help="only sources an index can ship under without share-alike terms (no ODbL, "
            "no CC-BY-SA file: the list of international organisations is left out)",
        ),
    ] = False,
) -> None:
    """Compile the alias index into <data_dir>/kb/index.sqlite."""
    from stancestream.services.linking.kb.build import build as run

    default_src, kb_dir = _sources_dir(data_dir)
    try:
        rep = run(
            source_dir or [default_src],
            kb_dir,
            aida,
            wikidata_dump or [],
            include_odbl,
            permissive,
        )
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc), code=1) from exc
    parts = ", ".join(f"{k} {v}" for k, v in rep.per_source.items())
    typer.echo(
        f"built {rep.path}: {rep.entities} entities, {rep.aliases} aliases "
        f"({parts}) in {rep.seconds:.1f}s",
        err=True,
    )
    shipped = _shipped_entities()
    if shipped > rep.entities:
        typer.echo(
            f"warning: this index holds fewer entities than the one the package ships "
            f"({rep.entities:,} < {shipped:,}), and the linker now uses it instead. Add the "
            "extra sources (`--source-dir` with the kb-extra files, see the README), or delete "
            f"{rep.path} to link with the shipped index again.",
            err=True,
        )


def _shipped_entities() -> int:
    """How many entities the index the package carries holds (0 without one)."""
    import sqlite3

    from stancestream.services.linking.kb.store import SHIPPED

    if not SHIPPED.is_file():
        return 0
    with sqlite3.connect(f"file:{SHIPPED}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT COUNT(*) FROM entity").fetchone()[0])


@app.command()
def ids(data_dir: DataDir = None) -> None:
    """Print every QID the built KB holds, one a line."""
    from stancestream.services.linking.kb.store import KbIndex

    _, kb_dir = _sources_dir(data_dir)
    index = KbIndex.open(kb_dir)
    if index is None:
        raise fail(f"no KB index in {kb_dir}; run `stancestream kb build`", code=1)
    typer.echo("\n".join(index.ids()))


@app.command()
def lookup(
    name: str, type_: Annotated[str, typer.Option("--type")] = "other", data_dir: DataDir = None
) -> None:
    """Show the candidates and the decision for one name (debugging aid)."""
    from stancestream.services.linking.kb.linker import KbLinker, Query

    _, kb_dir = _sources_dir(data_dir)
    t0 = time.perf_counter()
    linker = KbLinker.open(kb_dir)
    if linker is None:
        raise fail(f"no KB index in {kb_dir}; run `stancestream kb build`", code=1)
    q = Query(name, type_, [name])
    for qid, cands in linker.candidates(q).items():
        e = cands[0].entry
        typer.echo(
            f"{qid}\t{e.name}\t{e.type}\tcount={sum(c.count for c in cands):g}"
            f"\tprior={e.prior:g}\t{e.description or ''}"
        )
    d = linker.decide(q, {})
    typer.echo(
        f"-> {d.qid} ({d.why}, share {d.share:.2f}) in {(time.perf_counter() - t0) * 1000:.1f} ms",
        err=True,
    )
