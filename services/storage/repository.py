"""Idempotent writes of pipeline messages (the reads are in :mod:`.queries`).

Every write is an ``INSERT ... ON CONFLICT DO UPDATE`` keyed on the pipeline's deterministic ids,
one transaction per call, so a redelivered message rewrites the same rows instead of adding
some. An article's metadata may arrive first from a :class:`StanceBatch` (no text yet) or from
the :class:`Article` itself; the merge rules below make both orders end with the same full row.
Rows are written in key order so concurrent workers lock them in the same order (no deadlocks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Table, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from stancestream.services.storage import stories
from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.tables import (
    ArticleEntityRow,
    ArticleRow,
    ArticleSketchRow,
    Base,
    ClaimRow,
    EntityAliasRow,
    EntityRow,
    StanceRow,
    utcnow,
)
from stancestream.shared.contracts import Article, Entity, StanceBatch

Row = dict[str, Any]
# how a column is set on conflict, given (excluded, table) columns of that name
Merge = Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[Any]]


def _new(new: ColumnElement[Any], _old: ColumnElement[Any]) -> ColumnElement[Any]:
    return new


def _newer_if_set(new: ColumnElement[Any], old: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(new, old)


def _first(new: ColumnElement[Any], old: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(old, new)


def _type_unless_other(new: ColumnElement[Any], old: ColumnElement[Any]) -> ColumnElement[Any]:
    """An actor typed "other" in one article must not erase a real type found in another."""
    return case((new == "other", old), else_=new)


def _table(row: type[Base]) -> Table:
    """The table a row class maps (declarative ``__table__`` is typed as any ``FromClause``)."""
    table = row.__table__
    assert isinstance(table, Table)
    return table


class UnsupportedDatabase(RuntimeError):
    """Upserts are written for SQLite and PostgreSQL only."""


def _upsert_stmt(dialect: str, table: Table, key: Sequence[str], merge: dict[str, Merge]) -> Any:
    if dialect == "postgresql":
        ins: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        ins = sqlite.insert(table)
    else:
        raise UnsupportedDatabase(f"no upsert for database {dialect!r}: use SQLite or PostgreSQL")
    return ins.on_conflict_do_update(
        index_elements=list(key),
        set_={col: fn(ins.excluded[col], table.c[col]) for col, fn in merge.items()},
    )


async def _upsert(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Row],
    key: Sequence[str],
    merge: dict[str, Merge],
) -> None:
    """Upsert ``rows`` (executemany: no bound-parameter limit, one statement prepared once)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ordered = sorted(rows, key=lambda r: tuple(r[k] for k in key))
    await session.execute(_upsert_stmt(dialect, table, key, merge), ordered)


ARTICLE_META_MERGE: dict[str, Merge] = {
    "url": _newer_if_set,
    "title": _newer_if_set,
    "source": _newer_if_set,
    "published_at": _newer_if_set,
    "ingested_at": _first,
}
ARTICLE_MERGE: dict[str, Merge] = {**ARTICLE_META_MERGE, "text": _new, "content_hash": _new}
ENTITY_MERGE: dict[str, Merge] = {
    "name": _new,
    "type": _type_unless_other,
    "wikidata": _newer_if_set,
}
ARTICLE_ENTITY_MERGE: dict[str, Merge] = {"mentions": _new, "affiliation": _new}
CLAIM_MERGE: dict[str, Merge] = {
    c: _new for c in ("article_id", "span_start", "span_end", "text", "speaker", "kind", "mentions")
}
STANCE_MERGE: dict[str, Merge] = {  # created_at and stored_at keep their first value
    c: _new
    for c in (
        "article_id",
        "claim_id",
        "source",
        "target",
        "stance",
        "score",
        "scores",
        "model",
        "basis",
        "cue",
    )
}


def _merge_entity(old: Row | None, new: Row) -> Row:
    """The same in-call merge as :data:`ENTITY_MERGE` does in the database."""
    if old is None:
        return new
    return {
        **new,
        "type": old["type"] if new["type"] == "other" else new["type"],
        "wikidata": new["wikidata"] or old["wikidata"],
    }


