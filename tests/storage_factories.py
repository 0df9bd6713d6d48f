"""Message factories for the storage tests: one article and its stance batch, ids stable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stancestream.shared.contracts import (
    Article,
    ArticleMeta,
    Claim,
    ClaimMention,
    Entity,
    Stance,
    StanceBatch,
    stable_id,
)

TEXT = (
    "Russia's foreign ministry condemned NATO on Monday. "
    '"We support the talks," said Olaf Scholz of Germany.'
)


def make_article(
    aid: str = "a_1",
    *,
    published_at: datetime | None = None,
    text_: str = TEXT,
    title: str = "Talks",
) -> Article:
    return Article(
        id=aid,
        url=f"https://news.example/{aid}",
        title=title,
        source="example",
        published_at=published_at or datetime(2024, 5, 6, 12, 0, tzinfo=UTC),
        text=text_,
        content_hash=stable_id(text_),
    )


def make_batch(
    aid: str = "a_1",
    *,
    published_at: datetime | None = None,
    model: str = "m1",
    stance: str = "oppose",
    title: str | None = "Talks",
) -> StanceBatch:
    """Two claims, three actors, three stances of one article."""
    meta = ArticleMeta(
        id=aid,
        url=f"https://news.example/{aid}",
        title=title,
        source="example",
        published_at=published_at or datetime(2024, 5, 6, 12, 0, tzinfo=UTC),
    )
    ents = [
        Entity(id="Q159", name="Russia", type="country", wikidata="Q159", mentions=[(0, 6)]),
        Entity(id="Q7184", name="NATO", type="intl_org", wikidata="Q7184", mentions=[(36, 40)]),
        Entity(
            id="Q2575",
            name="Olaf Scholz",
            type="person",
            wikidata="Q2575",
            mentions=[(82, 93)],
            affiliation="Q183",
        ),
    ]
    c1 = Claim(
        id=stable_id(aid, "c1", prefix="c_"),
        span=(0, 51),
        text="Russia's foreign ministry condemned NATO on Monday.",
        speaker="Q159",
        mentions=[ClaimMention(entity="Q7184", span=(36, 40))],
    )
    c2 = Claim(
        id=stable_id(aid, "c2", prefix="c_"),
        span=(52, 105),
        text='"We support the talks," said Olaf Scholz of Germany.',
        speaker="Q2575",
        kind="quote",
    )
    stances = [
        Stance(
            id=Stance.make_id(c1.id, "Q159", "Q7184"),
            claim=c1.id,
            source="Q159",
            target="Q7184",
            stance=stance,
            score=0.9,
            scores={"oppose": 0.9, "support": 0.05, "neutral": 0.05},
        ),
        Stance(
            id=Stance.make_id(c2.id, "Q2575", "Q159"),
            claim=c2.id,
            source="Q2575",
            target="Q159",
            stance="neutral",
            score=0.6,
            scores={"neutral": 0.6},
        ),
        Stance(
            id=Stance.make_id(c2.id, "Q2575", "Q7184"),
            claim=c2.id,
            source="Q2575",
            target="Q7184",
            stance="support",
            score=0.7,
            scores={"support": 0.7},
        ),
    ]
    return StanceBatch(article=meta, entities=ents, claims=[c1, c2], stances=stances, model=model)


def make_repeated_batch(aid: str, labels: list[str], **kw: Any) -> StanceBatch:
    """One article where Russia -> NATO is read in one claim per label (scores 0.50, 0.55, ...),
    for the article-level views."""
    base = make_batch(aid, **kw)
    claims, stances = [], []
    for k, label in enumerate(labels):
        c = base.claims[0].model_copy(update={"id": f"c_{aid}_{k}", "span": (k * 60, k * 60 + 51)})
        claims.append(c)
        stances.append(
            base.stances[0].model_copy(
                update={
                    "id": Stance.make_id(c.id, "Q159", "Q7184"),
                    "claim": c.id,
                    "stance": label,
                    "score": 0.5 + k / 20,
                    "basis": "speaker",
                }
            )
        )
    return base.model_copy(update={"claims": claims, "stances": stances})
