"""Property tests on the message contract and on decoding what third parties put on a stream."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from stancestream.shared.consumer import BadMessage, decode_entry
from stancestream.shared.contracts import (
    Article,
    ArticleMeta,
    Claim,
    ClaimMention,
    Entity,
    LinkedArticle,
    Stance,
    StanceBatch,
    stable_id,
)

texts = st.text(min_size=1, max_size=400)


@st.composite
def linked_articles(draw) -> LinkedArticle:
    text = draw(texts)
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)), max_size=5))
    spans = [(s, e) for s, e in spans if s < e]
    ents = [
        Entity(id=f"e{i}", name=text[s:e] or "x", mentions=[(s, e)])
        for i, (s, e) in enumerate(spans)
    ]
    claim = Claim(
        id="c",
        span=(0, n),
        text=text,
        mentions=[ClaimMention(entity=e.id, span=e.mentions[0]) for e in ents],
    )
    return LinkedArticle(
        article=ArticleMeta(id=draw(st.text(min_size=1, max_size=20))),
        entities=ents,
        claims=[claim],
    )


@given(linked_articles())
@settings(max_examples=100, deadline=None)
def test_linked_article_round_trips_through_json(la):
    assert LinkedArticle.model_validate_json(la.model_dump_json()) == la


@given(texts, st.text(max_size=30), st.floats(0, 1))
@settings(max_examples=100, deadline=None)
def test_stance_batch_round_trips_and_ids_are_deterministic(text, title, score):
    meta = ArticleMeta(id=stable_id(text, prefix="a_"), title=title)
    s = Stance(
        id=Stance.make_id("c", "x", "y"),
        claim="c",
        source="x",
        target="y",
        stance="oppose",
        score=score,
    )
    b = StanceBatch(article=meta, entities=[], claims=[], stances=[s], model="m")
    assert StanceBatch.model_validate_json(b.model_dump_json()) == b
    assert Stance.make_id("c", "x", "y") == s.id != Stance.make_id("c", "y", "x")


@given(st.dictionaries(st.binary(max_size=12), st.binary(max_size=200), max_size=4))
@settings(max_examples=300, deadline=None)
def test_decoding_arbitrary_entries_fails_only_with_bad_message(fields):
    try:
        body = decode_entry(fields)
    except BadMessage:
        return
    # whatever decodes is JSON; validating it either works or raises ValidationError
    json.dumps(body)
    with contextlib.suppress(ValidationError):
        Article.model_validate(body)


def test_claim_mentions_must_lie_inside_the_claim_text():
    with pytest.raises(ValidationError, match="outside the claim text"):
        Claim(id="c", span=(0, 5), text="short", mentions=[ClaimMention(entity="e", span=(3, 9))])


def test_article_needs_text():
    with pytest.raises(ValidationError):
        Article(id="a", text="", content_hash="h")


def test_a_very_long_actor_name_still_gets_an_id_within_the_limit() -> None:
    from stancestream.services.linking.actors import MAX_ID, local_id

    long_a, long_b = "A" * 300 + " one", "A" * 300 + " two"
    ids = {local_id("org", long_a), local_id("org", long_b)}
    assert len(ids) == 2 and all(len(i) <= MAX_ID for i in ids)
    assert local_id("org", long_a) == local_id("org", long_a)  # stable
    assert local_id("person", "Igor  Konashenkov") == "local:person:igor konashenkov"
