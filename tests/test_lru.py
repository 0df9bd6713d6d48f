"""``Lru`` keeps the values of the keys used last, reads counting as uses."""

from __future__ import annotations

from stancestream.shared.lru import Lru


def test_the_longest_unused_goes_first() -> None:
    lru: Lru[str, int] = Lru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the last used
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c"), len(lru)) == (1, None, 3, 2)
    lru.put("a", 4)  # a new value for a kept key
    assert lru.get("a") == 4 and len(lru) == 2


def test_size_zero_keeps_nothing() -> None:
    lru: Lru[str, int] = Lru(0)
    lru.put("a", 1)
    assert lru.get("a") is None and len(lru) == 0