def norm_alias(text: str) -> str:
    """How aliases are compared: whitespace collapsed, lower case (see :class:`EntityAliasRow`)."""
    return " ".join(text.split()).lower()[:255]


_WORD = re.compile(r"[^\W\d_]{2,}")


def names_it(alias: str, name: str) -> bool:
    """Whether a mention's surface form is a name of the actor rather than a pronoun or a
    description ("he", "the Russian general"): it shares a word with the name, or is an
    acronym ("US", "DOJ")."""
    text = alias.strip()
    if text.isupper() and 2 <= len(text.replace(".", "")) <= 6:
        return True
    words = {w.lower() for w in _WORD.findall(name)}
    return bool(words & {w.lower() for w in _WORD.findall(text)})


def _alias_rows(batch: StanceBatch) -> list[Row]:
    """The actors' names and the surface forms of their mentions in the claims that name them
    (pronouns and descriptions resolved to an actor are not its aliases)."""
    out = [(e.id, e.name) for e in batch.entities]
    names = {e.id: e.name for e in batch.entities}
    out += [
        (m.entity, surface)
        for c in batch.claims
        for m in c.mentions
        if names_it(surface := c.text[m.span[0] : m.span[1]], names.get(m.entity, ""))
    ]
    return [
        {"entity_id": eid, "alias_norm": norm_alias(a), "alias": a.strip()}
        for eid, a in out
        if norm_alias(a)
    ]


