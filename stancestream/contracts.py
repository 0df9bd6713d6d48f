"""The message contract for code downstream of the pipeline: the versioned pydantic models every
stream carries and the stream names, under a short public path.

    from stancestream.contracts import STANCES, StanceBatch

The models live in ``stancestream.shared.contracts`` and the names in
``stancestream.shared.streams``; these are the same objects.
"""

from __future__ import annotations

from stancestream.shared.contracts import (
    Article,
    ArticleMeta,
    Claim,
    ClaimMention,
    ClaimPair,
    DeadLetter,
    Entity,
    LinkedArticle,
    Stance,
    StanceBatch,
    Trace,
    stable_id,
)
from stancestream.shared.streams import ARTICLES, CLAIMS, GROUPS, STANCES, dlq

__all__ = [
    "ARTICLES",
    "CLAIMS",
    "GROUPS",
    "STANCES",
    "Article",
    "ArticleMeta",
    "Claim",
    "ClaimMention",
    "ClaimPair",
    "DeadLetter",
    "Entity",
    "LinkedArticle",
    "Stance",
    "StanceBatch",
    "Trace",
    "dlq",
    "stable_id",
]
