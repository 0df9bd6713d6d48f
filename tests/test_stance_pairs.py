"""Which pairs of a claim are scored, and with which spans."""

from __future__ import annotations

from stancestream.services.stance.pairs import article_pairs, claim_pairs
from stancestream.services.stance.queries import StanceScore
from stancestream.services.stance.stancing import score_articles
from stancestream.shared.contracts import ArticleMeta, Claim, ClaimMention, Entity, LinkedArticle


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


def test_holders_policy_scores_only_from_holders_and_the_speaker():
    text = "Moscow accused Washington of backing Kyiv."
    c = claim(text, [("ru", "Moscow"), ("us", "Washington"), ("ua", "Kyiv")])
    c.mentions[0].holder = True  # the subject
    got = {(p.source, p.target) for p in claim_pairs(c, {}, 30, holders_only=True)}
    assert got == {("ru", "us"), ("ru", "ua")}
    assert len(claim_pairs(c, {}, 30)) == 6  # the default scores every ordered pair
    c.mentions[0].holder = False  # no holder and no speaker: fall back to every pair
    assert len(claim_pairs(c, {}, 30, holders_only=True)) == 6


def test_linking_marks_subjects_and_agents_as_holders():
    from stancestream.services.linking.link import link_article
    from stancestream.services.linking.nlp import load_nlp
    from stancestream.shared.contracts import Article

    text = "Senator Warren criticised Governor Abbott. Governor Abbott was praised by Germany."
    la = link_article(load_nlp("en_core_web_sm"), Article(id="a", text=text, content_hash="h"))
    names = {e.id: e.name for e in la.entities}
    holders = {names[m.entity] for c in la.claims for m in c.mentions if m.holder}
    not_holders = {names[m.entity] for c in la.claims for m in c.mentions if not m.holder}
    assert any("Warren" in n for n in holders)
    assert "Germany" in holders
    assert any("Abbott" in n for n in not_holders)


def test_pronoun_and_description_mentions_are_replaced_by_the_actors_name():
    text = '"Washington has been misled," he said.'
    c = Claim(
        id="c",
        span=(0, len(text)),
        text=text,
        speaker="kon",
        mentions=[
            ClaimMention(entity="us", span=(1, 11)),
            ClaimMention(entity="kon", span=(text.index(" he ") + 1, text.index(" he ") + 3)),
        ],
    )
    pairs = claim_pairs(c, {"kon": "Igor Konashenkov", "us": "United States"}, 30)
    p = next(x for x in pairs if x.source == "kon")
    q = p.query
    assert q.text == '"Washington has been misled," Igor Konashenkov said.'
    assert q.text[slice(*q.source)] == "Igor Konashenkov"
    assert q.text[slice(*q.target)] == "Washington"  # a name stays as written


def test_a_named_mention_is_preferred_over_an_earlier_pronoun():
    text = "He said Moscow lied, Lavrov added."
    c = Claim(
        id="c",
        span=(0, len(text)),
        text=text,
        speaker="lav",
        mentions=[
            ClaimMention(entity="lav", span=(0, 2)),
            ClaimMention(entity="ru", span=(8, 14)),
            ClaimMention(entity="lav", span=(21, 27)),
        ],
    )
    pairs = claim_pairs(c, {"lav": "Sergei Lavrov", "ru": "Russia"}, 30)
    p = next(x for x in pairs if x.source == "lav")
    assert p.query.text == text and p.query.text[slice(*p.query.source)] == "Lavrov"
