"""Tests on spaCy tokens and actors that the claim readings use: negation and denial, phrasal
stance verbs, descriptions, state bodies. Plain functions of the parse, no article state."""

from __future__ import annotations

from spacy.tokens import Token

from stancestream.services.linking import names as nm
from stancestream.services.linking import stance_words as sw
from stancestream.services.linking.actors import Actor
from stancestream.services.linking.coref import KIND_NOUNS


def object_of_negated_stance(tok: Token) -> bool:
    head = tok
    while head.dep_ in {"compound", "flat", "conj"} and head.head != head:
        head = head.head
    if head.dep_ not in {"dobj", "pobj", "nsubjpass"}:
        return False
    verb = head.head.head if head.dep_ == "pobj" else head.head
    # "I am not accusing X" disowns an attack; "he would not support X" still says where he
    # stands, so its object stays a candidate for the model
    polarity = sw.VERB_POLARITY.get(verb.lemma_.lower())
    if polarity == sw.SUPPORT and directly_negated(verb):
        return False
    return polarity is not None and negated(verb)


def on_platform(tok: Token) -> bool:
    """Whether a name is the social platform something was said on ("attacks Baldwin on
    Twitter", "posted on Facebook"): where, not toward whom."""
    return tok.lower_ in sw.PLATFORMS and tok.head.lower_ == "on"


def definite_description(tok: Token) -> bool:
    """ "the company", "the minister": a description the resolver can take back to a name."""
    lemma = tok.lemma_.lower()
    return (
        tok.pos_ == "NOUN"
        and any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)
        and (lemma in nm.PERSON_NOUNS or lemma in KIND_NOUNS)
    )


def agent_or_author(tok: Token) -> bool:
    """Whether a demonym names its country acting: on a document noun ("the Iranian proposal")
    or one of the country's agents ("Russian and Syrian aircraft")."""
    while tok.dep_ == "conj" and tok.head != tok:
        tok = tok.head
    # the word lists hold plurals ("forces") and singulars: the lemma alone misses the plurals
    noun = {tok.head.lemma_.lower(), tok.head.lower_}
    return tok.dep_ in {"amod", "compound"} and bool(
        noun & sw.AUTHORED or noun & sw.STATE_AGENT_NOUNS
    )


def addressee(tok: Token) -> bool:
    """Whether a noun is the one an object-control verb asks to act ("urged Congress to reject
    the bill", "prompting Democrats to accuse them")."""
    while tok.dep_ in {"compound", "conj"} and tok.head != tok:
        tok = tok.head
    return tok.dep_ == "dobj" and any(controlled_infinitive(c) for c in tok.head.children)


def controlled_infinitive(verb: Token) -> bool:
    """Whether a verb is the infinitive of an object-control verb ("urged B to reject C"; the
    parser attaches it as xcomp or advcl), whose subject is that verb's object."""
    head = verb.head
    return (
        verb.dep_ in {"xcomp", "advcl"}
        and head != verb
        and head.lemma_.lower() in sw.OBJECT_CONTROL
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        and any(c.dep_ == "dobj" for c in head.children)
    )


def in_description(tok: Token) -> bool:
    """An actor inside a participle that describes another one ("a group affiliated with X",
    "militants linked to X", "a company based in X"): a relation, not what the speaker holds."""
    head = tok
    while head.dep_ in {"compound", "flat", "conj"} and head.head != head:
        head = head.head
    if head.dep_ != "pobj" or head.head.dep_ != "prep":
        return False
    verb = head.head.head
    return verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.lemma_.lower() in sw.DESCRIPTIVE


def acquired(tok: Token) -> bool:
    """An actor that is bought, sold or owned: the object of "acquire", "bought" ...; or the
    object of a holding noun's preposition ("a stake in X", "a bid for X", "the purchase of X").
    A transaction, not a stance (a deal *with* X, a merger, an agreement still are)."""
    head = tok
    while head.dep_ in {"compound", "flat", "conj", "appos"} and head.head != head:
        head = head.head
    if head.dep_ in {"dobj", "nsubjpass"}:
        return head.head.pos_ == "VERB" and head.head.lemma_.lower() in sw.ACQUIRING_VERBS
    if head.dep_ == "pobj" and head.head.dep_ == "prep":
        prep, owner = head.head.lower_, head.head.head
        if owner.pos_ == "VERB":  # "Acme bid for Beta"
            return prep == "for" and owner.lemma_.lower() == "bid"
        noun = owner.lemma_.lower()
        if noun == "interest" and prep == "in":
            # only its own modifiers: "interest in Terminal 5" holds no share
            words = [t for c in owner.lefts for t in c.subtree]
            return any(t.lower_ in sw.SHARE_WORDS or t.like_num for t in words)
        return sw.HOLDING_NOUNS.get(noun) == prep
    return False


