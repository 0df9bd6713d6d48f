"""Compile the KB sources into one SQLite alias index (``<data_dir>/kb/index.sqlite``).

SQLite because opening it costs nothing whatever its size (a filtered Wikidata dump can hold
millions of aliases), lookups are indexed, and the file is one portable artefact. The index is
written to a temporary file and moved into place, so a running linker never sees half of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stancestream.services.linking.kb import INDEX_NAME
from stancestream.services.linking.kb.extra_sources import Countries, find_files, read_extra
from stancestream.services.linking.kb.keys import alias_key, tokens
from stancestream.services.linking.kb.sources import (
    FILES,
    Record,
    read_aida,
    read_countries,
    read_intl_orgs,
    read_legislators,
    read_parties,
    read_wikidata_dump,
)

# Earlier sources win for name, type, country and description (curated before crowd/gold).
# The extra sources (kb-extra) come after the curated ones: people and places with ids and
# positions before crowd-named brands and operators; the ODbL states last of the files.
PRIORITY = (
    "countries",
    "intl_orgs",
    "legislators",
    "parties",
    "executive",
    "world_leaders",
    "officeholders",
    "politician_bios",
    "cabinets",
    "us_states",
    "places",
    "us_cities",
    "us_newspapers",
    "wikidata",
    "nsi",
    "csc_states",
    "aida",
)

SCHEMA = """
CREATE TABLE entity (qid TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
  country TEXT, description TEXT, enwiki TEXT, prior REAL NOT NULL, sources TEXT NOT NULL)
  WITHOUT ROWID;
CREATE TABLE alias (key TEXT NOT NULL, qid TEXT NOT NULL, count REAL NOT NULL,
  gold REAL NOT NULL, PRIMARY KEY (key, qid)) WITHOUT ROWID;
CREATE TABLE token (tok TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tok, key)) WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


@dataclass
class BuildReport:
    path: Path
    entities: int
    aliases: int
    per_source: dict[str, int]
    seconds: float


def merge(records: Iterable[Record]) -> dict[str, dict]:
    """One entry per QID: the best-ranked source's fields, all aliases, summed priors."""
    rank = {s: i for i, s in enumerate(PRIORITY)}
    out: dict[str, dict] = {}
    for r in records:
        e = out.get(r.qid)
        if e is None:
            e = out[r.qid] = {
                "qid": r.qid,
                "name": r.name,
                "type": r.type,
                "country": r.country,
                "description": r.description,
                "enwiki": r.enwiki,
                "prior": 0.0,
                "sources": [],
                "aliases": {},
                "gold": {},
                "rank": rank[r.source],
            }
        better = rank[r.source] < e["rank"]
        for f in ("name", "country", "description", "enwiki"):
            v = getattr(r, f)
            if v and (better or not e[f]):
                e[f] = v
        if r.type != "other" and (better or e["type"] == "other"):
            e["type"] = r.type
        e["rank"] = min(e["rank"], rank[r.source])
        e["prior"] += r.prior
        if r.source not in e["sources"]:
            e["sources"].append(r.source)
        for form, n in r.aliases.items():
            k = alias_key(form)
            if k:
                e["aliases"][k] = e["aliases"].get(k, 0.0) + n
                if r.source == "aida":
                    e["gold"][k] = e["gold"].get(k, 0.0) + n
    return out


# curated sources under a share-alike licence: left out of an index built ``permissive``
SHARE_ALIKE = frozenset({"intl_orgs"})  # confirmordeny/supraverden, CC-BY-SA 4.0


def _curated(source_dirs: Sequence[Path], permissive: bool = False) -> dict[str, Path]:
    """Each curated file from the first source dir that holds it (flat, as `kb download`
    writes them); a missing one is an error (a share-alike one is not read ``permissive``)."""
    found = {
        k: next((d / f for d in source_dirs if (d / f).is_file()), None)
        for k, f in FILES.items()
        if not (permissive and k in SHARE_ALIKE)
    }
    missing = [FILES[k] for k, p in found.items() if p is None]
    if missing:
        where = ", ".join(str(d) for d in source_dirs)
        raise FileNotFoundError(
            f"missing KB source file(s) in {where}: {', '.join(missing)} "
            "(run `stancestream kb download` or pass --source-dir)"
        )
    return {k: p for k, p in found.items() if p is not None}


