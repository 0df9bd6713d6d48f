"""What the words around an actor's mentions tell the linker about it.

Two readings, both from the text alone:

- a place name in a sports context names a team ("Alabama hasn't won the league since 1999",
  "Miami's record fell to 13-18"): the place is then no candidate, and the actor stays unlinked
  unless the KB holds a non-place entity of that name;
- a place followed by its state or country ("Vail, Colo.", "Columbus, Ohio") has that full name
  as a surface form, which is evidence for the one place of the name that lies there;
- a place after an office holder's "of" ("Sen. Charles Schumer of New York", "Gov. Rick Perry
  of Texas") is the state they represent, not its namesake city.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that on their own make a sentence about sport; and words that do so only together.
_STRONG = re.compile(
    r"\b(?:coach(?:es|ed|ing)?|quarterbacks?|touchdowns?|playoffs?|halftime|innings?|"
    r"rebounds?|linebackers?|point guard|bowl games?|NFL|NBA|NHL|MLB|NCAA|SEC|"
    r"[Nn]ational title|[Dd]ivision title|cricket|wickets?|one-day|[Tt]est match|"
    r"midfielders?|strikers?|goalkeepers?|penalty shoot-?out)\b"
)
_WEAK = re.compile(
    r"\b(?:seasons?|games?|league|championships?|titles?|teams?|wins?|won|loss(?:es)?|"
    r"lost|victory|defeat(?:ed)?|scored?|fans|stadium|[Dd]ivision|conference|record|"
    r"rivals?|beat|players?|roster|recruit(?:s|ing)?|drew|draw|goalless|aggregate|"
    r"qualif(?:ier|iers|ying)|World Cup|club|goals?|match(?:es)?|overs|tournament|"
    r"semi-?finals?|quarter-?finals?|unbeaten|cup)\b"
)
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b")
# before a mention that is the place whatever the context: a preposition of place, a bracket
# ("Jane Roe (Peru)") or a dateline's city ("CHISINAU, Moldova")
_LOCATIVE = re.compile(r"(?:\b(?:in|to|at|from|near|into|of)|\(|\b[A-Z]{3,}\s?,)\s*$")
_DATELINE = re.compile(r"(?:,\s+(?:[A-Z][a-z]{0,4}\.\s?){1,3})?\s*[-\u2013\u2014]\s")
_WINDOW = 120  # characters on each side of a mention
_QUALIFIER = re.compile(r",\s+((?:[A-Z][a-z]{0,4}\.\s?){1,3}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")


def sports_context(text: str, start: int, end: int) -> bool:
    """The words around ``text[start:end]`` are about a game, a team or a season."""
    window = text[max(0, start - _WINDOW) : end + _WINDOW]
    if _STRONG.search(window):
        return True
    weak = {m.group(0).lower() for m in _WEAK.finditer(window)}
    return len(weak) + (1 if _SCORE.search(window) else 0) >= 2


def _dateline(text: str, start: int, end: int) -> bool:
    """``"MIAMI - "``, ``"TUSCALOOSA, Ala. - "``: where the story was filed, a place."""
    return text[start:end].isupper() or _DATELINE.match(text, end) is not None


def names_a_team(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Most of an actor's named mentions stand in sports contexts: it is the team. A mention
    after "in", "to", "at" ("a swing begins Friday in Phoenix") is the place whatever the
    context, and so is one in brackets after a player's name ("Jane Roe (Peru) won"); a
    dateline does not vote."""
    votes = [
        sports_context(text, s, e) and not _LOCATIVE.search(text, max(0, s - 30), s)
        for s, e in spans
        if not _dateline(text, s, e)
    ]
    return bool(votes) and sum(votes) * 2 > len(votes)


_SEAT = re.compile(
    r"\b(?:Sens?\.|Senators?|Reps?\.|Representatives?|Gov\.|Governor|Congress(?:wo)?man)"
    r"\s+(?:[A-Z][\w.'\u2019-]*\s+){1,4}of\s+$"
)


def names_a_seat(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """A mention right after "Sen. Charles Schumer of": the state the office holder is
    elected in (a US state, where the KB has one of the name)."""
    return any(_SEAT.search(text, max(0, s - 80), s) for s, _ in spans)


def qualified_forms(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """``"Vail, Colo."`` for a mention "Vail" that the text follows with ", Colo."."""
    out = []
    for s, e in spans:
        m = _QUALIFIER.match(text, e)
        if m:
            out.append(f"{text[s:e]}, {m.group(1).strip()}")
    return out
