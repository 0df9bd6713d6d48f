"""Near-duplicate articles as one story: the same wire story carried by several outlets.

Each article's text becomes a set of word 5-grams (lower-cased words and numbers: case, quotes
and punctuation differ between outlets' copies). Its **sketch** is the 8 smallest 64-bit hashes
of that set (a bottom-k MinHash, one hash function): two copies share most of their 5-grams and
so most of their smallest hashes, which the database finds by index. A candidate that shares
one of them is compared exactly (Jaccard similarity of the two 5-gram sets); at or above the
threshold the article joins the candidate's story. The story id is the id of the story's first
stored article, so the API can count a wire story once however many outlets ran it.

This is a bounded amount of work per article (one indexed lookup of 8 hashes, a few exact
comparisons) and no state outside the database. Two copies stored at the same instant by two
workers may each start a story; the next copy joins one of them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

SHINGLE = 5  # words per shingle
SKETCH = 8  # smallest hashes kept per article
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """The article's word ``n``-grams (the whole text as one when it is shorter)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _hash(shingle: str) -> int:
    """A signed 64-bit hash (fits a database BIGINT), stable across processes and versions."""
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def sketch(grams: Iterable[str], k: int = SKETCH) -> list[int]:
    """The ``k`` smallest hashes of ``grams`` (fewer when there are fewer grams)."""
    return sorted({_hash(g) for g in grams})[:k]


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets (an empty text is nobody's copy)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
