"""Read queries behind the API and the exports: one article, stances (per claim and per article),
actor search, actor pages, the stance graph, claims with their evidence, the stored articles.
Plain SQL through SQLAlchemy Core so SQLite and PostgreSQL run the same statements; every list is
paginated in the database (``limit``/``offset`` plus a ``total``).

Windows are on one of two time axes (``time``): ``published`` (default: a stance's
``created_at``, i.e. its article's publication time or when it was stored; a claim's article's
publication time, or when it was stored) or ``ingested`` (when ingestion took the article in).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, distinct, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from stancestream.services.storage.db import Sessionmaker
from stancestream.services.storage.outlets import outlet_key, outlet_name
from stancestream.services.storage.repository import norm_alias
from stancestream.services.storage.schemas import (
    ActorHit,
    ActorPage,
    ActorSearch,
    ArticleEntityOut,
    ArticleOut,
    ArticleRef,
    ArticleStanceOut,
    ClaimItem,
    ClaimOut,
    ClaimPage,
    ClaimStance,
    Graph,
    GraphEdge,
    GraphNode,
    PairAgg,
    PairPage,
    StanceEvidence,
    StanceOut,
)
from stancestream.services.storage.tables import (
    ArticleEntityRow,
    ArticleRow,
    ClaimRow,
    EntityAliasRow,
    EntityRow,
    StanceRow,
)
from stancestream.shared.contracts import Article

ALIASES_SHOWN = 8


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


@dataclass(frozen=True)
class StanceFilter:
    """What a stance listing keeps (all combine with AND): one article, a source or target
    entity id, a time window on ``time`` (see :func:`stance_window`), and ``stance``, a claim's
    label or, for :meth:`Queries.article_stances`, the article-level one (any of several)."""

    article_id: str | None = None
    source: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    stance: str | Sequence[str] | None = None
    time: str = "published"


def _stance_filters(f: StanceFilter, claim_labels: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``f``; ``claim_labels``: ``f.stance`` filters each claim's
    stance (else the caller filters the article-level label)."""
    conds: list[ColumnElement[bool]] = []
    if claim_labels and (labels := _labels(f.stance)):
        conds.append(StanceRow.stance.in_(labels))
    if f.article_id is not None:
        conds.append(StanceRow.article_id == f.article_id)
    if f.source is not None:
        conds.append(StanceRow.source == f.source)
    if f.target is not None:
        conds.append(StanceRow.target == f.target)
    return conds + stance_window(f.since, f.until, f.time)


def majority(support: int, oppose: int) -> str:
    """An article's label for a pair from its claims' non-neutral stances."""
    if support == oppose:
        return "mixed" if support else "neutral"
    return "support" if support > oppose else "oppose"


@dataclass(frozen=True)
class GraphFilter:
    """What the graph (and its export) keeps: a time window, edges seen ``min_count`` times or
    more, both actors of one of ``types``, at least one actor of (or affiliated with) one of
    ``countries`` (entity ids of countries), articles from one of ``outlets``."""

    since: datetime | None = None
    until: datetime | None = None
    min_count: int = 1
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    time: str = "published"  # the axis of since/until (see ``stance_window``)


def _story() -> ColumnElement[Any]:
    """The story of a stance's article (near-duplicate copies share one; ``stories.py``): its
    first stored copy's id, or the article's own id. Needs ``ArticleRow`` joined."""
    return func.coalesce(ArticleRow.story, ArticleRow.id)


def _label_counts() -> list[Any]:
    """count / support / oppose / neutral / mean_score of the grouped stances, and the number of
    distinct articles, and of distinct stories, with a support or an oppose stance (the
    article-level reading). Needs ``ArticleRow`` joined on the stance's article."""
    return [
        func.count().label("n"),
        *(
            func.sum(case((StanceRow.stance == lab, 1), else_=0)).label(lab)
            for lab in ("support", "oppose", "neutral")
        ),
        func.avg(StanceRow.score).label("mean_score"),
        *(
            func.count(distinct(case((StanceRow.stance == lab, StanceRow.article_id)))).label(
                f"articles_{lab}"
            )
            for lab in ("support", "oppose")
        ),
        func.count(distinct(StanceRow.article_id)).label("articles"),
        *(
            func.count(distinct(case((StanceRow.stance == lab, _story())))).label(f"stories_{lab}")
            for lab in ("support", "oppose")
        ),
        func.count(distinct(_story())).label("stories"),
    ]


