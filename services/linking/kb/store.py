"""Read side of the alias index: exact/normalised lookups and blocked fuzzy matching.

Opening is just ``sqlite3.connect`` (read-only), so loading costs milliseconds whatever the KB
size; rows are cached per key because an article asks for the same names over and over.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from stancestream.services.linking.kb import INDEX_NAME
from stancestream.services.linking.kb.keys import alias_key, tokens

# the default index the package carries (``scripts/build-kb-index --package``; see NOTICE there)
SHIPPED = Path(__file__).with_name("data") / INDEX_NAME


def index_path(kb_dir: Path, shipped: bool = True) -> Path | None:
    """The index a linker uses: the user's in ``kb_dir`` first, else the shipped one."""
    for path in (kb_dir / INDEX_NAME, SHIPPED if shipped else None):
        if path is not None and path.is_file():
            return path
    return None


@dataclass(frozen=True)
class Entry:
    qid: str
    name: str
    type: str
    country: str | None
    description: str | None
    enwiki: str | None
    prior: float


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    count: float  # how often this alias names this entity (sources + gold mentions)
    gold: float  # of which gold (AIDA) mentions
    key_total: float  # summed count of the alias over all its entities
    fuzzy: float = 100.0  # rapidfuzz score of the alias (100 for exact keys)


class KbIndex:
    """The built alias index; thread-safe for the linking service's worker thread."""

    def __init__(self, path: Path):
        self.path = path
        uri = f"file:{path}?mode=ro"
        self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.lookup = lru_cache(maxsize=50_000)(self._lookup)
        self.fuzzy = lru_cache(maxsize=20_000)(self._fuzzy)
        self.entry = lru_cache(maxsize=50_000)(self._entry)
        self.prefixed = lru_cache(maxsize=20_000)(self._prefixed)

    @classmethod
    def open(cls, kb_dir: Path, shipped: bool = True) -> KbIndex | None:
        """The index built in ``kb_dir``, else (``shipped``) the one the package carries, else
        None."""
        path = index_path(kb_dir, shipped)
        return cls(path) if path is not None else None

    def _rows(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def meta(self) -> dict[str, object]:
        return {k: json.loads(v) for k, v in self._rows("SELECT k, v FROM meta", ())}

    def ids(self) -> list[str]:
        return [q for (q,) in self._rows("SELECT qid FROM entity ORDER BY qid", ())]

    def _entry(self, qid: str) -> Entry | None:
        rows = self._rows(
            "SELECT qid, name, type, country, description, enwiki, prior FROM entity WHERE qid = ?",
            (qid,),
        )
        return Entry(*rows[0]) if rows else None

    def _by_key(self, key: str, score: float) -> list[Candidate]:
        rows = self._rows(
            "SELECT e.qid, e.name, e.type, e.country, e.description, e.enwiki, e.prior, "
            "a.count, a.gold FROM alias a JOIN entity e ON e.qid = a.qid WHERE a.key = ?",
            (key,),
        )
        total = sum(r[7] for r in rows)
        return [Candidate(Entry(*r[:7]), r[7], r[8], total, score) for r in rows]

    def _lookup(self, text: str) -> tuple[Candidate, ...]:
        """Entities with ``text`` (normalised) as a name or alias."""
        key = alias_key(text)
        return tuple(self._by_key(key, 100.0)) if key else ()

    def _prefixed(self, text: str) -> tuple[Candidate, ...]:
        """Entities with an alias that is ``text`` (normalised) and more words, its last word
        perhaps plural ("ford motor" -> "ford motor company", "kia motor" -> "kia motors"): a
        range scan of the alias key, at most 200 keys."""
        key = alias_key(text)
        if not key:
            return ()
        keys = [
            k
            for (k,) in self._rows(
                "SELECT DISTINCT key FROM alias WHERE key > ? AND key < ? LIMIT 200",
                (key, key + "\uffff"),
            )
            if k.startswith((key + " ", key + "s ")) or k == key + "s"
        ]
        return tuple(c for k in keys for c in self._by_key(k, 100.0))

    def _fuzzy(self, text: str, cutoff: float = 92.0) -> tuple[Candidate, ...]:
        """Entities whose alias is a near spelling of ``text`` (sharing a token with it)."""
        key = alias_key(text)
        toks = tokens(key)
        if len(key) < 6 or not toks:
            return ()
        marks = ",".join("?" * len(toks))
        keys = {
            k
            for (k,) in self._rows(
                f"SELECT DISTINCT key FROM token WHERE tok IN ({marks}) LIMIT 2000", tuple(toks)
            )
        }
        out: list[Candidate] = []
        for k in keys - {key}:
            score = fuzz.ratio(key, k)
            if score >= cutoff:
                out.extend(self._by_key(k, score))
        return tuple(out)

    def close(self) -> None:
        self._con.close()
