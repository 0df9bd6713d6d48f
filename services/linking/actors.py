"""Actors of one article: NER mentions, typed, normalised and clustered within the document.

One actor per real-world referent in the article, so that stances aggregate: "Konashenkov" joins
"Igor Konashenkov", "the Department of State" joins "the US State Department". Clustering is
positional (a short mention joins the most recent compatible long one), which is what a reader
does and keeps two people sharing a surname apart when the text keeps them apart.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from stancestream.services.linking import names as nm
from stancestream.services.linking import stance_words as sw
from stancestream.services.linking.nlp import Chunk
from stancestream.services.linking.spans import (
    adjectival_place,
    corporate,
    credit_rating,
    datelines,
    state_qualified,
    with_number,
)
from stancestream.shared.contracts import stable_id

ACTOR_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}
# dependency roles in which a seat of government acts or is acted upon (see ``metonym``)
_ACTING_DEPS = {"nsubj", "nsubjpass", "poss", "dobj", "dative"}
_GROUP_PHRASE = re.compile(
    r"\b((?:U\.S\.|[A-Z][\w.]*)(?:-| )(?:led|backed) "
    r"(?:coalition|alliance|forces|troops|militias?|rebels|government))\b"
)
_DASHES = {"-", "—", "–"}
_COMPANY_WORDS = nm.words("inc inc. corp corp. co co. ltd ltd. llc plc group company motors bank")
_PREP_PLACE = {"in", "at", "near", "from", "to", "into", "outside", "around"}
_GROUP_OF = {"members", "militants", "terrorists", "fighters", "leader", "leaders", "rebels"}


@dataclass
class Mention:
    """One span in the article text that names (or, for DESC/PRON, refers to) an actor."""

    start: int
    end: int
    text: str
    label: str  # spaCy label, or DESC / PRON for resolved descriptions and pronouns
    name: str = ""  # normalised name
    cue: str | None = None  # type evidence from context: "group" or "location"
    # A modifier use ("French diplomats", "the Russian army", "Paris's Orly Airport"):
    # evidence of the actor for stance scoring, not a name of it, so not one of its linked mentions.
    adjectival: bool = False
    country: str | None = None  # a country the text places it in ("Springfield, Ill.": US)


@dataclass
class Actor:
    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    affiliation: Actor | None = None
    titles: set[str] = field(default_factory=set)  # title words seen before its name
    id: str = ""
    keys: set[tuple[str, ...]] = field(default_factory=set)  # match keys of its named mentions
    last: int = -1  # start of its latest mention so far (while clustering)
    classes: set[str] = field(default_factory=set)
    gender: str | None = None  # "f" / "m" where the text says so ("his wife X"), else unknown

    def add(self, m: Mention, key: tuple[str, ...]) -> None:
        self.mentions.append(m)
        if key:
            self.keys.add(key)
        self.classes.add(_class(m.label))
        self.last = max(self.last, m.start)


_OPENERS = {"[", "(", "{"}
_CLOSERS = {"]", ")", "}"}


_DECIMAL = re.compile(r"\d+[.,]\d+")


# lowercase words that begin names ("bin Laden", "de Gaulle", "al-Sadr")
_NAME_PARTICLES = nm.words("al el bin ibn de da di du van von der la le dos das")


def _trim(ent: SpacySpan) -> SpacySpan | None:
    """Drop leading determiners/titles/brackets and trailing possessives/punctuation."""
    s, e = ent.start, ent.end
    doc = ent.doc
    while s < e and (
        doc[s].lower_ in {"the", "a", "an"}
        or doc[s].is_punct
        or (ent.label_ == "PERSON" and e - s > 1 and doc[s].lower_ in nm.TITLES)
    ):
        s += 1
    while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct):
        e -= 1
    for i in range(s, e):  # "DENVER - Jane Roe": a name never spans a dateline's dash
        if doc[i].text in _DASHES and all(t.is_upper or t.is_punct for t in doc[s:i]):
            s = i + 1
    # "the [US] Department of State": a name never straddles an editorial bracket
    for i in range(s, e):
        if doc[i].text in _CLOSERS and not any(t.text in _OPENERS for t in doc[s:i]):
            s = i + 1
    for i in range(e - 1, s - 1, -1):
        if doc[i].text in _OPENERS and not any(t.text in _CLOSERS for t in doc[i:e]):
            e = i
    if s > 0 and doc[s - 1].text == "#" and not doc[s - 1].whitespace_:
        return None  # "#TwoPaths": a hashtag names no actor
    for i in range(s, e):  # "Jennifer Lawrence http://t.co/...": a link ends the name
        if doc[i].like_url or doc[i].like_email:
            e = i
            break
    while e > s and doc[e - 1].is_punct:
        e -= 1
    # "4th ranked Cardinals": a rank and the lowercase words after it are no part of the name
    if e - s > 1 and doc[s].text[:1].isdigit():
        s += 1
        while e - s > 1 and doc[s].is_lower and doc[s].lower_ not in _NAME_PARTICLES:
            s += 1
    if not any(ch.isupper() for ch in doc[s:e].text):
        return None  # "19 cts a share", "the senate", "pandas": NER's common nouns, no names
    label = ent.label_
    if label == "PERSON" and any(_DECIMAL.fullmatch(t.text) for t in doc[s:e]):
        return None  # "Revs 27.3 mln vs 23.7 mln": an earnings table, no one's name
    # "Advanceds March lawsuit": NER took the month after a company into its name
    while label == "ORG" and e - s >= 2 and doc[e - 1].text in _MONTHS:
        e -= 1
    # "U.S. Sanctions", "EU Criticism": NER took the stance noun after a name into the name
    while (
        label in {"ORG", "GPE"}
        and e - s >= 2
        and doc[e - 1].lower_ in sw.NOUN_POLARITY
        and doc[e - 1].lower_ not in nm.ORG_NOUNS  # "the Cocoa Producers Alliance"
    ):
        e -= 1
        if nm.country_name(doc[s:e].text.rstrip(".")) is not None:
            label = "GPE"
    return SpacySpan(doc, s, e, label=label) if e > s else None


# Roles a person holds that a team or profession names right before the name ("Heat center
# Alonzo Mourning", "deactivated forwards Antoine Walker and James Posey").
_ROLE_NOUNS = nm.PERSON_NOUNS | nm.words(
    "center centers forward forwards guard guards quarterback pitcher catcher striker"
    " goalkeeper midfielder defender coach player players actor actress singer rapper"
)


def _age_follows(ent: SpacySpan) -> bool:
    """A name of two or three capitalised words followed by ", 20," (an age in apposition)."""
    doc = ent.doc
    i = ent.end
    words = [t for t in ent if not t.is_punct]
    if not 2 <= len(words) <= 3 or not all(t.text[:1].isupper() for t in words):
        return False
    if i + 2 >= len(doc) or doc[i].text != "," or doc[i + 2].text not in {",", "."}:
        return False
    age = doc[i + 1].text
    return age.isdigit() and 1 <= int(age) <= 110


def _named_after_role(ent: SpacySpan) -> bool:
    """An ORG of two or three capitalised words, none an organisation's, right after a
    person's role noun: NER's small model takes some people for organisations."""
    doc = ent.doc
    words = [t for t in ent if not t.is_punct]
    if not 2 <= len(words) <= 3 or ent.start == 0 or not all(t.is_title for t in words):
        return False
    if any(t.lower_ in _COMPANY_WORDS or t.lower_ in nm.ORG_NOUNS for t in words):
        return False
    return doc[ent.start - 1].lower_ in _ROLE_NOUNS


def _cue(span: SpacySpan) -> str | None:
    """Context evidence for the type: "X terror group", "group named X", "in X", "Jane Roe of X"."""
    doc = span.doc
    after = [t.lower_ for t in doc[span.end : span.end + 2]]
    before = [t.lower_ for t in doc[max(0, span.start - 2) : span.start]]
    if after and (
        after[0] in nm.GROUP_NOUNS
        or (
            len(after) == 2
            and after[0] in {"terror", "terrorist", "militant", "armed"}
            and after[1] in nm.GROUP_NOUNS
        )
    ):
        return "group"
    if len(before) == 2 and before[1] in {"named", "called"} and before[0] in nm.GROUP_NOUNS:
        return "group"
    if len(before) == 2 and before[1] in {"of", "from"} and before[0] in _GROUP_OF:
        return "group"
    if span.label_ in {"PERSON", "GPE", "LOC"} and before and before[-1] in _PREP_PLACE:
        nxt = doc[span.end] if span.end < len(doc) else None
        if nxt is None or nxt.tag_ != "POS":
            return "location"
    if (  # "said Philip Bareham of Lansing, who ...": a person's home town, whatever the clause
        span.label_ in {"PERSON", "GPE", "LOC"}  # after it or NER make of it
        and before[-1:] == ["of"]
        and span.start >= 2
        and doc[span.start - 2].ent_type_ == "PERSON"
    ):
        return "location"
    if span.label_ in {"GPE", "LOC"} and _acts(span):
        return "agent"
    if span.label_ in {"GPE", "LOC"} and _party_to_speech_or_stance(span):
        return "party"
    return None


# Acts done to places as well as people: their object is no evidence of a person.
_ACTS_ON_PLACES = frozenset(
    {"attack", "bomb", "raid", "invade", "shell", "target", "destroy", "ambush", "strike"}
)


def _party_to_speech_or_stance(span: SpacySpan) -> bool:
    """The subject of a speech or stance verb, or the object of a stance verb a place cannot
    suffer ("attacked Wildstein" can be a place; "accused Wildstein" cannot): weaker than
    ``_acts``, so it only lets a surname join the person of the same name (see
    ``_surnames_as_persons``), never retypes a place on its own."""
    root = span.root
    lemma = root.head.lemma_.lower()
    if root.dep_ == "nsubj":
        return lemma in _AGENT_VERBS
    return root.dep_ == "dobj" and lemma in _AGENT_VERBS and lemma not in _ACTS_ON_PLACES


# Verbs whose subject is someone, not somewhere: "Kasich applauded Romney", "Palin endorsed".
_AGENT_VERBS = frozenset(sw.VERB_POLARITY_BASE) | {
    "say",
    "tell",
    "add",
    "argue",
    "claim",
    "insist",
    "warn",
    "write",
    "tweet",
    "announce",
}


_PERSONAL = frozenset({"he", "she", "his", "her", "him", "himself", "herself"})


def _acts(span: SpacySpan) -> bool:
    """Whether a name NER took for a place acts as a person does: followed by "who" ("Palin,
    who ..."), or the subject of a speech or stance verb in a sentence that goes on with "he"
    or "his" ("Kasich, for his part, applauded Romney"). A place that acts as its government
    ("Hong Kong condemned the move") has neither."""
    doc = span.doc
    after = [t.lower_ for t in doc[span.end : span.end + 2]]
    if after[:1] == ["who"] or after == [",", "who"]:
        return True
    root = span.root
    if root.dep_ != "nsubj" or root.head.lemma_.lower() not in _AGENT_VERBS:
        return False
    rest = doc[span.end : span.sent.end]
    return any(t.lower_ in _PERSONAL for t in rest)


def _norp(ent: SpacySpan) -> tuple[str, str, bool] | None:
    """A NORP span as (label, name, adjectival): a demonym modifying a non-person noun or people
    ("German officials") stands for its country, a party adjective for its party ("Republican
    senators"); one describing a person ("the Russian general") is not an actor; plural nouns
    ("Kurds") are groups."""
    root = ent.root
    if root.dep_ in {"amod", "compound"} or root.pos_ == "ADJ":
        head = root.head
        # "Turkish President X": the demonym is an affiliation, so it stays
        titled = head.dep_ == "compound" and head.head.ent_type_ == "PERSON"
        # "German officials said": several people speaking for their country; "the Russian
        # general" is one person, whom the description resolves to
        plural = head.tag_ in {"NNS", "NNPS"}
        if head.lemma_.lower() in nm.PERSON_NOUNS and not titled and not plural:
            return None
        party = nm.PARTY_ADJECTIVES.get(ent.text.lower())
        if party is not None:
            return ("NORP", party, True)
        country = nm.DEMONYMS.get(ent.text.lower())
        return ("GPE", country, True) if country else None
    return ("NORP", nm.normalise(ent.text), False)


# verbs of going whose object is a place, not the government seated there
_MOVES_TO_OR_FROM = nm.words("leave visit reach enter tour flee depart fly return")


def metonym(ent: SpacySpan) -> str | None:
    """The country a seat of government stands for where it acts or is acted upon
    ("Washington needed to use missiles", "the Kremlin's reaction", "accused Beijing"), else
    None ("in Moscow", "MOSCOW, October 20", "Washington state")."""
    text = ent.text.lower().removeprefix("the ")
    country = nm.METONYMS.get(text)
    if country is None:
        return None
    root = ent.root
    doc = ent.doc
    nxt = doc[ent.end] if ent.end < len(doc) else None
    if nxt is not None and (nxt.text in {",", "-", "—"} or nxt.lower_ in {"state", "d.c."}):
        return None  # a dateline or "Washington, D.C." / "Washington state"
    if root.dep_ == "dobj" and root.head.lemma_.lower() in _MOVES_TO_OR_FROM:
        return None  # "on leaving Tokyo", "visited Moscow": the city
    if root.dep_ in _ACTING_DEPS:
        return country
    if root.dep_ == "pobj" and root.head.dep_ == "agent":  # "was denied by Washington"
        return country
    if root.dep_ == "pobj" and root.head.lower_ in {"against", "with", "toward", "towards"}:
        return country
    return None


def _group_phrases(ch: Chunk) -> list[Mention]:
    """Group actors NER misses: "the US-led coalition", "Saudi-backed forces"."""
    out = []
    for m in _GROUP_PHRASE.finditer(ch.text):
        text = m.group(1)
        out.append(
            Mention(
                ch.offset + m.start(1),
                ch.offset + m.end(1),
                text,
                "ORG",
                nm.normalise(text),
                cue="group",
            )
        )
    return out


# Collectives that act as one in the news ("rights groups accused", "the militants attacked"),
# and those that do only with a regional qualifier ("Western governments condemned").
_GROUP_HEADS = nm.words(
    "militants insurgents rebels jihadists extremists separatists guerrillas protesters activists"
)
_GROUP_OF_KIND = nm.words("groups organisations organizations campaigners")
_KIND_WORDS = nm.words("rights human opposition aid advocacy environmental humanitarian")
_BLOC_HEADS = nm.words("governments powers nations countries states allies leaders capitals")
_BLOC_WORDS = nm.words("western arab gulf european muslim african asian nordic baltic")
_NOT_A_KIND = nm.words("other many some several various both all most few more")


def _group_nouns(ch: Chunk) -> list[Mention]:
    """Group actors named by a plural noun where they hold or receive a stance: the subject of a
    speech or stance verb, the object of a stance verb, or the object of "against" / "by"
    ("rights groups accused B", "Western governments condemned B", "attacked by militants").
    Not where they are only mentioned ("the militants' weapons"), and not a demonym's agents
    ("Nigerian troops" stand for Nigeria)."""
    out = []
    for tok in ch.doc:
        if tok.tag_ not in {"NNS", "NNPS"}:
            continue
        word = tok.lower_
        mods = [
            c
            for c in tok.children
            if c.dep_ in {"amod", "compound"} and c.i < tok.i and c.lower_ not in _NOT_A_KIND
        ]
        mod_words = {c.lower_ for c in mods}
        if word in _GROUP_HEADS:
            ok = not mods or mod_words <= _KIND_WORDS | {"islamist", "armed", "suspected"}
        elif word in _GROUP_OF_KIND:
            ok = bool(mod_words & _KIND_WORDS)
        elif word in _BLOC_HEADS:
            ok = bool(mod_words & _BLOC_WORDS)
        else:
            continue
        if not ok or not _stance_role(tok):
            continue
        start = min([c.left_edge.i for c in mods] + [tok.i])
        span = ch.doc[start : tok.i + 1]
        out.append(
            Mention(
                ch.offset + span.start_char,
                ch.offset + span.end_char,
                span.text,
                "ORG",
                _group_name(span),
                cue="group",
            )
        )
    return out


def _group_name(span: SpacySpan) -> str:
    """One name per kind of group, whatever the sentence made of it: "Human rights groups" and
    "rights groups" are "rights groups"; a region keeps its capital ("Western governments")."""
    words = [t.text.lower() for t in span if not t.is_punct]
    if words[:2] == ["human", "rights"]:
        words = words[1:]
    return " ".join(w.capitalize() if w in _BLOC_WORDS else w for w in words)


def _stance_role(tok: Token) -> bool:
    """Whether a noun holds or receives a stance in its sentence (see ``_group_nouns``)."""
    head = tok.head
    lemma = head.lemma_.lower()
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        return lemma in _AGENT_VERBS
    if tok.dep_ == "dobj":
        return lemma in sw.VERB_POLARITY_BASE
    if tok.dep_ == "pobj":
        return head.lower_ in {"against", "by"}
    return False


def _untagged_holders(ch: Chunk, orgs: dict[str, str]) -> list[Mention]:
    """A capitalised name NER left untagged where it holds or receives a stance ("Trump once
    criticized Obama", "In 2012, Trump condemned Romney", "was praised by Trump", "Trump later
    tweeted"): the subject, object or agent of a stance verb, the subject of a speech verb, is
    someone; one word is a person's surname (``_surnames_as_persons`` joins it to the full
    name), or the organisation whose name it is or begins (``orgs``: wire copy's "Federal
    added" after "Federal Paperboard Co Inc said"); a legal form alone ("Corp said") is none."""
    out = []
    for tok in ch.doc:
        verb = tok.head.head if tok.dep_ == "pobj" and tok.head.dep_ == "agent" else tok.head
        if (
            tok.dep_ not in {"nsubj", "dobj", "nsubjpass", "pobj"}
            or (tok.dep_ == "pobj" and verb is tok.head)
            or tok.pos_ != "PROPN"
            or tok.ent_type_
            or not tok.is_title
            or tok.text in _MONTHS
            or verb.pos_ != "VERB"
            or not (
                verb.lemma_.lower() in sw.VERB_POLARITY
                or (tok.dep_ == "nsubj" and verb.lemma_.lower() in _AGENT_VERBS)
            )
            or any(c.dep_ == "det" for c in tok.children)
        ):
            continue
        # the whole chain of name words before it ("Public Service Co": "Public" hangs on "Service")
        words = [
            t for t in tok.subtree if t.i < tok.i and t.dep_ == "compound" and t.pos_ == "PROPN"
        ]
        if len(words) != sum(1 for t in tok.subtree if t.i < tok.i and t.dep_ != "det"):
            words = [c for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
        if any(c.ent_type_ or not c.is_title for c in words):
            continue
        if not words and tok.lower_.rstrip(".") in _LEGAL_FORMS:
            continue
        first = words[0] if words else tok
        start, end = ch.offset + first.idx, ch.offset + tok.idx + len(tok.text)
        text = ch.doc.text[first.idx : tok.idx + len(tok.text)]
        label = "PERSON" if not words else "ORG"
        name = nm.normalise(text, person=label == "PERSON")
        if not words and text in orgs:
            label, name = "ORG", nm.normalise(orgs[text])
        out.append(Mention(start, end, text, label, name))
    return out


def _org_names_by_word(chunks: list[Chunk]) -> dict[str, str]:
    """The organisation NER names that a one-word mention may stand for: each ORG's own text
    and its first word (the first such name wins)."""
    out: dict[str, str] = {}
    for ch in chunks:
        for e in ch.doc.ents:
            if e.label_ == "ORG":
                out.setdefault(e.text, e.text)
                first = e.text.split()[0]
                out.setdefault(first, e.text)
                out.setdefault(first.split("-")[0], e.text)  # "Freeport" of "Freeport-McMoRan"
    return out


def _in_longer_entity(tok: Token) -> bool:
    """Whether NER made the token part of an entity of more than this one word."""
    if not tok.ent_type_:
        return False
    follows = tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].ent_iob_ == "I"
    return tok.ent_iob_ != "B" or follows


def _country_possessives(ch: Chunk, person_words: set[str]) -> list[Mention]:
    """A country's possessive that lost its apostrophe, which NER then misses ("Pakistan has
    criticized Britains immigration system", NER's NORP; "Georgias governor", its PERSON): the
    country's name plus "s" on a noun, where NER tagged nothing or that word alone, and no
    person of the article bears it as a name ("Lawton Chiles" ... "the Chiles plan")."""
    out = []
    for tok in ch.doc:
        if (
            _in_longer_entity(tok)
            or not tok.is_title
            or not tok.text.endswith("s")
            or tok.dep_ not in {"poss", "compound", "nmod"}
            or tok.head.pos_ not in {"NOUN", "PROPN"}
        ):
            continue
        if tok.text in person_words:
            continue
        country = nm.country_name(tok.text[:-1])
        if country is None or tok.lower_ == "americas":  # "the Americas" is the continents
            continue
        start = ch.offset + tok.idx
        out.append(Mention(start, start + len(tok.text), tok.text, "GPE", country))
    return out


_MONTHS = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_NAME_LINKS = {"of", "for", "and", "on", "in", "de", "the", "&"}
# lowercase words allowed between a name and the acronym it defines: "the Islamic State terror
# group (IS)"
_BETWEEN_NAME_AND_ACRONYM = 2


def _acronym_after(doc: Doc, i: int) -> str | None:
    """The acronym a bracket at token ``i`` opens, as in "(CPA)" or "(IS, outlawed ...)"."""
    if doc[i].text != "(" or i + 2 >= len(doc):
        return None
    acr, nxt = doc[i + 1].text, doc[i + 2].text
    if 2 <= len(acr) <= 6 and acr.isalpha() and acr.isupper() and nxt in {")", ","}:
        return acr
    return None


def _defined_name(doc: Doc, i: int, acr: str) -> tuple[int, int] | None:
    """Token range of the capitalised name whose initials spell the acronym defined at ``i``."""
    j = i - 1
    while j >= 0 and i - 1 - j < _BETWEEN_NAME_AND_ACRONYM and doc[j].is_lower and doc[j].is_alpha:
        j -= 1  # "terror group"
    end, caps = j + 1, ""
    while j >= 0 and len(caps) < len(acr):
        t = doc[j]
        if t.text[:1].isupper() and t.is_alpha or "-" in t.text and t.text[:1].isupper():
            caps = t.text[0] + caps
        elif t.lower_ not in _NAME_LINKS or j == end - 1:
            return None
        j -= 1
    start = j + 1
    while start < end and doc[start].lower_ in _NAME_LINKS:
        start += 1
    return (start, end) if caps == acr and end - start >= 2 else None


def _defined_acronyms(ch: Chunk) -> list[Mention]:
    """Names the text defines an acronym for ("the Cocoa Producers Alliance (CPA)", "the Islamic
    State terror group (IS, ...)"): the name is one actor whatever NER made of it ("Islamic" as a
    demonym), and the acronym is a name of it (see ``acronym_mentions``)."""
    doc, out = ch.doc, []
    for i in range(1, len(doc)):
        acr = _acronym_after(doc, i)
        got = _defined_name(doc, i, acr) if acr else None
        if got is None:
            continue
        span = doc[got[0] : got[1]]
        ent = next((e for e in doc.ents if e.start <= span.start and span.end <= e.end), None)
        label = ent.label_ if ent is not None and ent.label_ in {"ORG", "GPE"} else "ORG"
        if ent is not None and ent.label_ == label:  # "the U.S. Securities and Exchange ..."
            start = ent.start
            while start < span.start and doc[start].lower_ in {"the", "a", "an"}:
                start += 1
            span = doc[start : span.end]
        name = nm.normalise(span.text)
        s, e = ch.offset + span.start_char, ch.offset + span.end_char
        out.append(Mention(s, e, span.text, label, name))
    return out


def acronym_mentions(chunks: list[Chunk], defined: list[Mention], found: list[Mention]):
    """Every use of a defined acronym NER left untagged ("The CPA wants ..."), as a mention
    of the defined name."""
    by_acronym = {nm.initials(m.text.replace("-", " ")): m for m in defined}
    by_acronym = {a: m for a, m in by_acronym.items() if len(a) >= 2}
    out: list[Mention] = []
    for ch in chunks:
        for tok in ch.doc:
            m = by_acronym.get(tok.text)
            s = ch.offset + tok.idx
            e = s + len(tok.text)
            if m is None or any(x.start < e and s < x.end for x in found):
                continue
            out.append(Mention(s, e, tok.text, m.label, m.name))
    return out


def _town_and_region(text: str, places: set[str]) -> bool:
    """ "Town, Region" where the region is a country or a place the article names elsewhere."""
    head, sep, tail = text.rpartition(", ")
    return bool(sep and head and tail) and (tail in places or nm.country_name(tail) is not None)


def extract_mentions(chunks: list[Chunk]) -> list[Mention]:
    """Actor mentions from spaCy's NER, in text order, with normalised names and type cues."""
    out: list[Mention] = []
    places = {e.text for ch in chunks for e in ch.doc.ents if e.label_ in {"GPE", "LOC"}}
    # words of people's names: "Chiles plan" beside "Lawton Chiles" is the senator's, not Chile's
    person_words = {
        w for ch in chunks for e in ch.doc.ents if e.label_ == "PERSON" for w in e.text.split()
    }
    orgs = _org_names_by_word(chunks)
    defined: list[Mention] = []
    for ch in chunks:
        groups = _group_phrases(ch)
        acronyms = [
            d
            for d in _defined_acronyms(ch)
            if not any(g.start < d.end and d.start < g.end for g in groups)
        ]
        defined += acronyms
        groups += acronyms
        groups += [
            u
            for u in [
                *_untagged_holders(ch, orgs),
                *_country_possessives(ch, person_words),
                *_group_nouns(ch),
            ]
            if not any(g.start < u.end and u.start < g.end for g in groups)
        ]
        out += groups
        for ent in ch.doc.ents:
            if ent.label_ not in ACTOR_LABELS:
                continue
            s0, e0 = ch.offset + ent.start_char, ch.offset + ent.end_char
            if any(g.start < e0 and s0 < g.end for g in groups):
                continue  # "US" inside "the US-led coalition"
            label = ent.label_
            name = None
            country = metonym(ent)
            if country is not None:
                out.append(Mention(s0, e0, ent.text, "GPE", country))
                continue
            if label == "FAC":
                continue  # buildings are not actors unless they stand for a government
            if label == "ORG" and credit_rating(ent):
                continue  # "rated AAA/AA"
            if label == "ORG" and _named_after_role(ent):
                label = "PERSON"  # "Heat center Alonzo Mourning said", "forwards Antoine Walker"
            if label in {"ORG", "GPE"} and _age_follows(ent):
                label = "PERSON"  # "Nathaly Cartas Leon, 20, had met ...": an age is a person's
            if label == "ORG" and _town_and_region(ent.text, places):
                label = "GPE"  # "Murdochville, Quebec": a place NER took for a name
            adjectival = label in {"GPE", "LOC"} and adjectival_place(ent)
            country = "United States" if label == "GPE" and state_qualified(ent) else None
            if label == "NORP":
                got = _norp(ent)
                if got is None:
                    continue
                label, name, adjectival = got  # a demonym ("German passport") or party word
            span = _trim(corporate(with_number(ent)) if label == "ORG" else ent)
            if span is None:
                continue
            if span.label_ == "GPE" and ent.label_ == "ORG":
                label = "GPE"  # the name left after _trim is a country's
            name = name or nm.normalise(span.text, person=label == "PERSON")
            if not name or not any(c.isalpha() for c in name):
                continue
            out.append(
                Mention(
                    ch.offset + span.start_char,
                    ch.offset + span.end_char,
                    span.text,
                    label,
                    name,
                    _cue(span),
                    adjectival,
                    country,
                )
            )
        out += [
            d for d in _dateline(ch) if not any(m.start < d.end and d.start < m.end for m in out)
        ]
    if defined:
        out = sorted(out + acronym_mentions(chunks, defined, out), key=lambda m: m.start)
    return out


def _dateline(ch: Chunk) -> list[Mention]:
    """Dateline places of a paragraph (the caller drops those NER already found)."""
    out = []
    for s, e, us in datelines(ch.text):
        text = ch.text[s:e]
        out.append(
            Mention(
                ch.offset + s,
                ch.offset + e,
                text,
                "GPE",
                nm.normalise(text),
                country="United States" if us else None,
            )
        )
    return out


def _class(label: str) -> str:
    return {"PERSON": "person", "GPE": "place", "LOC": "place"}.get(label, "org")


def _key(m: Mention) -> tuple[str, ...]:
    if m.label in {"GPE", "ORG"}:
        country = nm.country_name(m.name)
        if country:
            return tuple(nm.key_tokens(country))
    return tuple(nm.key_tokens(m.name))


def _joins(m: Mention, key: tuple[str, ...], actor: Actor) -> bool:
    """Whether a (shorter) mention is a partial name or acronym of ``actor``."""
    classes = actor.classes
    if m.text.isupper() and 2 <= len(m.text) <= 6 and nm.initials(actor.name) == m.text:
        return True
    if _class(m.label) not in classes or not key or _class(m.label) == "place":
        return False  # a part of a place name is another place: "Korea", "North Korea"
    for k in actor.keys:
        if (
            len(key) < len(k)
            and set(key) <= set(k)
            and (_class(m.label) == "person" or key[-1] == k[-1] or key == _without_form(k))
            and not (len(key) > 1 and key[-1] in _LEGAL_FORMS)
        ):
            return True  # a surname, "Home Depot" of "The Home Depot", "Pennzoil" of "Pennzoil Co"
    return False


def same_company(a: Actor, b: Actor) -> bool:
    """``b``'s name begins with all of ``a``'s name but its legal form: one company and its
    unit ("Freeport-McMoRan Inc" and "Freeport-McMoRan Oil and Gas Royalty Trust")."""
    if "person" in a.classes or "place" in a.classes or "person" in b.classes:
        return False
    stem = _without_form(tuple(nm.key_tokens(a.name)))
    other = tuple(nm.key_tokens(b.name))
    return 0 < len(stem) < len(other) and other[: len(stem)] == stem


def _without_form(key: tuple[str, ...]) -> tuple[str, ...]:
    """A company's name key without its trailing legal form ("pennzoil co" -> "pennzoil")."""
    while len(key) > 1 and key[-1] in _LEGAL_FORMS:
        key = key[:-1]
    return key


# A name with its legal form ("Celanese Corp") is a company's full name, not a short form of a
# longer one ("Hoechst Celanese Corp", formed by the merger of Celanese Corp and another).
_LEGAL_FORMS = nm.LEGAL_FORMS


def _type(actor: Actor, is_place: Callable[[str], bool] | None = None) -> str:
    words = actor.name.split()
    if len(words) > 1 and words[-1].lower().rstrip(".") in _LEGAL_FORMS:
        # "Ameribanc Inc", "West Point-Pepperell Inc": a company, whatever NER or a cue says
        return nm.org_type(actor.name)
    cues = Counter(m.cue for m in actor.mentions if m.cue)
    labels = Counter(m.label for m in actor.mentions if m.label in ACTOR_LABELS)
    if cues["group"]:
        return "group"
    label = labels.most_common(1)[0][0] if labels else "ORG"
    if label == "PERSON" and cues["location"] >= labels["PERSON"]:
        return "location"
    if label == "PERSON" and nm.country_name(actor.name):
        # "the border with Benin": a country NER took for a person (a person of that one-word
        # name would have joined the full name the article gives first)
        return "country"
    if label == "PERSON":
        return "person"
    if label in {"GPE", "LOC"}:
        if label == "GPE" and nm.country_name(actor.name):
            return "country"
        acts = cues["agent"] or (
            # "Buhari has accused the UN": where the KB knows no place of that name, taking
            # part in a stance is enough ("Hong Kong condemned the move" stays a place)
            cues["party"] and is_place is not None and not is_place(actor.name)
        )
        if acts and not cues["location"] and actor.name.lower() not in nm.US_STATES:
            # a name that speaks or takes a stance and is never where something happens is
            # someone NER took for a place: "Kasich applauded Romney", "the NRA said"
            return nm.org_type(actor.name) if actor.name.isupper() else "person"
        return "location"
    if label == "NORP":
        return "group"
    return nm.org_type(actor.name)


def _display_name(actor: Actor) -> str:
    best = max(actor.mentions, key=lambda m: (len(nm.key_tokens(m.name)), -m.start))
    if best.label in {"GPE", "ORG"} and nm.country_name(best.name):
        return nm.country_name(best.name) or best.name
    return best.name


def _surnames_as_persons(mentions: list[Mention]) -> None:
    """NER often tags a person's surname as an ORG ("Okafor said", "Lindqvist said") or a
    place ("accused Wildstein" beside "David Wildstein"): an ORG mention ending in the surname
    of a PERSON mention of the document, with no organisation word in it, or a one-word place
    mention that is the surname of a full name, speaks or takes or suffers a stance there (cue
    "agent" or "party") and names no country, state or capital, is relabelled PERSON so that
    it joins that person."""
    surnames = {
        nm.key_tokens(m.name)[-1] for m in mentions if m.label == "PERSON" and nm.key_tokens(m.name)
    }
    of_full_names = {
        nm.key_tokens(m.name)[-1]
        for m in mentions
        if m.label == "PERSON" and len(nm.key_tokens(m.name)) > 1
    }
    for m in mentions:
        toks = nm.key_tokens(m.name)
        if (
            m.label in {"GPE", "LOC"}
            and len(toks) == 1
            and toks[0] in of_full_names
            and m.cue in {"agent", "party"}
            and not nm.country_name(m.name)
            and m.name.lower() not in nm.US_STATES
            and m.name not in nm.METONYMS
        ):
            m.label = "PERSON"
            m.name = nm.normalise(m.text, person=True)
            continue
        if (
            m.label == "ORG"
            and toks
            and len(toks) <= 3
            and toks[-1] in surnames
            and not m.text.isupper()
            and nm.org_type(m.name) == "org"
            and not set(toks) & _COMPANY_WORDS
        ):
            m.label = "PERSON"
            m.name = nm.normalise(m.text, person=True)


_PARTNERS_FIRM = re.compile(r"([^,]+?)(?:, [^,]+?)* and (?:Co|Company|Sons|Brothers)\b")


def _partner_names(mentions: list[Mention]) -> dict[str, str]:
    """A firm named for its partners ("J.P. Morgan and Co Inc", "Stifel, Nicolaus and Co") is
    meant by its first partner's name, full or last word ("Morgan said", "Stifel said"):
    those names -> the firm's."""
    firms: dict[str, str] = {}
    for m in mentions:
        if m.label == "ORG" and (hit := _PARTNERS_FIRM.match(m.name)):
            first = hit.group(1)
            firms.setdefault(first, m.name)
            firms.setdefault(first.split()[-1], m.name)
    return firms


def _company_short_names(mentions: list[Mention], firms: dict[str, str]) -> None:
    """A company named with its legal form ("Paxar Corp") is the one meant by its bare name,
    which NER often takes for a person ("a distributor of Paxar products"), unless that name is
    the surname of a person the article names in full."""
    bases = {
        " ".join(words[:-1])
        for m in mentions
        if m.label == "ORG"
        and len(words := m.name.split()) > 1
        and words[-1].lower().rstrip(".") in _LEGAL_FORMS
    }
    surnames = {
        nm.key_tokens(m.name)[-1]
        for m in mentions
        if m.label == "PERSON" and len(nm.key_tokens(m.name)) > 1
    }
    for m in mentions:
        if m.label == "PERSON" and m.name in bases and m.name.lower() not in surnames:
            m.label = "ORG"
        elif m.label == "PERSON" and m.name in firms and m.name.lower() not in surnames:
            m.label, m.name = "ORG", firms[m.name]


# words that make a company's name from a proper name: "Burlington Industries", "Continental
# Bank of Canada" (besides a legal form anywhere after the first word)
_BUSINESS_HEADS = nm.words(
    """industries systems bank textiles airlines airways motors group holdings petroleum oil
    steel chemical chemicals electric mills stores foods communications technologies
    laboratories pharmaceuticals resources mining energy"""
)


_NAME_GLUE = frozenset({"of", "and", "the", "&", "de", "du"})


def _company_first_words(mentions: list[Mention]) -> None:
    """Wire copy names a company in full once ("Burlington Industries Inc", "Rolls Royce Plc",
    "Continental Bank of Canada") and by its first word after ("Burlington said"): a one-word
    organisation mention that is the first word of exactly one such name in the article is that
    company, not a namesake brand. Not a word of a person's name there, a country, a US state
    or a demonym ("Georgia" of "Georgia Power Co" is the state)."""
    people = {w for m in mentions if m.label == "PERSON" for w in nm.key_tokens(m.name)}
    full: dict[str, set[str]] = {}
    for m in mentions:
        words = m.name.split()
        rest = {w.lower().rstrip(".,") for w in words[1:]}
        if (
            m.label == "ORG"
            and len(words) > 1
            and words[0][:1].isupper()
            and (rest & _LEGAL_FORMS or words[1].lower() in _BUSINESS_HEADS)
            and all(w[:1].isupper() or w in _NAME_GLUE for w in words[1:])
        ):
            full.setdefault(words[0], set()).add(m.name)
    ones = {m.name for m in mentions if m.label == "ORG" and " " not in m.name}
    for m in mentions:
        names = full.get(m.name, set())
        # "Fieldcrest Cannon Inc, the result of a merger of Fieldcrest and Cannon": a name
        # made of its partners' names; each alone is the partner
        names = {n for n in names if not set(n.split()[1:]) & ones}
        word = m.name.lower()
        if (
            m.label == "ORG"
            and len(names) == 1
            and word not in people
            and not nm.country_name(m.name)
            and word not in nm.US_STATES
            and word not in nm.DEMONYMS
        ):
            m.name = next(iter(names))


def _possessives_without_apostrophe(mentions: list[Mention], firms: dict[str, str]) -> None:
    """Wire copy that lost its apostrophes writes "Texacos bond", "Irans Ahvaz field": a
    one-word name that is another mention's name plus "s" is that actor, possessive; and a
    name written twice without a space ("NorandaNoranda's operations") is that name."""
    known = {m.name: m.label for m in mentions if m.label in {"ORG", "GPE", "PERSON"}}
    # "Fleets" beside "Fleet Financial": the company it begins; "Morgans" beside "J.P. Morgan
    # and Co Inc": the firm of that partner
    full: dict[str, str] = dict(firms)
    for m in mentions:  # "Texacos" beside "Texaco Inc": the company's name without its form
        words = m.name.split()
        if m.label == "ORG" and len(words) > 1 and words[-1].lower().rstrip(".") in _LEGAL_FORMS:
            known.setdefault(" ".join(words[:-1]), "ORG")
        if (
            m.label == "ORG"
            and len(words) > 1
            and words[0][:1].isupper()
            and words[0].lower() not in nm.DEMONYMS  # "Iraqis" are not the Iraqi National ...
        ):
            full.setdefault(words[0], m.name)
    for m in mentions:
        word = m.name[: len(m.name) // 2]  # wire copy's "NorandaNoranda's"
        if len(word) >= 2 and m.name == word * 2 and (word in known or word in full):
            m.name, m.label = (word, known[word]) if word in known else (full[word], "ORG")
            continue
        base = m.name[:-1]
        if (
            m.name.endswith("s")
            and " " not in m.name
            and len(base) >= 3
            and m.text.isalpha()
            and (base in known or base in full)
        ):
            m.name, m.label = (base, known[base]) if base in known else (full[base], "ORG")


def cluster(mentions: list[Mention], is_place: Callable[[str], bool] | None = None) -> list[Actor]:
    """Group mentions into actors (exact key, then partial-name/acronym of the most recent);
    ``is_place`` (the KB's gazetteer, where there is one) helps type names NER took for
    places."""
    actors: list[Actor] = []
    by_key: dict[tuple[str, ...], Actor] = {}
    _surnames_as_persons(mentions)
    firms = _partner_names(mentions)  # "J.P. Morgan and Co Inc": "Morgan" names it
    _company_short_names(mentions, firms)
    _possessives_without_apostrophe(mentions, firms)
    _company_first_words(mentions)  # "Burlington" of "Burlington Industries Inc"
    for m in sorted(mentions, key=lambda m: m.start):
        key = _key(m)
        actor = by_key.get(key)
        if actor is None:
            cands = [a for a in actors if _joins(m, key, a)]
            actor = max(cands, key=lambda a: a.last) if cands else None
        if actor is None:
            actor = Actor(m.name, "other")
            actors.append(actor)
        actor.add(m, key)
        if len(key) > len(nm.key_tokens(actor.name)):
            actor.name = _display_name(actor)  # initials and acronyms need the long name
        by_key.setdefault(key, actor)
    actors = _merge_early_short(actors)
    for a in actors:
        a.name = _display_name(a)
        a.type = _type(a, is_place)
    return actors


def _merge_early_short(actors: list[Actor]) -> list[Actor]:
    """A short name seen before the full one (a headline "Konashenkov") joins it when unique."""
    keep: list[Actor] = []
    for a in actors:
        reps = {_key(m): m for m in a.mentions}  # one mention per distinct key is enough
        cands = [
            b
            for b in actors
            if b is not a
            and len(b.name) > len(a.name)
            and all(_joins(m, k, b) for k, m in reps.items())
        ]
        if a.keys and len(cands) == 1:
            for k, m in ((_key(m), m) for m in a.mentions):
                cands[0].add(m, k)
            cands[0].mentions.sort(key=lambda m: m.start)
        else:
            keep.append(a)
    return keep


MAX_ID = 255  # the contract's and the storage column's limit


def local_id(type_: str, name: str) -> str:
    """Stable id of an unlinked actor: ``local:<type>:<normalised lowercase name>``; a name too
    long for the id keeps its first 200 characters and a hash of the whole."""
    norm = " ".join(name.lower().split())
    out = f"local:{type_}:{norm}"
    if len(out) > MAX_ID:
        out = f"local:{type_}:{norm[:200]}~{stable_id(norm, size=12)}"
    return out


class ActorIndex:
    """Which actor a character range of the article refers to."""

    def __init__(self, actors: list[Actor]):
        self.actors = actors
        self._spans = sorted(
            ((m.start, m.end, i) for i, a in enumerate(actors) for m in a.mentions)
        )
        self._starts = [s for s, _, _ in self._spans]
        self._mention = {(m.start, m.end, i): m for i, a in enumerate(actors) for m in a.mentions}

    def at(self, start: int, end: int) -> Actor | None:
        """The actor with a mention overlapping [start, end) (the first one there)."""
        i = bisect.bisect_left(self._starts, end) - 1
        while i >= 0 and self._starts[i] > start - 300:  # mentions are short
            s, e, a = self._spans[i]
            if s < end and start < e:
                return self.actors[a]
            i -= 1
        return None

    def mention_at(self, start: int, end: int) -> Mention | None:
        """The mention overlapping [start, end) (the first one there)."""
        i = bisect.bisect_left(self._starts, end) - 1
        while i >= 0 and self._starts[i] > start - 300:
            s, e, a = self._spans[i]
            if s < end and start < e:
                return self._mention[(s, e, a)]
            i -= 1
        return None

    def within(self, start: int, end: int) -> list[tuple[Actor, Mention]]:
        """All (actor, mention) pairs whose mention lies inside [start, end)."""
        lo, hi = bisect.bisect_left(self._starts, start), bisect.bisect_left(self._starts, end)
        out = []
        for s, e, i in self._spans[lo:hi]:
            if e <= end:
                out.append((self.actors[i], self._mention[(s, e, i)]))
        return out