def _counts(row: Any) -> dict[str, Any]:
    mean = row.mean_score
    sup, opp = int(row.stories_support or 0), int(row.stories_oppose or 0)
    return {
        "count": int(row.n),
        "support": int(row.support or 0),
        "oppose": int(row.oppose or 0),
        "neutral": int(row.neutral or 0),
        "mean_score": round(float(mean), 4) if mean is not None else None,
        "articles": int(row.articles or 0),
        "articles_support": int(row.articles_support or 0),
        "articles_oppose": int(row.articles_oppose or 0),
        "stories": int(row.stories or 0),
        "stories_support": sup,
        "stories_oppose": opp,
        "signed_score": round((sup - opp) / (sup + opp), 4) if sup + opp else 0.0,
    }


def _activity() -> Any:
    """Stances held plus received by the ``EntityRow`` of the enclosing query (all time)."""
    held = select(func.count()).select_from(StanceRow).where(StanceRow.source == EntityRow.id)
    recv = select(func.count()).select_from(StanceRow).where(StanceRow.target == EntityRow.id)
    return held.scalar_subquery() + recv.scalar_subquery()


def _article_pairs(conds: list[Any], keys: tuple[Any, ...], labels: tuple[str, ...]) -> Select[Any]:
    """Stances grouped by article and ordered pair: the count and best score of each label and
    the newest time; with ``labels``, only the groups whose article-level label is one of them."""
    sup, opp, neu = (
        func.sum(case((StanceRow.stance == lab, 1), else_=0))
        for lab in ("support", "oppose", "neutral")
    )
    best = (  # the strongest claim of each label
        func.max(case((StanceRow.stance == lab, StanceRow.score))).label(lab)
        for lab in ("support", "oppose", "neutral")
    )
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
    if labels:
        q = q.having(or_(*(having[lab] for lab in labels)))
    return q


def _article_stance(
    r: Any, names: dict[str, str], evidence: list[tuple[StanceRow, str | None]]
) -> ArticleStanceOut:
    """One row of ``Queries.article_stances``: the majority label of the group ``r``, the best
    score of that label (of support and oppose on a tie), and the non-neutral claims."""
    n_sup, n_opp, n_neu = int(r.sup or 0), int(r.opp or 0), int(r.neu or 0)
    label = majority(n_sup, n_opp)
    wanted = ("support", "oppose") if label == "mixed" else (label,)
    score = max(
        (float(getattr(r, lab)) for lab in wanted if getattr(r, lab) is not None),
        default=0.0,
    )
    return ArticleStanceOut(
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
            for st, text in evidence
        ],
    )


def _claim_conds(
    when: ColumnElement[Any],
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
    article_id: str | None,
    speaker: str | None,
) -> list[Any]:
    """The filters of ``Queries.claims``: the window on ``when``, the article, the speaker, and
    ``actor`` as the speaker or a side of one of the claim's stances."""
    conds: list[Any] = window_conds(when, since, until)
    if article_id is not None:
        conds.append(ClaimRow.article_id == article_id)
    if speaker is not None:
        conds.append(ClaimRow.speaker == speaker)
    if actor is not None:
        involved = select(StanceRow.claim_id).where(
            or_(StanceRow.source == actor, StanceRow.target == actor)
        )
        conds.append(or_(ClaimRow.speaker == actor, ClaimRow.id.in_(involved)))
    return conds


