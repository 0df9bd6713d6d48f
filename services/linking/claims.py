"""Claims of one article: sentences, quotes and reported speech, each with its speaker.

A claim unit is a sentence, or several sentences when a quotation runs across them (spaCy splits
inside quotes; the quote and its attribution must stay one claim). The speaker is the subject of
the least embedded speech-cue verb outside the quotation marks, or the object of "according to".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from stancestream.services.linking.actors import Actor
from stancestream.services.linking.coref import DOC_NOUNS
from stancestream.services.linking.nlp import Chunk
from stancestream.services.linking.readings import ClaimReader, Reading
from stancestream.services.linking.speakers import Resolver

CUE_LEMMAS = frozenset(
    {
        "say",
        "stress",
        "note",
        "add",
        "accuse",
        "deny",
        "refute",
        "point",
        "tell",
        "warn",
        "argue",
        "claim",
        "state",
        "announce",
        "insist",
        "emphasize",
        "emphasise",
        "explain",
        "declare",
        "assert",
        "confirm",
        "acknowledge",
        "allege",
        "reiterate",
        "underline",
        "write",
        "tweet",
        "comment",
        "remark",
        "dismiss",
        "reject",
        "admit",
        "report",
        "pledge",
        "vow",
        "promise",
        "lament",
        "complain",
        "charge",
        "contend",
        "suggest",
        "concede",
        "caution",
        "urge",
        "predict",
        "testify",
    }
)
_QUOTE_MARKS = {'"', "“", "”", "'", "’"}
_QUOTE = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)", re.S)
_SUBJ = {"nsubj", "nsubjpass"}
_DASH_TAIL = re.compile(r"\s[—–]\s*([A-Z][^—–.!?\"“”]{1,60}?)\s*$")


@dataclass
class Unit:
    """A claim before it becomes a contract ``Claim``: article span, kind and speaker."""

    start: int
    end: int
    kind: str = "sentence"
    speaker: Actor | None = None
    # the phrases naming the speaker and narrating the speaking (article offsets)
    attribution: list[tuple[int, int]] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each quotation (straight or curly double quotes) in a paragraph; an
    unclosed quote runs to the paragraph's end, as news style does for multi-paragraph quotes."""
    return [m.span() for m in _QUOTE.finditer(text) if m.end() - m.start() > 2]


def _inside(i: int, quotes: list[tuple[int, int]]) -> bool:
    return any(s <= i < e for s, e in quotes)