def read_all(
    source_dir: Path | Sequence[Path],
    aida: Path | None = None,
    dumps: Iterable[Path] = (),
    include_odbl: bool = False,
    permissive: bool = False,
) -> tuple[list[Record], dict[str, int]]:
    """Every record of the sources present in the source dir(s): the four curated files
    (required) and the extra files (kb-extra, any depth, optional; ODbL ones only with
    ``include_odbl``)."""
    dirs = [source_dir] if isinstance(source_dir, Path) else list(source_dir)
    files = _curated(dirs, permissive)
    countries, iso = read_countries(files["countries"])
    parts = {
        "countries": countries,
        "intl_orgs": read_intl_orgs(files["intl_orgs"]) if "intl_orgs" in files else [],
        "parties": read_parties(files["parties"], iso),
        "legislators": read_legislators(files["legislators"], iso.get("USA")),
    }
    extra = find_files(dirs, include_odbl and not permissive)
    if extra:
        parts |= read_extra(extra, Countries.of(files["countries"], iso, countries))
    for d in dumps:
        parts.setdefault("wikidata", []).extend(read_wikidata_dump(d))
    if aida is not None:
        parts["aida"] = read_aida(aida)
    records = [r for rs in parts.values() for r in rs]
    return records, {k: len(v) for k, v in parts.items()}


def write_index(entries: dict[str, dict], path: Path, meta: dict[str, object]) -> int:
    """Write the SQLite index atomically; returns the number of alias rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(SCHEMA)
        con.executemany(
            "INSERT INTO entity VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    e["qid"],
                    e["name"],
                    e["type"],
                    e["country"],
                    e["description"],
                    e["enwiki"],
                    e["prior"],
                    ",".join(e["sources"]),
                )
                for e in entries.values()
            ),
        )
        rows = [
            (k, e["qid"], n, e["gold"].get(k, 0.0))
            for e in entries.values()
            for k, n in e["aliases"].items()
        ]
        con.executemany("INSERT INTO alias VALUES (?,?,?,?)", rows)
        keys = {k for k, _, _, _ in rows}
        con.executemany(
            "INSERT OR IGNORE INTO token VALUES (?,?)", ((t, k) for k in keys for t in tokens(k))
        )
        con.executemany(
            "INSERT INTO meta VALUES (?,?)", ((k, json.dumps(v)) for k, v in meta.items())
        )
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    os.replace(tmp, path)
    return len(rows)


def build(
    source_dir: Path | Sequence[Path],
    kb_dir: Path,
    aida: Path | None = None,
    dumps: Iterable[Path] = (),
    include_odbl: bool = False,
    permissive: bool = False,
) -> BuildReport:
    """Build ``kb_dir/index.sqlite`` from the files in the source dir(s) (+ AIDA gold, dumps);
    ``permissive``: only the sources whose licence lets the index ship without share-alike
    terms (no ODbL, no CC-BY-SA file)."""
    t0 = time.perf_counter()
    dirs = [source_dir] if isinstance(source_dir, Path) else list(source_dir)
    records, per_source = read_all(dirs, aida, list(dumps), include_odbl, permissive)
    entries = merge(records)
    path = kb_dir / INDEX_NAME
    n = write_index(
        entries,
        path,
        {
            "built_at": time.time(),
            "per_source": per_source,
            "source_dir": str(dirs[0]),
            "source_dirs": [str(d) for d in dirs],
            "odbl": include_odbl and not permissive,
            "permissive": permissive,
        },
    )
    return BuildReport(path, len(entries), n, per_source, time.perf_counter() - t0)
