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


STORY = (
    "Russian Defense Ministry spokesman Igor Konashenkov accused the US-led coalition of "
    "bombing Raqqa.\n\n"
    '"Washington is shielding Jabhat al-Nusra," Konashenkov said on Friday.\n\n'
    "The State Department rejected the claim, and Turkey praised the ceasefire."
)


def test_syndicated_copy_reads_the_same_from_the_parse_cache(nlp: Language) -> None:
    from stancestream.services.linking.link import link_articles
    from stancestream.services.linking.nlp import ParseCache
    from stancestream.shared.contracts import Article

    copies = [
        Article(id=f"a{i}", text=head + STORY, content_hash=f"h{i}")
        for i, head in enumerate(["MOSCOW, Oct 20 (Reuters)\n\n", "From the wires.\n\n"])
    ]
    fresh = [link_articles(nlp, [a])[0] for a in copies]
    cache = ParseCache(100)
    first = link_articles(nlp, copies[:1], cache=cache)[0]
    assert (cache.hits, cache.misses) == (0, 4)
    second = link_articles(nlp, copies[1:], cache=cache)[0]
    assert (cache.hits, cache.misses) == (3, 5)  # the story's three paragraphs came from it
    for got, want in zip([first, second], fresh, strict=True):
        assert got.model_dump(exclude={"trace"}) == want.model_dump(exclude={"trace"})
    assert any(c.pairs for c in second.claims)  # the story has stances to read


def test_parse_cache_keeps_the_last_paragraphs_only(nlp: Language) -> None:
    from stancestream.services.linking.nlp import ParseCache, parse_many

    cache = ParseCache(2)
    parse_many(nlp, ["One para.\n\nTwo para.\n\nThree para."], cache=cache)
    parse_many(nlp, ["One para."], cache=cache)  # evicted: the oldest of three
    parse_many(nlp, ["Three para."], cache=cache)
    assert (cache.hits, cache.misses) == (1, 4)
    assert len(cache._docs) == 2