def _units(chunk: Chunk, quotes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans (chunk offsets), merged where a quote crosses a sentence boundary or a
    lowercase attribution ("he said.") was split off from the quote before it."""
    out: list[tuple[int, int]] = []
    for sent in chunk.sents:
        s, e = sent.start_char, sent.end_char
        text = sent.text.strip()
        if not text:
            continue
        if out:
            ps, pe = out[-1]
            crosses = any(qs < s < qe for qs, qe in quotes)
            tail = chunk.text[ps:pe].rstrip()[-1:]
            split_attr = text[:1].islower() and tail != "" and tail in '"”'
            if crosses or split_attr:
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    out = [(s, e - (len(chunk.text[s:e]) - len(chunk.text[s:e].rstrip()))) for s, e in out]
    return [part for s, e in out for part in _split_at_coordinated_speech(chunk, s, e, quotes)]


# speech verbs that start a statement of their own when coordinated with another act
_SAYING = frozenset({"say", "tell", "warn", "add", "insist", "argue", "claim", "state"})


def _split_at_coordinated_speech(
    chunk: Chunk, s: int, e: int, quotes: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """ "Zelenskiy thanked Biden for his support and said Russia would not stop": an act and a
    statement, two claims, so that the statement's stance is read from the statement alone
    (the model took the thanks for support of Russia). Split at the "and" of a speech verb
    conjoined to a verb that is not one, where the speech verb reports a clause of its own and
    no quote spans the two."""
    span = chunk.doc.char_span(s, e, alignment_mode="expand")
    if span is None or any(qs < e and s < qe for qs, qe in quotes):
        return [(s, e)]
    root = span.root
    if root.lemma_.lower() in CUE_LEMMAS:
        return [(s, e)]
    for verb in root.children:
        if (
            verb.dep_ == "conj"
            and verb.lemma_.lower() in _SAYING
            and any(c.dep_ == "ccomp" for c in verb.children)
            and not any(c.dep_ in _SUBJ for c in verb.children)
        ):
            cc = [c for c in root.children if c.dep_ == "cc" and c.i < verb.i]
            if cc and cc[-1].i + 1 < len(chunk.doc):
                end = len(chunk.text[: cc[-1].idx].rstrip())  # before "and"
                start = chunk.doc[cc[-1].i + 1].idx  # the statement from its verb on
                if s < end and start < e:
                    return [(s, end), (start, e)]
    return [(s, e)]


def _depth(tok: Token) -> int:
    d = 0
    while tok.head != tok and d < 50:
        tok, d = tok.head, d + 1
    return d


def _speaker_token(tok: Token) -> Token | None:
    """The subject of a cue verb (inherited from the verb it is conjoined to), or the object
    of "according to"."""
    if tok.lower_ == "according":
        for to in tok.children:
            for obj in to.children:
                if obj.dep_ == "pobj":
                    return obj
        return None
    if tok.lemma_.lower() == "point" and not any(c.lower_ == "out" for c in tok.children):
        return None
    head = tok.head.head if tok.head.lower_ == "as" else tok.head
    if tok.dep_ == "acl" and head.lemma_.lower() in DOC_NOUNS:
        # "Amazon released a statement saying ...": the document's author speaks
        author = next((c for c in head.children if c.dep_ in {"poss", "compound"}), None)
        if author is None and head.dep_ == "dobj":
            author = next((c for c in head.head.children if c.dep_ == "nsubj"), None)
        return author
    if head != tok and head.lemma_.lower() == "quote":
        # "X was quoted as saying": the speaker is the one quoted
        return next((c for c in head.children if c.dep_ == "nsubjpass"), None)
    for v in (tok, tok.head if tok.dep_ == "conj" else None):
        if v is None:
            continue
        for c in v.children:
            if c.dep_ == "agent":  # passive: "was denied by X"
                return next((o for o in c.children if o.dep_ == "pobj"), None)
        subjects = [c for c in v.children if c.dep_ in _SUBJ]
        # "Denver Fire Lt. Ana Ruiz said": of two subjects, the person speaks
        subj = next((c for c in subjects if c.ent_type_ == "PERSON"), None) or next(
            iter(subjects), None
        )
        if subj is None:
            continue
        if subj.dep_ == "nsubjpass":
            return None
        if subj.tag_ in {"WDT", "WP"} and v.dep_ == "relcl":  # "X, which said ..."
            return v.head
        return subj
    return _orphan_subject(tok)


def _orphan_subject(cue: Token) -> Token | None:
    """The subject of a closing attribution the parse attached elsewhere ("... that killed 520
    people, the final draft of a Ministry of Transport report says."): the noun phrase between
    the last comma and the cue, when the cue ends the sentence."""
    doc = cue.doc
    after = doc[cue.i + 1] if cue.i + 1 < len(doc) else None
    if after is not None and not after.is_punct:
        return None
    start = cue.i
    while start > 0 and not doc[start - 1].is_punct and cue.i - start < 12:
        start -= 1
    if start == 0 or doc[start - 1].text != "," or start == cue.i:
        return None
    phrase = doc[start : cue.i]
    roots = [t for t in phrase if not (start <= t.head.i < cue.i)]
    if len(roots) != 1 or roots[0].pos_ not in {"NOUN", "PROPN"}:
        return None
    return roots[0]


def _cues(chunk: Chunk, s: int, e: int, quotes: list[tuple[int, int]]) -> list[Token]:
    """Cue tokens of a unit outside its quotes, least embedded first."""
    doc = chunk.doc
    span = doc.char_span(s, e, alignment_mode="expand")
    assert span is not None, "a unit's offsets lie within its text"
    toks = []
    for t in span:
        if _inside(t.idx, quotes):
            continue
        verb = t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() in CUE_LEMMAS
        according = t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"
        if verb or according:
            toks.append(t)
    return sorted(toks, key=lambda t: (not _closing_attribution(t), _depth(t)))


def _closing_attribution(tok: Token) -> bool:
    """News style puts the attribution of a whole statement after it: '..., Okafor said.',
    '...," said Sen. X'. Such a cue, right after a comma or closing quote, wins over cue verbs
    inside the reported clause, whatever the parse made the root."""
    doc = tok.doc
    subj = next((c for c in tok.children if c.dep_ in _SUBJ), None)
    if subj is None:
        return False
    start = min(tok.i, subj.left_edge.i)
    if subj.i > tok.i:  # inverted: "said X"
        start = tok.i
    elif subj.right_edge.i + 1 != tok.i and not (
        subj.right_edge.i + 2 == tok.i and doc[tok.i - 1].pos_ == "ADV"
    ):
        return False  # "X later said": one adverb may sit between subject and verb
    return start > 0 and (doc[start - 1].text == "," or doc[start - 1].text in _QUOTE_MARKS)


def _dash_source(chunk: Chunk, s: int, e: int, resolver: Resolver) -> Actor | None:
    """The actor named alone after a final dash ("US confirms ... — Russian Defense Ministry")."""
    m = _DASH_TAIL.search(chunk.text, s, e)
    if m is None or m.end() != e:
        return None
    a0, a1 = chunk.offset + m.start(1), chunk.offset + m.end(1)
    actor = resolver.index.at(a0, a1)
    if actor is None or not any(x.start == a0 and x.end == a1 for x in actor.mentions):
        return None
    return actor


def _narration(cue: Token, quotes: list[tuple[int, int]]) -> list[Token]:
    """The outlet's adjuncts to a speech verb ('..., said Pfeiffer, referring to the Bush
    campaign against Kerry', 'Teeing up the stage for Romney's speech, Ryan accused
    Democrats'): they describe the speaking, they are not what was said."""
    return [
        c
        for c in cue.children
        if c.dep_ == "advcl"
        and c.tag_ == "VBG"
        and c.lemma_.lower() not in CUE_LEMMAS
        and not _inside(c.idx, quotes)
    ]


def _around_embedded_cue(chunk: Chunk, cue: Token, s: int, e: int) -> list[tuple[int, int]]:
    """Article spans of the unit [s, e) outside a speech verb that sits in another clause's
    adverbial ("Nielsen drew criticism from Democrats when she said she was unaware ..."): the
    outlet narrates that clause; only the speech verb's own phrase is what was said. (A
    relative clause is not narration: "a man who said ..., Frank Flack, posted a reply that
    assailed Ms. Edwards" goes on about the speaker.)"""
    if cue.dep_ != "advcl" or _closing_attribution(cue):
        return []
    left, right = _subtree_span(chunk, cue)
    lo, hi = chunk.offset + s, chunk.offset + e
    return [(a, b) for a, b in ((lo, left), (right, hi)) if a < b]


def _subtree_span(chunk: Chunk, tok: Token) -> tuple[int, int]:
    """Article offsets of a token's whole phrase ("Russian Defense Ministry Spokesman ... X")."""
    left, right = tok.left_edge, tok.right_edge
    return chunk.offset + left.idx, chunk.offset + right.idx + len(right.text)


def find_units(
    chunks: list[Chunk], resolver: Resolver, reader: ClaimReader | None = None
) -> list[Unit]:
    """All claim units of the article, in order, with speakers resolved and, given a
    ``reader``, the candidate stance pairs of each."""
    units: list[Unit] = []
    for ch in chunks:
        first = len(units)
        quotes = quote_spans(ch.text)
        resolver.quoted += [(ch.offset + qs, ch.offset + qe) for qs, qe in quotes]
        resolver.scan(ch)
        for s, e in _units(ch, quotes):
            unit = Unit(ch.offset + s, ch.offset + e)
            has_quote = any(qs < e and s < qe for qs, qe in quotes)
            source = _dash_source(ch, s, e, resolver)
            if source is not None:  # TASS-style headline "Claim — Source"
                unit.kind, unit.speaker = "reported", source
                tail = _DASH_TAIL.search(ch.text, s, e)
                unit.attribution = [(ch.offset + tail.start(), ch.offset + e)] if tail else []
                units.append(unit)
                continue
            for cue in _cues(ch, s, e, quotes):
                subj = _speaker_token(cue)
                if subj is None:
                    continue
                unit.kind = "quote" if has_quote else "reported"
                speaker = resolver.resolve(ch, subj, quotes)
                if speaker is None:
                    continue  # "someone said": a later cue may name the source
                unit.speaker = speaker
                if subj.lower_ != "according":
                    unit.attribution = [_subtree_span(ch, subj)]
                unit.attribution += [_subtree_span(ch, a) for a in _narration(cue, quotes)]
                if not has_quote:
                    unit.attribution += _around_embedded_cue(ch, cue, s, e)
                resolver.note(speaker, unit.start)
                break
            else:
                quoted = sum(min(e, qe) - max(s, qs) for qs, qe in quotes if qs < e and s < qe)
                prev = units[-1] if units else None
                if (
                    unit.kind == "sentence"
                    and quoted > (e - s) / 2
                    and prev
                    and prev.speaker
                    and prev.kind != "sentence"
                ):  # a quote running on, no cue of its own
                    unit.kind, unit.speaker = "quote", prev.speaker
            units.append(unit)
        if reader is not None:
            for unit in units[first:]:
                unit.readings = reader.read(
                    ch, unit.start, unit.end, unit.speaker, unit.attribution, unit.kind
                )
    return units
