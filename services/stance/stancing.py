"""Turn linked articles into stance batches with one batched model call (service and analyze)."""

from __future__ import annotations

from collections.abc import Sequence

from services.stance.pairs import article_pairs
from services.stance.scorer import StanceScorer
from shared.contracts import LinkedArticle, Stance, StanceBatch


def score_articles(
    scorer: StanceScorer,
    articles: Sequence[LinkedArticle],
    max_pairs_per_claim: int = 30,
    skip_types: Sequence[str] = ("location",),
    sources: str = "all",
) -> list[StanceBatch]:
    """Score all pairs of all claims of ``articles`` in one batched call; a batch per article."""
    holders_only = sources == "holders"
    per_article = [
        article_pairs(a, max_pairs_per_claim, skip_types, holders_only) for a in articles
    ]
    flat = [p for pairs in per_article for p in pairs]
    results = scorer.score([p.query for p in flat])
    out, k = [], 0
    for linked, pairs in zip(articles, per_article):
        stances = []
        for p in pairs:
            r = results[k]
            k += 1
            stances.append(
                Stance(
                    id=Stance.make_id(p.claim, p.source, p.target),
                    claim=p.claim,
                    source=p.source,
                    target=p.target,
                    stance=r.stance,
                    score=round(r.scores[r.stance], 4),
                    scores={key: round(v, 4) for key, v in r.scores.items()},
                )
            )
        out.append(
            StanceBatch(
                article=linked.article,
                entities=linked.entities,
                claims=linked.claims,
                stances=stances,
                model=scorer.name,
                trace=linked.trace.model_copy(deep=True).mark("stance"),
            )
        )
    return out
