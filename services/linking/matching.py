"""Further mentions of an article's actors by string matching, where NER missed them.

NER misses repeated names (a surname in a quote attribution, a name it tagged as a work of art);
each actor's own surface forms are searched for again. A match never splits a longer name: not
inside a facility/event span NER found, and not before another capitalised word ("Ford" in "Ford
Foundation"), so the longer span wins.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from stancestream.services.linking import names as nm
from stancestream.services.linking.actors import ACTOR_LABELS, Actor, Mention

_PARTICLE = re.compile(r"(?:al|el|ad|as|bin|ibn|de|da|di|du|van|von|der|la|le)[- ][A-Z]")
_WORD_AFTER = re.compile(r"^[ \t]+([A-Za-z][\w.&'-]*)")


def _inside_longer_name(text: str, e: int) -> bool:
    """Whether a capitalised word (not a title, not an acronym) follows the match, which is then
    the start of a longer name ("Ford" in "Ford Foundation"); the longer span wins."""
    after = _WORD_AFTER.search(text[e : e + 40])
    if after is None:
        return False
    word = after.group(1)
    return word[:1].isupper() and not word.isupper() and word.lower() not in nm.TITLES


def _is_word_char(ch: str) -> bool:
    """What ``\\w`` matches: a letter, digit or number of any script, or the underscore."""
    return ch.isalnum() or ch == "_"


def _occurrences(text: str, form: str) -> list[tuple[int, int]]:
    """Spans of ``form`` in ``text`` as a whole word (no word character or hyphen before it,
    no word character after it); ``str.find``, not a regex per form: an article has dozens of
    forms, and compiling and running a pattern for each was a tenth of the linking rules' time."""
    out = []
    s = text.find(form)
    while s >= 0:
        e = s + len(form)
        before = text[s - 1] if s else ""
        after = text[e] if e < len(text) else ""
        if not (before and (_is_word_char(before) or before == "-")) and not (
            after and _is_word_char(after)
        ):
            out.append((s, e))
            s = text.find(form, e)  # finditer resumes after a match
        else:
            s = text.find(form, s + 1)
    return out


def add_string_matches(
    text: str, actors: list[Actor], blocked: Sequence[tuple[int, int]] = ()
) -> None:
    """Find further occurrences of each actor's surface forms that NER missed; never inside
    another named span (``blocked``: facilities, events, ...) or a longer capitalised name."""
    taken = sorted({(m.start, m.end) for a in actors for m in a.mentions})
    for a in actors:
        bases = {
            nm.clean(m.text): m
            for m in a.mentions  # not demonyms ("Russian" -> Russia)
            if m.label in ACTOR_LABELS and nm.normalise(m.text) == m.name and not m.adjectival
        }
        for m in list(bases.values()):
            # "Nathaly Cartas Leon" ... "Salinas beat Cartas": a Spanish name's first surname
            # names its bearer (a middle name seldom stands alone)
            words = m.text.split()
            if (
                m.label == "PERSON"
                and len(words) == 3
                and all(w[:1].isupper() for w in words)
                and "." not in words[1]
                and len(words[1]) > 2
            ):
                bases.setdefault(words[1], m)
        for form in sorted(bases, key=len, reverse=True):
            if len(form) < 2 or not (form[0].isupper() or _PARTICLE.match(form)):
                continue
            for s, e in _occurrences(text, form):
                i = bisect.bisect_left(taken, (s, e))
                near = taken[max(0, i - 1) : i + 1]
                if (
                    any(ts < e and s < te for ts, te in near)
                    or _inside_longer_name(text, e)
                    or any(bs <= s and e <= be and be - bs > e - s for bs, be in blocked)
                ):
                    continue
                a.mentions.append(Mention(s, e, form, bases[form].label, bases[form].name))
                bisect.insort(taken, (s, e))
        a.mentions.sort(key=lambda m: m.start)
