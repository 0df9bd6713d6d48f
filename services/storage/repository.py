"""Idempotent writes of pipeline messages and the read queries of the API.

Every write is an ``INSERT ... ON CONFLICT DO UPDATE`` keyed on the pipeline's deterministic ids,
one transaction per call, so a redelivered message rewrites the same rows instead of adding
some. An article's metadata may arrive first from a :class:`StanceBatch` (no text yet) or from
the :class:`Article` itself; the merge rules below make both orders end with the same full row.
Rows are written in key order so concurrent workers lock them in the same order (no deadlocks).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.schemas import (
    ArticleEntityOut,
    ArticleOut,
    ArticleStanceOut,
    ClaimOut,
    StanceEvidence,
    StanceOut,
)
from stancestream.services.storage.tables import (
    ArticleEntityRow,
    ArticleRow,
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


def window_conds(col: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    """``since <= col < until``, either end open when None."""
    conds = []
    if since is not None:
        conds.append(col >= since)
    if until is not None:
        conds.append(col < until)
    return conds


def article_time(axis: str = "published") -> ColumnElement[Any]:
    """An article's time on ``axis``: ``published`` (publication time, else when it was stored)
    or ``ingested`` (when ingestion took it in, else when it was stored)."""
    first = ArticleRow.ingested_at if axis == "ingested" else ArticleRow.published_at
    return func.coalesce(first, ArticleRow.stored_at)


def stance_window(
    since: datetime | None, until: datetime | None, axis: str = "published"
) -> list[Any]:
    """Stances in the window on ``axis``: ``published`` compares the stance's ``created_at``
    (its article's publication time, or when it was stored), ``ingested`` its article's
    ingestion time."""
    if since is None and until is None:
        return []
    if axis == "published":
        return window_conds(StanceRow.created_at, since, until)
    arts = select(ArticleRow.id).where(*window_conds(article_time(axis), since, until))
    return [StanceRow.article_id.in_(arts)]


def _labels(stance: str | Sequence[str] | None) -> tuple[str, ...]:
    if stance is None:
        return ()
    return (stance,) if isinstance(stance, str) else tuple(stance)


def _stance_filters(
    article_id: str | None,
    source: str | None,
    target: str | None,
    since: datetime | None,
    stance: str | Sequence[str] | None = None,
    until: datetime | None = None,
    time: str = "published",
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the per-claim stance filters (``stance``: a claim's label, or
    any of several)."""
    conds: list[ColumnElement[bool]] = []
    if labels := _labels(stance):
        conds.append(StanceRow.stance.in_(labels))
    if article_id is not None:
        conds.append(StanceRow.article_id == article_id)
    if source is not None:
        conds.append(StanceRow.source == source)
    if target is not None:
        conds.append(StanceRow.target == target)
    return conds + stance_window(since, until, time)


def majority(support: int, oppose: int) -> str:
    """An article's label for a pair from its claims' non-neutral stances."""
    if support == oppose:
        return "mixed" if support else "neutral"
    return "support" if support > oppose else "oppose"


class Repository:
    """The storage service's database access; one instance per engine, safe to share."""

    def __init__(self, sessionmaker: Sessionmaker):
        self.sessionmaker = sessionmaker

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

    async def store_stance_batches(
        self, batches: Sequence[StanceBatch], replace: bool = False
    ) -> None:
        """Upsert ``stances.v1`` messages: article metadata, actors, claims, stances. With
        ``replace`` (a re-reading of stored articles, ``stancestream relink``) the articles'
        previous actors, claims and stances go first, in the same transaction, and actors no
        article mentions any more are removed with their aliases. A batch is an article's whole
        reading, so an article that already has claims (``ingest --force``, a redelivery) is
        replaced the same way: a re-reading never leaves the claims of an older one behind."""
        now = utcnow()
        articles: dict[str, Row] = {}
        entities: dict[str, Row] = {}
        links: dict[tuple[str, str], Row] = {}
        claims: dict[str, Row] = {}
        stances: dict[str, Row] = {}
        aliases: dict[tuple[str, str], Row] = {}
        for b in batches:
            aliases.update({(r["entity_id"], r["alias_norm"]): r for r in _alias_rows(b)})
            a = b.article
            articles[a.id] = {
                "id": a.id,
                "url": a.url,
                "title": a.title,
                "source": a.source,
                "published_at": a.published_at,
                "ingested_at": b.trace.ingested_at,
                "stored_at": now,
            }
            for e in b.entities:
                entities[e.id] = _merge_entity(entities.get(e.id), _entity_row(e))
                links[(a.id, e.id)] = {
                    "article_id": a.id,
                    "entity_id": e.id,
                    "mentions": [list(m) for m in e.mentions],
                    "affiliation": e.affiliation,
                }
            for c in b.claims:
                claims[c.id] = {
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
                stances[s.id] = {
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
        async with self.sessionmaker.begin() as session:
            ids = list(articles)
            if not replace and ids:
                read_before = select(ClaimRow.article_id).where(ClaimRow.article_id.in_(ids))
                ids = list((await session.execute(read_before.distinct())).scalars())
                replace = bool(ids)
            if replace:
                # a stance read again keeps the time it was first stored (what since= sees)
                first = select(StanceRow.id, StanceRow.created_at, StanceRow.stored_at).where(
                    StanceRow.article_id.in_(ids)
                )
                for sid, created_at, stored_at in (await session.execute(first)).all():
                    if sid in stances:
                        stances[sid]["created_at"], stances[sid]["stored_at"] = (
                            created_at,
                            stored_at,
                        )
                for row in (StanceRow, ClaimRow, ArticleEntityRow):
                    await session.execute(delete(row).where(row.article_id.in_(ids)))
            await _upsert(
                session, _table(ArticleRow), list(articles.values()), ["id"], ARTICLE_META_MERGE
            )
            await _upsert(session, _table(EntityRow), list(entities.values()), ["id"], ENTITY_MERGE)
            await _upsert(
                session,
                _table(ArticleEntityRow),
                list(links.values()),
                ["article_id", "entity_id"],
                ARTICLE_ENTITY_MERGE,
            )
            await _upsert(session, _table(ClaimRow), list(claims.values()), ["id"], CLAIM_MERGE)
            await _upsert(session, _table(StanceRow), list(stances.values()), ["id"], STANCE_MERGE)
            await _insert_new(session, _table(EntityAliasRow), list(aliases.values()))
            if replace:
                used = select(ArticleEntityRow.entity_id)
                await session.execute(
                    delete(EntityAliasRow).where(EntityAliasRow.entity_id.not_in(used))
                )
                await session.execute(delete(EntityRow).where(EntityRow.id.not_in(used)))

    async def iter_articles(
        self, since: datetime | None = None, chunk: int = 16
    ) -> AsyncIterator[list[Article]]:
        """Stored articles with their text (oldest first, ``since`` on publication or store
        time), in lists of ``chunk``: what ``relink`` reads again."""
        q = select(ArticleRow).where(ArticleRow.text.is_not(None)).order_by(ArticleRow.id)
        if since is not None:
            q = q.where(func.coalesce(ArticleRow.published_at, ArticleRow.stored_at) >= since)
        async with self.sessionmaker() as session:
            rows = (await session.execute(q)).scalars().all()
        for i in range(0, len(rows), chunk):
            yield [
                Article(
                    id=r.id,
                    url=r.url,
                    title=r.title,
                    source=r.source,
                    published_at=r.published_at,
                    text=r.text,
                    content_hash=r.content_hash or r.id,
                )
                for r in rows[i : i + chunk]
            ]

    # ---- reads -----------------------------------------------------------------------------
    async def get_article(self, article_id: str) -> ArticleOut | None:
        """The article with its actors, claims and number of stances; None when unknown."""
        async with self.sessionmaker() as session:
            art = await session.get(ArticleRow, article_id)
            if art is None:
                return None
            ents = await session.execute(
                select(ArticleEntityRow, EntityRow)
                .outerjoin(EntityRow, EntityRow.id == ArticleEntityRow.entity_id)
                .where(ArticleEntityRow.article_id == article_id)
                .order_by(ArticleEntityRow.entity_id)
            )
            claims = await session.scalars(
                select(ClaimRow)
                .where(ClaimRow.article_id == article_id)
                .order_by(ClaimRow.span_start, ClaimRow.id)
            )
            count = await session.scalar(
                select(func.count())
                .select_from(StanceRow)
                .where(StanceRow.article_id == article_id)
            )
        return ArticleOut(
            id=art.id,
            url=art.url,
            title=art.title,
            source=art.source,
            published_at=art.published_at,
            text=art.text,
            content_hash=art.content_hash,
            ingested_at=art.ingested_at,
            stored_at=art.stored_at,
            stance_count=count or 0,
            entities=[
                ArticleEntityOut(
                    id=link.entity_id,
                    name=ent.name if ent else link.entity_id,
                    type=ent.type if ent else "other",
                    wikidata=ent.wikidata if ent else None,
                    mentions=[tuple(m) for m in link.mentions],
                    affiliation=link.affiliation,
                )
                for link, ent in ents
            ],
            claims=[
                ClaimOut(
                    id=c.id,
                    span=(c.span_start, c.span_end),
                    text=c.text,
                    speaker=c.speaker,
                    kind=c.kind,
                    mentions=c.mentions,
                )
                for c in claims
            ],
        )

    async def list_stances(
        self,
        *,
        article_id: str | None = None,
        source: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        stance: str | Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
        until: datetime | None = None,
        time: str = "published",
    ) -> list[StanceOut]:
        """Per-claim stances, newest first, with actor names and claim text; filters combine
        with AND. ``source``/``target`` are entity ids; the window is on ``time`` (see
        :func:`stance_window`)."""
        src, tgt = aliased(EntityRow), aliased(EntityRow)
        conds = _stance_filters(article_id, source, target, since, stance, until, time)
        q = (
            select(StanceRow, ClaimRow.text, src.name, tgt.name)
            .outerjoin(ClaimRow, ClaimRow.id == StanceRow.claim_id)
            .outerjoin(src, src.id == StanceRow.source)
            .outerjoin(tgt, tgt.id == StanceRow.target)
            .where(*conds)
        )
        q = q.order_by(StanceRow.created_at.desc(), StanceRow.id).limit(limit).offset(offset)
        async with self.sessionmaker() as session:
            res = await session.execute(q)
            return [
                StanceOut(
                    id=s.id,
                    article_id=s.article_id,
                    claim_id=s.claim_id,
                    claim_text=claim_text,
                    source=s.source,
                    source_name=src_name,
                    target=s.target,
                    target_name=tgt_name,
                    stance=s.stance,
                    score=s.score,
                    scores=s.scores,
                    model=s.model,
                    basis=s.basis,
                    cue=s.cue,
                    created_at=s.created_at,
                    stored_at=s.stored_at,
                )
                for s, claim_text, src_name, tgt_name in res
            ]

    async def count_stances(
        self,
        *,
        article_id: str | None = None,
        source: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        stance: str | Sequence[str] | None = None,
        until: datetime | None = None,
        time: str = "published",
    ) -> int:
        """How many per-claim stances :meth:`list_stances` would page through."""
        conds = _stance_filters(article_id, source, target, since, stance, until, time)
        async with self.sessionmaker() as session:
            q = select(func.count()).select_from(StanceRow).where(*conds)
            return int((await session.execute(q)).scalar_one())

    async def article_stances(
        self,
        *,
        article_id: str | None = None,
        source: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        stance: str | Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
        until: datetime | None = None,
        time: str = "published",
    ) -> tuple[list[ArticleStanceOut], int]:
        """One stance per article and ordered pair (see ``ArticleStanceOut``), newest first,
        with the claims as evidence; ``stance`` filters on the article-level label (any of
        several)."""
        conds = _stance_filters(article_id, source, target, since, until=until, time=time)
        sup, opp, neu = (
            func.sum(case((StanceRow.stance == lab, 1), else_=0))
            for lab in ("support", "oppose", "neutral")
        )
        best = (  # the strongest claim of each label
            func.max(case((StanceRow.stance == lab, StanceRow.score))).label(lab)
            for lab in ("support", "oppose", "neutral")
        )
        keys = (StanceRow.article_id, StanceRow.source, StanceRow.target)
        q = (
            select(*keys, sup.label("sup"), opp.label("opp"), neu.label("neu"), *best)
            .add_columns(func.max(StanceRow.created_at).label("created_at"))
            .where(*conds)
            .group_by(*keys)
        )
        having = {
            "support": sup > opp,
            "oppose": opp > sup,
            "mixed": (sup == opp) & (sup > 0),
            "neutral": (sup == 0) & (opp == 0),
        }
        if labels := _labels(stance):
            q = q.having(or_(*(having[lab] for lab in labels)))
        total_q = select(func.count()).select_from(q.subquery())
        page_q = q.order_by(func.max(StanceRow.created_at).desc(), *keys).limit(limit)
        async with self.sessionmaker() as session:
            total = (await session.execute(total_q)).scalar_one()
            rows = (await session.execute(page_q.offset(offset))).all()
            articles = sorted({r.article_id for r in rows})
            ev = (
                await session.execute(
                    select(StanceRow, ClaimRow.text)
                    .outerjoin(ClaimRow, ClaimRow.id == StanceRow.claim_id)
                    .where(StanceRow.article_id.in_(articles), StanceRow.stance != "neutral")
                    .order_by(StanceRow.score.desc())
                )
            ).all()
            ids = {r.source for r in rows} | {r.target for r in rows}
            names = dict(
                (
                    await session.execute(
                        select(EntityRow.id, EntityRow.name).where(EntityRow.id.in_(ids))
                    )
                ).all()
            )
        claims: dict[tuple[str, str, str], list[tuple[StanceRow, str | None]]] = {}
        for st, text in ev:
            claims.setdefault((st.article_id, st.source, st.target), []).append((st, text))
        out = []
        for r in rows:
            n_sup, n_opp, n_neu = int(r.sup or 0), int(r.opp or 0), int(r.neu or 0)
            label = majority(n_sup, n_opp)
            mine = claims.get((r.article_id, r.source, r.target), [])
            wanted = ("support", "oppose") if label == "mixed" else (label,)
            score = max(
                (float(getattr(r, lab)) for lab in wanted if getattr(r, lab) is not None),
                default=0.0,
            )
            out.append(
                ArticleStanceOut(
                    article_id=r.article_id,
                    source=r.source,
                    source_name=names.get(r.source),
                    target=r.target,
                    target_name=names.get(r.target),
                    stance=label,
                    support=n_sup,
                    oppose=n_opp,
                    neutral=n_neu,
                    score=score,
                    created_at=r.created_at,
                    evidence=[
                        StanceEvidence(
                            claim_id=st.claim_id,
                            claim_text=text,
                            stance=st.stance,
                            score=st.score,
                            basis=st.basis,
                            cue=st.cue,
                        )
                        for st, text in mine
                    ],
                )
            )
        return out, total

    async def count(self, table: str) -> int:
        """Rows in one of the storage tables (tests, health details)."""
        tables = {
            t.name: t
            for t in (
                _table(ArticleRow),
                _table(EntityRow),
                _table(EntityAliasRow),
                _table(ArticleEntityRow),
                _table(ClaimRow),
                _table(StanceRow),
            )
        }
        async with self.sessionmaker() as session:
            n = await session.scalar(select(func.count()).select_from(tables[table]))
        return int(n or 0)