async def _insert_new(session: AsyncSession, table: Table, rows: Sequence[Row]) -> None:
    """Insert rows whose key is not there yet (``ON CONFLICT DO NOTHING``), in key order."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    keys = [c.name for c in table.primary_key]
    ordered = sorted(rows, key=lambda r: tuple(r[k] for k in keys))
    await session.execute(ins.on_conflict_do_nothing(index_elements=keys), ordered)


def _entity_row(e: Entity) -> Row:
    return {"id": e.id, "name": e.name, "type": e.type, "wikidata": e.wikidata}


class Repository:
    """The storage service's database access; one instance per engine, safe to share.

    ``story_similarity``: the Jaccard similarity of 24-character shingles at which an article
    joins an earlier one's story (``stories.py``); 0 turns story clustering off (every article
    is its own story)."""

    def __init__(self, sessionmaker: Sessionmaker, story_similarity: float = 0.6):
        self.sessionmaker = sessionmaker
        self.story_similarity = story_similarity

    # ---- writes ----------------------------------------------------------------------------
    async def store_articles(self, articles: Sequence[Article]) -> None:
        """Upsert ``articles.v1`` messages (text and metadata) in one transaction."""
        now = utcnow()
        rows = {
            a.id: {
                "id": a.id,
                "url": a.url,
                "title": a.title,
                "source": a.source,
                "published_at": a.published_at,
                "text": a.text,
                "content_hash": a.content_hash,
                "ingested_at": a.trace.ingested_at,
                "stored_at": now,
            }
            for a in articles
        }
        async with self.sessionmaker.begin() as session:
            await _upsert(session, _table(ArticleRow), list(rows.values()), ["id"], ARTICLE_MERGE)
            if self.story_similarity > 0:
                await self._assign_stories(session, [a for a in articles if a.text])

    async def assign_stories(self, articles: Sequence[Article]) -> None:
        """Put stored ``articles`` that have no story yet (stored before migration 0004, or
        with clustering off) into stories, oldest first as given (``stancestream relink``)."""
        if self.story_similarity > 0:
            async with self.sessionmaker.begin() as session:
                await self._assign_stories(session, [a for a in articles if a.text])

    async def _assign_stories(self, session: AsyncSession, articles: Sequence[Article]) -> None:
        """Give each article without a story the story of the most similar earlier article at
        or above the threshold (found by sketch, checked exactly), else its own id; record its
        sketch. Batch-mates are candidates for the articles after them. A handful of
        statements per batch, whatever its size."""
        ids = sorted({a.id for a in articles})
        if not ids:
            return
        done = set(
            await session.scalars(
                select(ArticleRow.id).where(ArticleRow.id.in_(ids), ArticleRow.story.is_not(None))
            )
        )
        todo = {a.id: a for a in articles if a.id not in done}
        if not todo:
            return
        grams = {i: stories.shingles(a.text or "") for i, a in todo.items()}
        sketches = {i: stories.sketch(g) for i, g in grams.items()}
        stored = await self._sketch_owners(session, sketches, set(todo))
        cands = {i: stories.shared_counts(sketches[i], stored) for i in todo}
        # the stored candidates worth checking: the five sharing most hashes with each article
        check = {i: stories.worth_checking(c, len(sketches[i])) for i, c in cands.items()}
        known = await self._texts_and_stories(session, {j for js in check.values() for j in js})
        story_of: dict[str, str] = {}
        for i in sorted(todo):
            mates = stories.shared_counts(sketches[i], stories.owners(sketches, story_of))
            best, best_sim = None, self.story_similarity
            for j in check[i] + stories.worth_checking(mates, len(sketches[i])):
                other = grams[j] if j in story_of else known[j][0] if j in known else None
                if other is None:
                    continue
                sim = stories.jaccard(grams[i], other)
                if sim >= best_sim:
                    best, best_sim = j, sim
            story_of[i] = (story_of.get(best) or known[best][1]) if best else i
        table = _table(ArticleRow)  # Core executemany: one prepared UPDATE for the batch
        await session.execute(
            update(table).where(table.c.id == bindparam("aid")).values(story=bindparam("s")),
            [{"aid": i, "s": story} for i, story in sorted(story_of.items())],
        )
        rows = [{"hash": h, "article_id": i} for i in todo for h in sketches[i]]
        await _insert_new(session, _table(ArticleSketchRow), rows)

    @staticmethod
    async def _sketch_owners(
        session: AsyncSession, sketches: dict[str, list[int]], skip: set[str]
    ) -> dict[int, list[str]]:
        """hash -> the stored articles (not in ``skip``) whose sketch holds it."""
        hashes = sorted({h for sk in sketches.values() for h in sk})
        owners: dict[int, list[str]] = {}
        for chunk in (hashes[k : k + 500] for k in range(0, len(hashes), 500)):
            rows = await session.execute(
                select(ArticleSketchRow.hash, ArticleSketchRow.article_id).where(
                    ArticleSketchRow.hash.in_(chunk)
                )
            )
            for h, aid in rows:
                if aid not in skip:
                    owners.setdefault(int(h), []).append(aid)
        return owners

    @staticmethod
    async def _texts_and_stories(
        session: AsyncSession, ids: set[str]
    ) -> dict[str, tuple[np.ndarray, str]]:
        """id -> (its shingle hashes, its story: its own id where none is recorded)."""
        out: dict[str, tuple[np.ndarray, str]] = {}
        ordered = sorted(ids)
        for chunk in (ordered[k : k + 500] for k in range(0, len(ordered), 500)):
            rows = await session.execute(
                select(ArticleRow.id, ArticleRow.text, ArticleRow.story).where(
                    ArticleRow.id.in_(chunk)
                )
            )
            out.update(
                {aid: (stories.shingles(text or ""), story or aid) for aid, text, story in rows}
            )
        return out

    async def store_stance_batches(
        self, batches: Sequence[StanceBatch], replace: bool = False
    ) -> None:
        """Upsert ``stances.v1`` messages: article metadata, actors, claims, stances. With
        ``replace`` (a re-reading of stored articles, ``stancestream relink``) the articles'
        previous actors, claims and stances go first, in the same transaction, and actors no
        article mentions any more are removed with their aliases. A batch is an article's whole
        reading, so an article that already has claims (``ingest --force``, a redelivery) is
        replaced the same way: a re-reading never leaves the claims of an older one behind."""
        rows = _BatchRows.of(batches, utcnow())
        async with self.sessionmaker.begin() as session:
            ids = list(rows.articles)
            if not replace and ids:
                read_before = select(ClaimRow.article_id).where(ClaimRow.article_id.in_(ids))
                ids = list((await session.execute(read_before.distinct())).scalars())
                replace = bool(ids)
            if replace:
                await _clear_reading(session, ids, rows.stances)
            await rows.upsert(session)
            if replace:
                await _drop_unmentioned_actors(session)


@dataclass
class _BatchRows:
    """The rows of a set of ``stances.v1`` messages, by key: an actor seen twice is merged,
    any other row of a later batch wins."""

    articles: dict[str, Row] = field(default_factory=dict)
    entities: dict[str, Row] = field(default_factory=dict)
    links: dict[tuple[str, str], Row] = field(default_factory=dict)
    claims: dict[str, Row] = field(default_factory=dict)
    stances: dict[str, Row] = field(default_factory=dict)
    aliases: dict[tuple[str, str], Row] = field(default_factory=dict)

    @classmethod
    def of(cls, batches: Sequence[StanceBatch], now: datetime) -> _BatchRows:
        rows = cls()
        for b in batches:
            rows.add(b, now)
        return rows

    def add(self, b: StanceBatch, now: datetime) -> None:
        self.aliases.update({(r["entity_id"], r["alias_norm"]): r for r in _alias_rows(b)})
        a = b.article
        self.articles[a.id] = {
            "id": a.id,
            "url": a.url,
            "title": a.title,
            "source": a.source,
            "published_at": a.published_at,
            "ingested_at": b.trace.ingested_at,
            "stored_at": now,
        }
        for e in b.entities:
            self.entities[e.id] = _merge_entity(self.entities.get(e.id), _entity_row(e))
            self.links[(a.id, e.id)] = {
                "article_id": a.id,
                "entity_id": e.id,
                "mentions": [list(m) for m in e.mentions],
                "affiliation": e.affiliation,
            }
        for c in b.claims:
            self.claims[c.id] = {
                "id": c.id,
                "article_id": a.id,
                "span_start": c.span[0],
                "span_end": c.span[1],
                "text": c.text,
                "speaker": c.speaker,
                "kind": c.kind,
                "mentions": [m.model_dump(mode="json") for m in c.mentions],
            }
        created = a.published_at or now
        for s in b.stances:
            self.stances[s.id] = {
                "id": s.id,
                "article_id": a.id,
                "claim_id": s.claim,
                "source": s.source,
                "target": s.target,
                "stance": s.stance,
                "score": s.score,
                "scores": dict(s.scores),
                "model": b.model,
                "basis": s.basis,
                "cue": s.cue,
                "created_at": created,
                "stored_at": now,
            }

    async def upsert(self, session: AsyncSession) -> None:
        """Write every row, parents first."""
        await _upsert(
            session, _table(ArticleRow), list(self.articles.values()), ["id"], ARTICLE_META_MERGE
        )
        await _upsert(
            session, _table(EntityRow), list(self.entities.values()), ["id"], ENTITY_MERGE
        )
        await _upsert(
            session,
            _table(ArticleEntityRow),
            list(self.links.values()),
            ["article_id", "entity_id"],
            ARTICLE_ENTITY_MERGE,
        )
        await _upsert(session, _table(ClaimRow), list(self.claims.values()), ["id"], CLAIM_MERGE)
        await _upsert(session, _table(StanceRow), list(self.stances.values()), ["id"], STANCE_MERGE)
        await _insert_new(session, _table(EntityAliasRow), list(self.aliases.values()))


async def _clear_reading(session: AsyncSession, ids: list[str], stances: dict[str, Row]) -> None:
    """Delete the previous reading (stances, claims, actor links) of articles ``ids``; a stance
    read again keeps the time it was first stored (what since= sees)."""
    first = select(StanceRow.id, StanceRow.created_at, StanceRow.stored_at).where(
        StanceRow.article_id.in_(ids)
    )
    for sid, created_at, stored_at in (await session.execute(first)).all():
        if sid in stances:
            stances[sid]["created_at"], stances[sid]["stored_at"] = created_at, stored_at
    for row in (StanceRow, ClaimRow, ArticleEntityRow):
        await session.execute(delete(row).where(row.article_id.in_(ids)))


async def _drop_unmentioned_actors(session: AsyncSession) -> None:
    """Remove actors no stored article mentions any more, with their aliases."""
    used = select(ArticleEntityRow.entity_id)
    await session.execute(delete(EntityAliasRow).where(EntityAliasRow.entity_id.not_in(used)))
    await session.execute(delete(EntityRow).where(EntityRow.id.not_in(used)))
