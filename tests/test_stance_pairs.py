"""Which pairs of a claim are scored, and with which spans."""

from __future__ import annotations

from services.stance.pairs import article_pairs, claim_pairs
from services.stance.scorer import StanceScore
from services.stance.stancing import score_articles
from shared.contracts import ArticleMeta, Claim, ClaimMention, Entity, LinkedArticle


def claim(text, mentions, speaker=None):
    ms = []
    for ent, surface in mentions:
        s = text.index(surface)
        ms.append(ClaimMention(entity=ent, span=(s, s + len(surface))))
    return Claim(id="c1", span=(0, len(text)), text=text, speaker=speaker, mentions=ms)


def test_outlet_sentence_scores_actors_against_each_other():
    c = claim("Moscow accused Washington of lying.", [("ru", "Moscow"), ("us", "Washington")])
    pairs = claim_pairs(c, {}, 30)
    assert {(p.source, p.target) for p in pairs} == {("ru", "us"), ("us", "ru")}
    p = next(p for p in pairs if p.source == "ru")
    assert p.query.text[slice(*p.query.source)] == "Moscow"
    assert p.query.text[slice(*p.query.target)] == "Washington"


def test_speaker_outside_the_text_is_named_in_a_prefix():
    c = claim('"Washington lies," the ministry wrote.', [("us", "Washington")], speaker="mod")
    pairs = claim_pairs(c, {"mod": "Russian Defense Ministry"}, 30)
    assert [(p.source, p.target) for p in pairs] == [("mod", "us")]
    q = pairs[0].query
    assert q.text.startswith("Russian Defense Ministry said: ")
    assert q.text[slice(*q.source)] == "Russian Defense Ministry"
    assert q.text[slice(*q.target)] == "Washington"


def test_pair_cap_and_no_self_pairs():
    names = [f"E{i}" for i in range(8)]
    text = " and ".join(names) + " met."
    c = claim(text, [(n, n) for n in names])
    pairs = claim_pairs(c, {}, 10)
    assert len(pairs) == 10
    assert all(p.source != p.target for p in pairs)


class FixedScorer:
    name = "fixed"

    def score(self, queries):
        return [
            StanceScore("oppose", {"support": 0.1, "oppose": 0.8, "neutral": 0.1}) for _ in queries
        ]


def test_score_articles_builds_one_batch_per_article_with_stable_ids():
    c = claim("Moscow accused Washington of lying.", [("ru", "Moscow"), ("us", "Washington")])
    linked = LinkedArticle(
        article=ArticleMeta(id="a1"),
        claims=[c],
        entities=[Entity(id="ru", name="Moscow"), Entity(id="us", name="USA")],
    )
    empty = LinkedArticle(article=ArticleMeta(id="a2"), claims=[], entities=[])
    b1, b2 = score_articles(FixedScorer(), [linked, empty])
    assert len(b1.stances) == 2 and b2.stances == []
    again = score_articles(FixedScorer(), [linked])[0]
    assert [s.id for s in again.stances] == [s.id for s in b1.stances]
    assert len(article_pairs(linked, 30)) == 2
    assert "stance" in b1.trace.stages