def _claim_item(
    c: ClaimRow,
    url: str | None,
    title: str | None,
    outlet: str | None,
    published: datetime | None,
    speaker_name: str | None,
    *,
    stances: list[ClaimStance],
) -> ClaimItem:
    """One claim of ``Queries.claims``'s page, from its row, its article's columns and the
    speaker's name."""
    return ClaimItem(
        id=c.id,
        text=c.text,
        kind=c.kind,
        span=(c.span_start, c.span_end),
        speaker=c.speaker,
        speaker_name=speaker_name,
        article=ArticleRef(
            id=c.article_id,
            url=url,
            title=title,
            source=outlet,
            outlet=outlet_name(outlet),
            published_at=published,
        ),
        stances=stances,
    )


class Queries:
    """The query API's database reads; one instance per engine, safe to share."""

    def __init__(self, sessionmaker: Sessionmaker):
        self.sessionmaker = sessionmaker

    async def iter_articles(
        self, since: datetime | None = None, chunk: int = 16
    ) -> AsyncIterator[list[Article]]:
        """Stored articles with their text (oldest first, ``since`` on publication or store
        time), in lists of ``chunk``: what ``relink`` reads again."""
        when = article_time("published")
        q = select(ArticleRow).where(ArticleRow.text.is_not(None)).order_by(when, ArticleRow.id)
        if since is not None:
            q = q.where(when >= since)
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
            copies = []
            if art.story is not None:
                copies = list(
                    await session.scalars(
                        select(ArticleRow.id)
                        .where(
                            or_(ArticleRow.story == art.story, ArticleRow.id == art.story),
                            ArticleRow.id != art.id,
                        )
                        .order_by(ArticleRow.stored_at, ArticleRow.id)
                        .limit(100)
                    )
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
            story=art.story,
            story_copies=copies,
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
        self, where: StanceFilter = StanceFilter(), limit: int = 100, offset: int = 0
    ) -> list[StanceOut]:
        """Per-claim stances, newest first, with actor names and claim text."""
        src, tgt = aliased(EntityRow), aliased(EntityRow)
        conds = _stance_filters(where)
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

    async def count_stances(self, where: StanceFilter = StanceFilter()) -> int:
        """How many per-claim stances :meth:`list_stances` would page through."""
        conds = _stance_filters(where)
        async with self.sessionmaker() as session:
            q = select(func.count()).select_from(StanceRow).where(*conds)
            return int((await session.execute(q)).scalar_one())

    async def article_stances(
        self, where: StanceFilter = StanceFilter(), limit: int = 100, offset: int = 0
    ) -> tuple[list[ArticleStanceOut], int]:
        """One stance per article and ordered pair (see ``ArticleStanceOut``), newest first,
        with the claims as evidence; ``where.stance`` filters on the article-level label (any
        of several)."""
        conds = _stance_filters(where, claim_labels=False)
        keys = (StanceRow.article_id, StanceRow.source, StanceRow.target)
        q = _article_pairs(conds, keys, _labels(where.stance))
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
        out = [
            _article_stance(r, names, claims.get((r.article_id, r.source, r.target), []))
            for r in rows
        ]
        return out, total

    async def count(self, table: str) -> int:
        """Rows in one of the storage tables (tests, health details)."""
        rows = (ArticleRow, EntityRow, EntityAliasRow, ArticleEntityRow, ClaimRow, StanceRow)
        tables = {row.__tablename__: row.__table__ for row in rows}
        async with self.sessionmaker() as session:
            n = await session.scalar(select(func.count()).select_from(tables[table]))
        return int(n or 0)

    async def _aliases(self, session: Any, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = await session.execute(
            select(EntityAliasRow.entity_id, EntityAliasRow.alias)
            .where(EntityAliasRow.entity_id.in_(ids))
            .order_by(EntityAliasRow.entity_id, EntityAliasRow.alias_norm)
        )
        for eid, alias in rows:
            if len(out[eid]) < ALIASES_SHOWN:
                out[eid].append(alias)
        return out

    async def search_actors(self, q: str, limit: int, offset: int) -> ActorSearch:
        """Actors whose id or QID equals ``q``, or whose name or an alias contains it; exact
        matches first, then the most active."""
        raw, qn = q.strip(), norm_alias(q)
        exact = or_(
            EntityRow.id == raw,
            func.upper(EntityRow.wikidata) == raw.upper(),
            func.lower(EntityRow.name) == qn,
        )
        by_alias = select(EntityAliasRow.entity_id).where(
            EntityAliasRow.alias_norm.contains(qn, autoescape=True)
        )
        cond = or_(
            exact,
            func.lower(EntityRow.name).contains(qn, autoescape=True),
            EntityRow.id.in_(by_alias),
        )
        activity = _activity().label("activity")
        query = (
            select(EntityRow, activity)
            .where(cond)
            .order_by(case((exact, 0), else_=1), activity.desc(), EntityRow.name, EntityRow.id)
            .limit(limit)
            .offset(offset)
        )
        async with self.sessionmaker() as session:
            total = await session.scalar(select(func.count()).select_from(EntityRow).where(cond))
            rows = (await session.execute(query)).all()
            aliases = await self._aliases(session, [e.id for e, _ in rows])
        items = [
            ActorHit(
                id=e.id,
                name=e.name,
                type=e.type,
                wikidata=e.wikidata,
                aliases=aliases[e.id],
                stance_count=int(n or 0),
            )
            for e, n in rows
        ]
        return ActorSearch(items=items, total=int(total or 0), limit=limit, offset=offset)

    async def _pairs(
        self, session: Any, actor: str, held: bool, window: list[Any], limit: int, offset: int
    ) -> PairPage:
        mine, other = (
            (StanceRow.source, StanceRow.target) if held else (StanceRow.target, StanceRow.source)
        )
        grouped = (
            select(
                other.label("other"),
                *_label_counts(),
                func.max(StanceRow.created_at).label("last_seen"),
            )
            .join(ArticleRow, ArticleRow.id == StanceRow.article_id)
            .where(mine == actor, *window)
            .group_by(other)
            .subquery()
        )
        total = await session.scalar(select(func.count()).select_from(grouped))
        rows = await session.execute(
            select(grouped, EntityRow.name, EntityRow.type)
            .outerjoin(EntityRow, EntityRow.id == grouped.c.other)
            .order_by(grouped.c.n.desc(), grouped.c.other)
            .limit(limit)
            .offset(offset)
        )
        items = [
            PairAgg(
                other=r.other,
                other_name=r.name,
                other_type=r.type,
                last_seen=r.last_seen,
                **_counts(r),
            )
            for r in rows
        ]
        return PairPage(items=items, total=int(total or 0), limit=limit, offset=offset)

    async def actor_page(
        self,
        actor: str,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        offset: int,
        time: str = "published",
    ) -> ActorPage | None:
        """The actor and its stances held/received, aggregated per other actor; None if unknown."""
        window = stance_window(since, until, time)
        async with self.sessionmaker() as session:
            ent = await session.get(EntityRow, actor)
            if ent is None:
                return None
            aliases = (await self._aliases(session, [actor]))[actor]
            affs = await session.scalars(
                select(ArticleEntityRow.affiliation)
                .where(
                    ArticleEntityRow.entity_id == actor, ArticleEntityRow.affiliation.is_not(None)
                )
                .distinct()
            )
            held = await self._pairs(session, actor, True, window, limit, offset)
            received = await self._pairs(session, actor, False, window, limit, offset)
        return ActorPage(
            id=ent.id,
            name=ent.name,
            type=ent.type,
            wikidata=ent.wikidata,
            aliases=aliases,
            affiliations=sorted(a for a in affs if a),
            since=since,
            until=until,
            held=held,
            received=received,
        )

    def _edges(self, f: GraphFilter) -> Select[Any]:
        """One row per directed (source, target) pair passing ``f``, with its label counts."""
        q = (
            select(StanceRow.source, StanceRow.target, *_label_counts())
            .join(ArticleRow, ArticleRow.id == StanceRow.article_id)
            .where(*stance_window(f.since, f.until, f.time))
        )
        if f.outlets:
            q = q.where(func.lower(ArticleRow.source).in_([o.lower() for o in f.outlets]))
        if f.types:
            src, tgt = aliased(EntityRow), aliased(EntityRow)
            q = (
                q.join(src, src.id == StanceRow.source)
                .join(tgt, tgt.id == StanceRow.target)
                .where(src.type.in_(f.types), tgt.type.in_(f.types))
            )
        if f.countries:
            country = select(EntityRow.id).where(
                EntityRow.type == "country", EntityRow.id.in_(f.countries)
            )
            members = select(ArticleEntityRow.entity_id).where(
                ArticleEntityRow.affiliation.in_(country)
            )
            q = q.where(
                or_(
                    StanceRow.source.in_(country),
                    StanceRow.target.in_(country),
                    StanceRow.source.in_(members),
                    StanceRow.target.in_(members),
                )
            )
        return q.group_by(StanceRow.source, StanceRow.target).having(func.count() >= f.min_count)

    async def outlet_sources(self, outlets: Sequence[str]) -> tuple[str, ...]:
        """The raw ``articles.source`` values that name one of ``outlets`` (see
        :func:`outlet_name`: ``Reuters`` finds ``ReutersIndia`` and ``Reuters_Co_Uk``)."""
        keys = {outlet_key(o) for o in outlets}
        async with self.sessionmaker() as session:
            raws = await session.scalars(
                select(ArticleRow.source).where(ArticleRow.source.is_not(None)).distinct()
            )
            return tuple(sorted(r for r in raws if r is not None and outlet_key(r) in keys))

    async def graph(self, f: GraphFilter, limit: int | None, offset: int = 0) -> Graph:
        """The directed stance graph: edges by count (most first), nodes = their endpoints with
        their activity over all edges passing ``f``. ``limit`` None returns every edge."""
        edges = self._edges(f).cte("edges")
        page_q = select(edges).order_by(edges.c.n.desc(), edges.c.source, edges.c.target)
        page_q = page_q.offset(offset) if limit is None else page_q.limit(limit).offset(offset)
        async with self.sessionmaker() as session:
            total = await session.scalar(select(func.count()).select_from(edges))
            rows = (await session.execute(page_q)).all()
            ids = sorted({r.source for r in rows} | {r.target for r in rows})
            ends = union_all(
                select(
                    edges.c.source.label("node"), edges.c.n.label("held"), literal(0).label("recv")
                ),
                select(
                    edges.c.target.label("node"), literal(0).label("held"), edges.c.n.label("recv")
                ),
            ).subquery()
            act: dict[str, tuple[int, int]] = {}
            ents: dict[str, EntityRow] = {}
            for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
                res = await session.execute(
                    select(ends.c.node, func.sum(ends.c.held), func.sum(ends.c.recv))
                    .where(ends.c.node.in_(chunk))
                    .group_by(ends.c.node)
                )
                act.update({n: (int(h or 0), int(r or 0)) for n, h, r in res})
                found = await session.scalars(select(EntityRow).where(EntityRow.id.in_(chunk)))
                ents.update({e.id: e for e in found})
        nodes = []
        for i in ids:
            h, r = act.get(i, (0, 0))
            e = ents.get(i)
            nodes.append(
                GraphNode(
                    id=i,
                    name=e.name if e else i,
                    type=e.type if e else "other",
                    wikidata=e.wikidata if e else None,
                    activity=h + r,
                    held=h,
                    received=r,
                )
            )
        return Graph(
            nodes=nodes,
            edges=[GraphEdge(source=r.source, target=r.target, **_counts(r)) for r in rows],
            total=int(total or 0),
            limit=limit if limit is not None else len(rows),
            offset=offset,
        )

    async def claims(
        self,
        *,
        actor: str | None = None,
        article_id: str | None = None,
        speaker: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        time: str = "published",
    ) -> ClaimPage:
        """Claims newest article first (on ``time``), each with its article, speaker and
        stances. ``actor`` keeps claims it speaks or holds/receives a stance in."""
        when = article_time(time)
        conds = _claim_conds(when, since, until, actor, article_id, speaker)
        base = select(ClaimRow.id).join(ArticleRow, ArticleRow.id == ClaimRow.article_id)
        page_q = (
            select(
                ClaimRow,
                ArticleRow.url,
                ArticleRow.title,
                ArticleRow.source,
                ArticleRow.published_at,
                EntityRow.name,
            )
            .join(ArticleRow, ArticleRow.id == ClaimRow.article_id)
            .outerjoin(EntityRow, EntityRow.id == ClaimRow.speaker)
            .where(*conds)
            .order_by(when.desc(), ClaimRow.article_id, ClaimRow.span_start, ClaimRow.id)
            .limit(limit)
            .offset(offset)
        )
        async with self.sessionmaker() as session:
            total = await session.scalar(
                select(func.count()).select_from(base.where(*conds).subquery())
            )
            rows = (await session.execute(page_q)).all()
            by_claim = await self._claim_stances(session, [r[0].id for r in rows])
        items = [_claim_item(*row, stances=by_claim[row[0].id]) for row in rows]
        return ClaimPage(items=items, total=int(total or 0), limit=limit, offset=offset)

    async def _claim_stances(
        self, session: Any, claim_ids: list[str]
    ) -> dict[str, list[ClaimStance]]:
        """The stances read from each of ``claim_ids``, best score first, with actor names."""
        by_claim: dict[str, list[ClaimStance]] = {c: [] for c in claim_ids}
        if not by_claim:
            return by_claim
        src, tgt = aliased(EntityRow), aliased(EntityRow)
        res = await session.execute(
            select(StanceRow, src.name, tgt.name)
            .outerjoin(src, src.id == StanceRow.source)
            .outerjoin(tgt, tgt.id == StanceRow.target)
            .where(StanceRow.claim_id.in_(list(by_claim)))
            .order_by(StanceRow.claim_id, StanceRow.score.desc(), StanceRow.id)
        )
        for s, sn, tn in res:
            by_claim[s.claim_id].append(
                ClaimStance(
                    id=s.id,
                    source=s.source,
                    source_name=sn,
                    target=s.target,
                    target_name=tn,
                    stance=s.stance,
                    score=s.score,
                )
            )
        return by_claim

    async def iter_stances(
        self,
        since: datetime | None,
        until: datetime | None,
        chunk: int = 1000,
        time: str = "published",
    ) -> AsyncIterator[dict[str, Any]]:
        """Every stance in the window, oldest first, flat (names, claim text, article link),
        streamed from the database in chunks; for the exports."""
        src, tgt = aliased(EntityRow), aliased(EntityRow)
        q = (
            select(
                StanceRow,
                src.name,
                tgt.name,
                ClaimRow.text,
                ClaimRow.speaker,
                ArticleRow.url,
                ArticleRow.source,
            )
            .outerjoin(src, src.id == StanceRow.source)
            .outerjoin(tgt, tgt.id == StanceRow.target)
            .outerjoin(ClaimRow, ClaimRow.id == StanceRow.claim_id)
            .outerjoin(ArticleRow, ArticleRow.id == StanceRow.article_id)
            .where(*stance_window(since, until, time))
            .order_by(StanceRow.created_at, StanceRow.id)
            .execution_options(yield_per=chunk)
        )
        async with self.sessionmaker() as session:
            result = await session.stream(q)
            async for s, sn, tn, text, speaker, url, outlet in result:
                yield {
                    "id": s.id,
                    "created_at": s.created_at.isoformat(),
                    "source": s.source,
                    "source_name": sn,
                    "target": s.target,
                    "target_name": tn,
                    "stance": s.stance,
                    "score": s.score,
                    "model": s.model,
                    "basis": s.basis,
                    "cue": s.cue,
                    "claim_id": s.claim_id,
                    "claim_text": text,
                    "speaker": speaker,
                    "article_id": s.article_id,
                    "article_url": url,
                    "outlet": outlet,
                }