# verbs whose infinitive complement does not happen: "refused to endorse B" endorses no one
_REFUSING = frozenset({"refuse", "decline", "fail"})


def _refused(tok: Token) -> bool:
    return tok.dep_ == "xcomp" and tok.head.lemma_.lower() in _REFUSING


def directly_negated(tok: Token) -> bool:
    return (
        any(c.dep_ == "neg" for c in tok.children)
        or any(c.dep_ == "neg" for c in tok.head.children if tok.dep_ == "xcomp")
        or _refused(tok)
    )


def is_state_body(actor: Actor) -> bool:
    words = set(actor.name.lower().split())
    return bool(words & (nm.GOV_WORDS | {"forces", "aircraft", "troops", "military", "air"}))


def negated(tok: Token) -> bool:
    """Negated, or embedded in a denial ("denied a report that he had accused X")."""
    if directly_negated(tok):
        return True
    cur, coordinated = tok, True
    for _ in range(4):
        anc = cur.head
        if anc == cur:
            break
        # "rejected the report and blamed X" coordinates the blame, it does not disown it
        coordinated = coordinated and cur.dep_ == "conj"
        cur = anc
        if coordinated:  # but "did not criticize or mock Y" negates both
            if any(c.dep_ == "neg" for c in anc.children):
                return True
            continue
        if anc.lemma_.lower() in sw.DISOWNING or any(
            c.dep_ == "neg" for c in anc.children if (anc.lemma_.lower() in sw.VERB_POLARITY)
        ):
            return True
    return False


def is_authority(actor: Actor) -> bool:
    """A government body, or a person who speaks for one."""
    a: Actor | None = actor
    for _ in range(3):
        if a is None:
            return False
        if a.type == "gov":
            return True
        a = a.affiliation
    return False


def idiom_object(verb: Token) -> Token | None:
    """The object noun of a stance idiom ("took issue with", "pointed the finger at")."""
    lemma = verb.lemma_.lower()
    for c in verb.children:
        if c.dep_ == "dobj" and any(
            (lemma, c.lemma_.lower(), p) in sw.IDIOMS for p in _preps_of(verb, c)
        ):
            return c
    return None


def _preps_of(verb: Token, noun: Token) -> list[str]:
    return [p.lower_ for t in (verb, noun) for p in t.children if p.dep_ == "prep"]


def to_death(verb: Token) -> bool:
    """ "beat B to death", "stoned to death": whatever the verb, the act kills its object."""
    return any(
        c.dep_ == "prep"
        and c.lower_ == "to"
        and any(o.lemma_.lower() == "death" for o in c.children)
        for c in verb.children
    )


def phrasal(verb: Token) -> tuple[str, str] | None:
    """(preposition, polarity) of a phrasal stance verb ("sided with", "cracked down on") or a
    stance idiom ("took issue with")."""
    lemma = verb.lemma_.lower()
    noun = idiom_object(verb)
    if noun is not None:
        for p in _preps_of(verb, noun):
            if (lemma, noun.lemma_.lower(), p) in sw.IDIOMS:
                return p, sw.IDIOMS[(lemma, noun.lemma_.lower(), p)]
    for c in verb.children:
        if c.dep_ in {"prep", "prt"} and (lemma, c.lower_) in sw.PHRASAL:
            return c.lower_, sw.PHRASAL[(lemma, c.lower_)]
        if c.dep_ == "prt":
            for prep in verb.children:
                if prep.dep_ == "prep" and (lemma, prep.lower_) in sw.PHRASAL:
                    return prep.lower_, sw.PHRASAL[(lemma, prep.lower_)]
    return None
