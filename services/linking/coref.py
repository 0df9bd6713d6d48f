"""Cues for resolving pronouns and descriptions: a person's grammatical gender, nouns that stand
for a source document or a kind of organisation.

Gender is read only from the text ("his wife Ana Ruiz", "Lena Okafor, a spokeswoman",
"Mrs. X"), never guessed from the first name, so "she said" skips a man the text
called a husband and prefers a woman the text called a wife; most people stay unknown.
"""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan

from stancestream.services.linking import names as nm

FEMALE = nm.words("""
she her wife mother daughter sister widow woman girl grandmother aunt niece actress queen
spokeswoman chairwoman congresswoman businesswoman mrs. mrs ms. ms madam lady princess
""")
MALE = nm.words("""
he his husband father son brother widower man boy grandfather uncle nephew actor king
spokesman chairman congressman businessman mr. mr sir lord prince
""")
# "the statement said", "a report in the Evening Courier": the source is the author of the document
DOC_NOUNS = nm.words(
    "report study survey statement poll article letter release analysis draft audit editorial memo"
    " document filing"
)
# "the company said": the last organisation of that kind
KIND_NOUNS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("company", "firm", "retailer", "chain", "corporation", "airline", "carrier", "group"),
        frozenset({"org"}),
    ),
    **dict.fromkeys(
        ("magazine", "newspaper", "paper", "network", "broadcaster", "channel", "daily", "agency"),
        frozenset({"media", "org"}),
    ),
}


def _word_gender(word: str) -> str | None:
    w = word.lower()
    if w in FEMALE and w not in {"her", "she"}:
        return "f"
    if w in MALE and w not in {"he", "his"}:
        return "m"
    return None


def mention_gender(ent: SpacySpan) -> str | None:
    """Gender the text gives a PERSON span: a title or relation noun just before it ("his wife
    Joanne", "Ruiz's sister, Marta,", "Mrs. X") or a noun in its apposition ("X, a spokeswoman")."""
    doc = ent.doc
    before = [t for t in doc[max(0, ent.start - 3) : ent.start] if not t.is_punct]
    for t in reversed(before):
        g = _word_gender(t.text)
        if g:
            return g
        if t.pos_ not in {"PROPN", "DET", "PRON", "PART"}:
            break
    if ent.end < len(doc) and doc[ent.end].text == ",":
        for t in doc[ent.end + 1 : ent.end + 5]:
            if t.text in {",", ";", "."}:
                break
            g = _word_gender(t.text)
            if g:
                return g
    return None
