"""Where an article names its own staff, not the news: bylines, reporting and editing credits,
contact lines and photo credits. Names there are not actors of the story ("Additional reporting
by Wilda Asmarini ...", "Shamil Zhumatov/REUTERS"), so the linker takes no mention from them."""

from __future__ import annotations

import re

_AGENCIES = r"(?:REUTERS|Reuters|AP|AFP|EPA|Getty Images|Bloomberg|AP Photo|USA TODAY Sports|TASS)"
_NAME = r"[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+){0,3}"

# Whole paragraphs that are credits.
_PARAGRAPHS = [
    # "(Additional reporting by X in JAKARTA; Writing by Y; Editing by Z)", "Reporting by X"
    re.compile(
        r"^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled)\s+by\b",
        re.I,
    ),
    re.compile(r"^\(.*\b(?:reporting|editing|writing)\s+by\b.*\)\s*$", re.I | re.S),
    re.compile(r"^to\s+contact\s+the\s+(?:reporters?|editors?|writers?)\b", re.I),
    re.compile(r"\bcontributed\s+(?:reporting\s+)?to\s+this\s+(?:report|story|article)\W*$", re.I),
    re.compile(r"^(?:By|BY)\s+" + _NAME + r"(?:\s*(?:,|and)\s*" + _NAME + r")*\s*$"),  # a byline
    re.compile(r"^(?:photo|image|picture|file photo)s?\s*(?:credit)?\s*:", re.I),
]
# Credits inside a paragraph: "Shamil Zhumatov/REUTERS", "REUTERS/Kim Kyung-Hoon".
_INLINE = [
    re.compile(_NAME + r"\s*/\s*" + _AGENCIES + r"(?![a-z])"),
    re.compile(_AGENCIES + r"\s*/\s*" + _NAME),
    re.compile(_NAME + r"\s*-\s*USA TODAY Sports"),
    re.compile(r"\((?:photo|image|picture)s?\s*(?:credit)?\s*:[^)\n]{0,120}\)", re.I),
]


def credit_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every credit stretch of ``text``, in order."""
    out: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        stripped = para.strip()
        if stripped and len(stripped) < 600 and any(rx.search(stripped) for rx in _PARAGRAPHS):
            out.append((pos, pos + len(para)))
        else:
            for rx in _INLINE:
                out += [(pos + m.start(), pos + m.end()) for m in rx.finditer(para)]
        pos += len(para) + 1
    return sorted(out)


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of ``spans``."""
    return any(s < end and start < e for s, e in spans)
