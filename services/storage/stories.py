"""Near-duplicate articles as one story: the same wire story carried by several outlets.

Each article's text becomes a set of 24-character shingles, with case, punctuation and spacing
folded (they differ between outlets' copies). Its **sketch** is the 8 smallest 64-bit hashes
of that set (a bottom-k MinHash, one hash function): two copies share most of their shingles
and so most of their smallest hashes, which the database finds by index. A candidate that
shares two of them is compared exactly (Jaccard similarity of the two shingle sets); at or
above the threshold the article joins the candidate's story. The story id is the id of the
story's first stored article, so the API can count a wire story once however many outlets ran
it.

This is a bounded amount of work per article (one indexed lookup of 8 hashes, a few exact
comparisons; ~0.25 ms for the shingles of a 600-word article) and no state outside the
database. Two copies stored at the same instant by two workers may each start a story; the
next copy joins one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

SHINGLE = 24  # characters per shingle: about four words
SKETCH = 8  # smallest hashes kept per article
_FOLD = re.compile(r"[\W_]+", re.UNICODE)  # punctuation and spacing runs: one space
_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants: the rolling base and the mixer
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_INV = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))  # _MUL's inverse modulo 2^64


def shingles(text: str, n: int = SHINGLE) -> np.ndarray:
    """The hashes of the text's ``n``-character shingles once case, punctuation and spacing are
    folded (the whole text as one when shorter), sorted and unique, as signed 64-bit integers
    (they fit a database BIGINT). A polynomial hash over the UTF-8 bytes in 64-bit arithmetic,
    then mixed: vectorised, no Python work per shingle, the same on every machine."""
    folded = _FOLD.sub(" ", text.casefold()).strip().encode("utf-8")
    if not folded:
        return np.empty(0, dtype=np.int64)
    b = np.frombuffer(folded, dtype=np.uint8).astype(np.uint64) + np.uint64(1)
    k = min(n, len(b))
    # window hash sum_j b[j] * M^(end - j) = M^end * (S[end] - S[start - 1]) with the prefix sums
    # S of b[j] * M^-j (M is odd, so invertible modulo 2^64): a handful of vector operations
    with np.errstate(over="ignore"):
        one = np.ones(1, dtype=np.uint64)
        power = np.concatenate((one, np.cumprod(np.full(len(b) - 1, _MUL, dtype=np.uint64))))
        inverse = np.concatenate((one, np.cumprod(np.full(len(b) - 1, _INV, dtype=np.uint64))))
        prefix = np.cumsum(b * inverse, dtype=np.uint64)
        start = np.concatenate(([np.uint64(0)], prefix[: len(b) - k]))
        rolled = power[k - 1 :] * (prefix[k - 1 :] - start)
    rolled ^= rolled >> np.uint64(31)
    rolled *= _MIX
    rolled ^= rolled >> np.uint64(29)
    out = np.sort(rolled.view(np.int64))  # sort + drop repeats: 20x numpy 2's hashing unique
    return out[np.concatenate(([True], out[1:] != out[:-1]))]


def sketch(hashes: np.ndarray, k: int = SKETCH) -> list[int]:
    """The ``k`` smallest of an article's shingle hashes (fewer when it has fewer)."""
    return [int(x) for x in hashes[:k]]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|a ∩ b| / |a ∪ b| of two sorted unique hash arrays; 0.0 when either is empty (an empty
    text is nobody's copy)."""
    if not len(a) or not len(b):
        return 0.0
    both = len(np.intersect1d(a, b, assume_unique=True))
    return both / (len(a) + len(b) - both)


def shared_counts(sketch: list[int], by_hash: dict[int, list[str]]) -> dict[str, int]:
    """article -> how many of ``sketch``'s hashes its own sketch holds (``by_hash``: hash -> the
    articles whose sketch holds it)."""
    found: dict[str, int] = {}
    for h in sketch:
        for aid in by_hash.get(h, ()):
            found[aid] = found.get(aid, 0) + 1
    return found


def worth_checking(shared: dict[str, int], size: int, most: int = 5) -> list[str]:
    """The candidates to compare exactly: sharing at least two sketch hashes (one alone is a
    common phrase more often than a copy: a copy at similarity 0.6 shares two or more of eight
    with probability ~0.99), the ``most`` that share most first."""
    need = min(2, size)
    return sorted((j for j, n in shared.items() if n >= need), key=lambda j: (-shared[j], j))[:most]


def owners(sketches: dict[str, list[int]], ids: Iterable[str]) -> dict[int, list[str]]:
    """hash -> the articles among ``ids`` whose sketch holds it."""
    owners: dict[int, list[str]] = {}
    for aid in ids:
        for h in sketches[aid]:
            owners.setdefault(h, []).append(aid)
    return owners
