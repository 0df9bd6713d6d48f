"""Outlet names as a reader knows them: one publisher for the spellings feeds and pages give
(``ReutersIndia``, ``Reuters_Co_Uk``, ``in.reuters.com`` are all Reuters). The raw value stays
stored as it came (``articles.source``); filters compare the normalised names."""

from __future__ import annotations

import re

# words that say where or which site of a publisher, not who: country/TLD labels
_PLACE_WORDS = {
    "www", "co", "com", "org", "net", "uk", "us", "au", "ca", "de", "fr", "in", "india", "ie",
    "nz", "za", "intl", "international", "edition", "mobile", "amp",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def outlet_name(raw: str | None) -> str | None:
    """The publisher name of a raw outlet value: a host's registered name (``in.reuters.com`` ->
    ``Reuters``), or the words of a name without the place or site words it ends with
    (``ReutersIndia``, ``Reuters_Co_Uk`` -> ``Reuters``)."""
    if raw is None or not raw.strip():
        return None
    s = raw.strip()
    if "." in s and " " not in s:  # a host name
        labels = [x for x in s.lower().split(".") if x and x not in _PLACE_WORDS]
        if labels:
            name = labels[-1]
            return name.upper() if len(name) <= 3 else name.capitalize()
        return s
    words = _TOKEN.findall(s)
    while len(words) > 1 and words[-1].lower() in _PLACE_WORDS:
        words.pop()
    return " ".join(words) if words else s


def outlet_key(raw: str | None) -> str:
    """How outlets compare: the normalised name, any case."""
    return (outlet_name(raw) or "").casefold()
