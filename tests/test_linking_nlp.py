"""The spaCy pipeline multiplies with numpy's BLAS and reads exactly as with thinc's BLIS."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from stancestream.services.linking.nlp import build_nlp, load_nlp

TEXTS = [
    "Russian Defense Ministry spokesman Igor Konashenkov said on Friday that the US-led "
    "coalition had bombed Raqqa, and accused Washington of shielding Jabhat al-Nusra.",
    "Home Depot's board said in a statement that Robert Nardelli had resigned.\n"
    '"This is not about strategy," Hoff said, adding that Apple and Amazon disagreed.',
    "Republican senators criticized Barack Obama, while Angela Merkel praised the European Union.",
]


def _reading(doc: Doc) -> list[tuple[str, str, str, int, str, str, str, bool]]:
    return [
        (t.text, t.tag_, t.lemma_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_, t.is_sent_start)
        for t in doc
    ]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp("en_core_web_sm")


def test_models_multiply_with_numpy_not_bundled_blis(nlp: Language) -> None:
    for name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None:
            assert all(not node.ops.use_blis for node in model.walk()), name


def test_same_annotations_as_with_thincs_blis(nlp: Language) -> None:
    plain = build_nlp("en_core_web_sm", blis=True)
    assert any(
        getattr(p, "model", None) is not None and p.model.ops.use_blis for _, p in plain.pipeline
    )
    expected = [_reading(d) for d in plain.pipe(TEXTS)]
    assert [_reading(d) for d in nlp.pipe(TEXTS)] == expected
    assert any(t[5] == "PERSON" for t in expected[0])  # the texts exercise NER and the parser
