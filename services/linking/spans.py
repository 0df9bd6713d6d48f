"""Span rules for NER mentions: which place mentions are names, and what a name's span is.

Policy: an entity's linked mentions are the spans that *name* it (plus coreferent pronouns and
descriptions). A place inside a longer name is not one: the longer name wins ("U.S. military" is
the institution, "Paris's Orly Airport" the airport, "northern Italy" a region). Such uses,
like demonyms, are kept as *adjectival* mentions: still evidence of the actor in a claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from stancestream.services.linking import names as nm

# Names of things that are not actors; a place glued to one is part of that longer name.
THING_LABELS = frozenset({"FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
_MODIFIER_DEPS = frozenset({"compound", "nmod", "amod"})
_INDEX_NOUNS = frozenset({"index", "average"})
# "the California desert", "the Texas coast": a region of the place, as "northern Italy" is
_LANDFORM_NOUNS = nm.words(
    "desert deserts coast coastline countryside mountains highlands lowlands interior "
    "wilderness backcountry plains outback hinterland"
)
_HYPHENS = frozenset({"-", "\u2013"})
# "the Vietnam war", "a Vietnam veteran", "the Vietnam-era draft": the war's name, not the place's
_WAR_NOUNS = nm.words("war wars conflict era veteran veterans vet vets")


def _hyphen_compound(ent: SpacySpan) -> bool:
    """ "Minneapolis-St. Paul", "Dallas-Fort Worth": a place joined by a bare hyphen to another
    name is part of that compound name (a metro area), not a name of the place alone."""
    doc = ent.doc
    s, e = ent.start, ent.end
    after = (
        e + 1 < len(doc)
        and doc[e].text in _HYPHENS
        and not doc[e - 1].whitespace_
        and not doc[e].whitespace_
        and doc[e + 1].is_title
    )
    before = (
        s >= 2
        and doc[s - 1].text in _HYPHENS
        and not doc[s - 2].whitespace_
        and not doc[s - 1].whitespace_
        and doc[s - 2].is_title
    )
    return after or before


def _names_a_war(ent: SpacySpan) -> bool:
    """ "the Vietnam war", "the U.S. war in Iraq", "a Vietnam veteran", "the Vietnam-era draft":
    a place before a word for a war names the war (or its veterans), not the place."""
    doc, e = ent.doc, ent.end
    if e < len(doc) and doc[e].lower_ in _WAR_NOUNS:
        return not doc[e].ent_type_
    return (
        e + 1 < len(doc)
        and doc[e].text in _HYPHENS
        and not doc[e - 1].whitespace_
        and doc[e + 1].lower_ in _WAR_NOUNS
    )


def adjectival_place(ent: SpacySpan) -> bool:
    """Whether a GPE/LOC span is part of a longer name rather than a name of the place: a state
    institution ("U.S. military", an actor of its own), a facility or event ("Paris's Orly
    Airport", "the Vietnam war"), a compound place ("Minneapolis-St. Paul") or a region
    ("northern Italy", "the California desert" are not the place itself)."""
    root, doc = ent.root, ent.doc
    head = root.head
    if ent.start > 0 and doc[ent.start - 1].lower_ in nm.COMPASS:
        return True
    if _hyphen_compound(ent) or _names_a_war(ent):
        return True
    nxt = doc[ent.end] if ent.end < len(doc) else None
    if (  # "London's Heathrow Airport", however the parser attached the possessive
        nxt is not None
        and nxt.tag_ == "POS"
        and ent.end + 1 < len(doc)
        and doc[ent.end + 1].ent_type_ in THING_LABELS
    ):
        return True
    if ent.start <= head.i < ent.end:
        return False
    if head.ent_type_ in THING_LABELS and root.dep_ in _MODIFIER_DEPS | {"poss"}:
        return True
    return (
        nxt is not None
        and not nxt.ent_type_
        and (
            nxt.lower_ in nm.INSTITUTION_NOUNS
            or (nxt.lower_ in _LANDFORM_NOUNS and head.i == nxt.i)
        )
        and root.dep_ in _MODIFIER_DEPS
    )


def with_number(ent: SpacySpan) -> SpacySpan:
    """An ORG followed by a number that belongs to its name is one name: "Stoxx 600 fell",
    "the Acme 500 index" (a stock index, not the company). A number followed by
    anything but a word is a score or a table cell ("Falcons 4-0", "Hornets 36")."""
    doc = ent.doc
    if ent.end + 1 < len(doc):
        nxt, after = doc[ent.end], doc[ent.end + 1]
        names_it = ent.start <= nxt.head.i < ent.end or (
            nxt.head.i == after.i and after.lemma_.lower() in _INDEX_NOUNS
        )
        if (
            nxt.text.isdigit()
            and not (len(nxt.text) == 4 and nxt.text[:2] in {"19", "20"})  # "its 1988 budget"
            and nxt.dep_ == "nummod"
            and names_it
            and after.is_alpha
            and after.is_lower
        ):
            return SpacySpan(doc, ent.start, ent.end + 1, label=ent.label_)
    return ent


_CORP_SUFFIXES = nm.words(
    "co corp corporation inc incorporated ltd plc llc ag sa nv international company cos"
)
# Ranks and roles that NER glues to the organisation before a name ("Houston Police Capt. Rick
# Bownds"): they belong to the person.
_TRAILING_TITLES = nm.words(
    "capt captain sgt sergeant lt lieutenant officer det detective cmdr commander chief"
    " spokesman spokeswoman spokesperson"
)
_TICKER = re.compile(r"[A-Z]{1,5}(?:\.[A-Z]{1,2})?")


_PLACE_LABELS = frozenset({"GPE", "LOC"})


def _between(doc: Doc, a: SpacySpan, b: SpacySpan, word: str) -> bool:
    """Only ``word`` stands between the entities ``a`` and ``b``."""
    return b.start == a.end + 1 and doc[a.end].lower_ == word


def joined_org_names(ents: Sequence[SpacySpan]) -> list[SpacySpan]:
    """One organisation's name that NER split in pieces, joined again: "Blue Cross and Blue
    Shield of Alabama" (two ORGs sharing a word, joined by "and", that "of <place>" closes)
    and "Pacific Sunwear of California Inc." (a name, "of" and a piece ending in a legal
    form). Two companies named side by side ("Microsoft and Google of Seattle") stay two."""
    out = list(ents)
    i = 0
    while i + 1 < len(out):
        a, b = out[i], out[i + 1]
        doc = a.doc
        c = out[i + 2] if i + 2 < len(out) else None
        if (
            a.label_ == b.label_ == "ORG"
            and {t.lower_ for t in a} & {t.lower_ for t in b} - {"the"}
            and c is not None
            and c.label_ in _PLACE_LABELS
            and _between(doc, a, b, "and")
            and _between(doc, b, c, "of")
        ):
            out[i : i + 3] = [SpacySpan(doc, a.start, c.end, label="ORG")]
        elif (
            a.label_ in _PLACE_LABELS | {"ORG", "NORP"}
            and b.label_ == "ORG"
            and _between(doc, a, b, "of")
            and doc[b.end - 1].lower_.rstrip(".") in _CORP_SUFFIXES
        ):
            out[i : i + 2] = [SpacySpan(doc, a.start, b.end, label="ORG")]
        elif b.label_ == "ORG" and _between(doc, a, b, "and") and _legal_form_only(b):
            # "Merck and Co Inc", "J.P. Stevens and Co Inc", "Burns, Pauli and Co Inc": a firm
            # named for its founders or partners, not a person or place and a company "Co Inc"
            last = i + 1
            while (
                i > 0 and out[i - 1].end + 1 == out[i].start and doc[out[i].start - 1].text == ","
            ):
                if out[i - 1].label_ not in _NAME_LABELS:
                    break
                i -= 1  # "Burns, Pauli and": the partners before the last one
            out[i : last + 1] = [SpacySpan(doc, out[i].start, b.end, label="ORG")]
        i += 1
    return out


_NAME_LABELS = _PLACE_LABELS | {"ORG", "PERSON", "NORP"}


def _legal_form_only(ent: SpacySpan) -> bool:
    """An entity that is nothing but legal forms ("Co Inc", "Co.", "Company"), perhaps after
    the family a firm is named for ("Sons Ltd" of "Samuel Montagu and Sons Ltd")."""
    toks = [t.lower_.rstrip(".") for t in ent]
    if len(toks) > 1 and toks[0] in _FAMILY:
        toks = toks[1:]
    return all(t in _CORP_SUFFIXES for t in toks)


_FAMILY = frozenset({"sons", "brothers", "partners", "associates"})


_GRADE = r"(?:AAA|AA|A|BBB|BB|B|CCC|CC|C)[-+]?"
_RATING = re.compile(rf"{_GRADE}(?:/{_GRADE})*")
_RATING_WORDS = nm.words("rate rated rates rating ratings")


def credit_rating(ent: SpacySpan) -> bool:
    """A bond rating NER took for an organisation: "rated AAA/AA", "a rating of AA-"; not the
    motoring club in "expected by AAA to travel"."""
    if _RATING.fullmatch(ent.text) is None:
        return False
    before = ent.doc[max(0, ent.start - 3) : ent.start]
    return "/" in ent.text or any(t.lower_ in _RATING_WORDS for t in before)


def is_ticker(word: str) -> bool:
    """A stock ticker as wire copy writes it after a company ("MOT", "RTRS.L")."""
    return _TICKER.fullmatch(word) is not None


def corporate(ent: SpacySpan) -> SpacySpan:
    """A company's name as a reader would write it: "American Telephone [and Telegraph Co]"
    where NER stopped at the "and", without the stock ticker wire copy puts after it
    ("Motorola Inc MOT", "Reuters Holdings Plc RTRS.L")."""
    doc = ent.doc
    s, e = ent.start, ent.end
    if e + 2 < len(doc) and doc[e].lower_ == "and" and doc[e + 1].is_title:
        j = e + 1
        while j < len(doc) and j < e + 5 and doc[j].is_title and not doc[j].ent_type_:
            if doc[j].lower_.rstrip(".") in _CORP_SUFFIXES:
                e = j + 1
                break
            j += 1
    while e - s >= 2 and doc[e - 1].lower_.rstrip(".") in _TRAILING_TITLES:
        e -= 1
    if e - s >= 2 and re.fullmatch(r"(?:19|20)\d\d", doc[e - 1].text):
        e -= 1  # "the House Budget Committee's 1988 [budget]": the year is not in the name
    if e - s >= 2 and _TICKER.fullmatch(doc[e - 1].text):
        prev = doc[e - 2].lower_.rstrip(".")
        if prev in _CORP_SUFFIXES:
            e -= 1
    return SpacySpan(doc, s, e, label=ent.label_) if (s, e) != (ent.start, ent.end) else ent


def state_qualified(ent: SpacySpan) -> bool:
    """A place written "City, State" ("SPRINGFIELD, Ill.", "Salem, Oregon"): a US place,
    whichever place of that name elsewhere the KB holds."""
    doc = ent.doc
    if ent.end + 1 >= len(doc) or doc[ent.end].text != ",":
        return False
    for n in (3, 2, 1):  # "N.D.", "New Mexico", "W.Va." — the longest state name that fits
        words = doc[ent.end + 1 : ent.end + 1 + n]
        if len(words) == n and words.text.lower() in nm.US_STATES and words.text[:1].isupper():
            return ent.text.lower() not in nm.US_STATES
    return False


_DATELINE = re.compile(
    r"([A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2})"  # the place, in capitals
    r"(?:, ([A-Z][\w.]*(?: [A-Z][\w.]*)?))?"  # ", Ill."
    r"(?: \([A-Za-z]+\))? ?[-—–] "
)  # " (AP) - "


def datelines(text: str) -> list[tuple[int, int, bool]]:
    """Places of wire-story datelines opening a line ("CAIRO - ...", "SALEM, Ore. - ..."),
    which NER often misses in capitals: (start, end, whether a US state qualifies it)."""
    out = []
    for line in re.finditer(r"^", text, re.M):
        m = _DATELINE.match(text, line.start())
        if m is not None and len(m.group(1)) >= 3:
            out.append((m.start(1), m.end(1), (m.group(2) or "").lower() in nm.US_STATES))
    return out


_DEFINED_ACRONYM = re.compile(
    r"\b([a-z][a-z-]*(?:\s+[a-z][a-z-]*){1,7}),?\s+(?:or\s+)?\(?([A-Z]{2,6})\b"
)


def common_noun_acronyms(text: str) -> frozenset[str]:
    """Acronyms the text spells out in lowercase words ("the integrated services digital
    network, or ISDN", "value added tax (VAT)"): names of things, not of actors."""
    out = set()
    for m in _DEFINED_ACRONYM.finditer(text):
        acronym = m.group(2)
        words = re.split(r"[\s-]+", m.group(1))[-len(acronym) :]
        if "".join(w[0] for w in words).upper() == acronym:
            out.add(acronym)
    return frozenset(out)


_ABBREV_END = re.compile(r"(?:[A-Z]\.){1,3}[A-Z]|Inc|Corp|Co|Ltd|Bros|Jr|Sr")
_SENTENCE_GAP = re.compile(r"(?:^|[.!?:;\"“”‘’'(\[\n\u2014\u2013-])\s*$")


def _headline(text: str, pos: int) -> bool:
    """The line around ``pos`` is written in title case (a headline: every word capitalised)."""
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    words = re.findall(r"[A-Za-z][\w'’-]*", text[lo : hi if hi >= 0 else len(text)])
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def name_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """The characters that name an entity, as a reader marks them: a capitalised "The" inside a
    sentence belongs to the name ("shares of The Home Depot", "made up with The Donald"; a
    sentence-opening "The" or a headline's does not), and an abbreviation keeps the dot that
    the tokenizer gave to the end of the sentence ("Laramie County, Wyo. The", "Acme Inc.")."""
    if (
        start >= 4
        and text[start - 4 : start] == "The "
        and not _SENTENCE_GAP.search(text, max(0, start - 12), start - 4)
        and not _headline(text, start)
    ):
        start -= 4
    word = text[start:end]
    if (
        text[end : end + 1] == "."
        and not word.endswith(".")
        and (
            f"{word}.".lower() in nm.US_STATES
            or _ABBREV_END.fullmatch(word.rsplit(" ", 1)[-1]) is not None
        )
    ):
        end += 1
    return start, end
