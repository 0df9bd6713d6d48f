"""Alias keys: the one normalisation shared by the index builder and the linker.

Both sides must agree exactly, so the key function lives alone: accents, case, dots in
abbreviations ("U.S."), possessives, a leading "the" and punctuation never decide a match.
"""

from __future__ import annotations

import re
import unicodedata

_POSS = re.compile(r"(?:['’]s|s['’])$")
_NONWORD = re.compile(r"[^\w&]+")


def alias_key(text: str) -> str:
    """``"The U.S. State Department's"`` -> ``"us state department"``."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).strip()
    t = _POSS.sub("", t.strip(" .,;:'\"’“”"))
    t = t.lower().replace(".", "")
    t = _NONWORD.sub(" ", t).replace("_", " ")
    words = t.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def tokens(key: str) -> list[str]:
    """Tokens of a key long enough to block fuzzy candidates on."""
    return [w for w in key.split() if len(w) >= 3]
