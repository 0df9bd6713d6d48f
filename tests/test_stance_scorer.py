"""The shipped stance model: loads offline, gets unambiguous cases right in both directions."""

from __future__ import annotations

import threading

import pytest

from stancestream.services.stance.queries import PairQuery
from stancestream.services.stance.scorer import load_scorer


@pytest.fixture(scope="module")
def scorer():
    return load_scorer()  # the shipped default


def q(text: str, source: str, target: str) -> PairQuery:
    s = text.index(source)
    t = text.index(target)
    return PairQuery(text, (s, s + len(source)), (t, t + len(target)))


# sentences written for these tests (not from any data set): (text, a, b, stance a->b, stance b->a)
CLEAR = [
    (
        "Senator Warren sharply condemned Governor Abbott for the new border policy.",
        "Senator Warren",
        "Governor Abbott",
        "oppose",
        "neutral",
    ),
    (
        "Chancellor Scholz praised President Macron for his leadership during the crisis.",
        "Chancellor Scholz",
        "President Macron",
        "support",
        "neutral",
    ),
    (
        "The teachers' union endorsed Mayor Johnson in Tuesday's election.",
        "The teachers' union",
        "Mayor Johnson",
        "support",
        "neutral",
    ),
    (
        "Prime Minister Albanese met President Widodo in Jakarta on Monday.",
        "Prime Minister Albanese",
        "President Widodo",
        "neutral",
        "neutral",
    ),
    (
        "Moscow accused Washington of funding terrorists in Syria.",
        "Moscow",
        "Washington",
        "oppose",
        "neutral",
    ),
    (
        "Republicans attacked Speaker Pelosi over the stalled relief bill, calling her reckless.",
        "Republicans",
        "Speaker Pelosi",
        "oppose",
        "neutral",
    ),
]


@pytest.mark.parametrize("text,a,b,ab,ba", CLEAR, ids=[c[1] for c in CLEAR])
def test_clear_cases_in_both_directions(scorer, text, a, b, ab, ba):
    fwd, bwd = scorer.score([q(text, a, b), q(text, b, a)])
    assert fwd.stance == ab, fwd
    assert bwd.stance == ba, bwd


def test_scores_are_probabilities_in_input_order(scorer):
    queries = [q(*c[:3]) for c in CLEAR] * 3
    out = scorer.score(queries)
    assert len(out) == len(queries)
    for r in out:
        assert set(r.scores) == {"support", "oppose", "neutral"}
        assert abs(sum(r.scores.values()) - 1.0) < 1e-6
        assert r.stance == max(r.scores, key=r.scores.get)
    # batching and length sorting must not change any answer: a model with fixed activation
    # scales answers the same in any batch, one with per-call scales runs one claim per call
    single = [scorer.score([x])[0] for x in queries[:6]]
    for a, b in zip(single, out[:6]):
        assert a.stance == b.stance
        assert abs(a.scores[a.stance] - b.scores[b.stance]) < 1e-5


# claims of many lengths with a third actor marked: (text, source, target, other actor)
_FRAMES = [
    "{}",
    "On Monday, {}",
    "{} Officials declined to comment further.",
    "According to two people familiar with the talks, {}",
    "{} The remarks came after a week of tense negotiations in the capital.",
    "In a statement released late on Tuesday night, after hours of closed-door meetings, {}",
]


def _many_claims() -> list[PairQuery]:
    out = []
    for frame in _FRAMES:
        for text, a, b, *_ in CLEAR:
            for extra in ("", " Reuters reported the exchange.", " Germany said nothing."):
                t = frame.format(text) + extra
                other = (
                    "Reuters" if "Reuters" in extra else "Germany" if "Germany" in extra else None
                )
                ctx = ()
                if other:
                    o = t.rindex(other)
                    ctx = ((o, o + len(other)),)
                fwd = q(t, a, b)
                out.append(PairQuery(t, fwd.source, fwd.target, ctx))
                out.append(PairQuery(t, fwd.target, fwd.source, ctx))
    return out


@pytest.fixture(scope="module")
def fixed_scales(shared_data, tmp_path_factory):
    """The claim model with fixed activation scales: the shipped one if it has them, else the
    shipped model requantized as ``stancestream stance requantize`` does (calibrated on DSE)."""
    import json

    from stancestream.services.stance.scorer import SHIPPED_MODEL
    from stancestream.services.stance.training.requantize import requantize

    if json.loads((SHIPPED_MODEL / "stance.json").read_text()).get("batch_independent"):
        return SHIPPED_MODEL
    out = tmp_path_factory.mktemp("v2.1")
    requantize(SHIPPED_MODEL, out, shared_data / "dse", measure=False)
    return out


def test_batch_1_and_batch_64_give_the_same_answers(fixed_scales):
    """One claim per model call and 64 claims per call (padded to the longest) agree: same
    labels, scores within 1e-5 (the service batches claims of many articles together)."""
    from stancestream.services.stance.backends.onnx import OnnxStanceScorer

    queries = _many_claims()
    assert len({x.text for x in queries}) >= 100
    one = OnnxStanceScorer(fixed_scales, batch_size=1)
    many = OnnxStanceScorer(fixed_scales, batch_size=64)
    assert many.batch_independent and many.step == 64
    a, b = one.score(queries), many.score(queries)
    assert [r.stance for r in a] == [r.stance for r in b]
    for x, y in zip(a, b):
        assert max(abs(x.scores[k] - y.scores[k]) for k in x.scores) < 1e-5
    # and a query answers the same alone as among 100 other claims
    for i in (0, len(queries) // 2, len(queries) - 1):
        alone = many.score([queries[i]])[0]
        assert max(abs(alone.scores[k] - b[i].scores[k]) for k in alone.scores) < 1e-5
    # the clear cases keep their answers
    for text, x, y, xy, yx in CLEAR:
        fwd, bwd = many.score([q(text, x, y), q(text, y, x)])
        assert (fwd.stance, bwd.stance) == (xy, yx), text


def test_articles_scored_together_get_the_stances_they_get_alone(fixed_scales):
    """The service and ``analyze`` batch the claims of many articles into one model call: each
    article's stances must be those it gets scored on its own, one claim per call."""
    from stancestream.services.stance.backends.onnx import OnnxStanceScorer
    from stancestream.services.stance.stancing import score_articles
    from stancestream.shared.contracts import (
        ArticleMeta,
        Claim,
        ClaimMention,
        Entity,
        LinkedArticle,
    )

    articles = []
    for i, (text, a, b, *_) in enumerate(CLEAR):
        ms = [
            ClaimMention(entity=f"e{i}{k}", span=(text.index(n), text.index(n) + len(n)))
            for k, n in enumerate((a, b))
        ]
        c = Claim(id=f"c{i}", span=(0, len(text)), text=text, mentions=ms)
        ents = [Entity(id=f"e{i}0", name=a), Entity(id=f"e{i}1", name=b)]
        articles.append(LinkedArticle(article=ArticleMeta(id=f"x{i}"), claims=[c], entities=ents))
    together = score_articles(OnnxStanceScorer(fixed_scales, batch_size=64), articles)
    one = OnnxStanceScorer(fixed_scales, batch_size=1)
    for art, batch in zip(articles, together):
        (alone,) = score_articles(one, [art])
        assert [s.model_dump() for s in alone.stances] == [s.model_dump() for s in batch.stances]


def test_a_model_with_per_call_activation_scales_runs_one_claim_per_call(fixed_scales, tmp_path):
    """Exports with dynamic int8 (no ``batch_independent``) keep one sequence per call."""
    import json

    from stancestream.services.stance.backends.onnx import OnnxStanceScorer

    for f in ("model.onnx", "tokenizer.json"):
        (tmp_path / f).symlink_to((fixed_scales / f).resolve())
    meta = json.loads((fixed_scales / "stance.json").read_text())
    meta.pop("batch_independent")
    (tmp_path / "stance.json").write_text(json.dumps(meta))
    assert OnnxStanceScorer(tmp_path, batch_size=64).step == 1
    assert OnnxStanceScorer(fixed_scales, batch_size=64).step == 64


def test_thread_safe_within_one_process(scorer):
    queries = [q(*c[:3]) for c in CLEAR]
    expected = [r.stance for r in scorer.score(queries)]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(3):
                results.append([r.stance for r in scorer.score(queries)])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results and all(r == expected for r in results)


def test_bad_queries_are_rejected_with_reasons():
    with pytest.raises(ValueError, match="empty"):
        PairQuery("  ", (0, 1), (1, 2)).validate()
    with pytest.raises(ValueError, match="outside the text"):
        PairQuery("short", (0, 2), (3, 40)).validate()
    with pytest.raises(ValueError, match="overlap"):
        PairQuery("Alice and Bob", (0, 5), (2, 8)).validate()


def test_unknown_model_gives_a_clear_error(tmp_path):
    from stancestream.services.stance.scorer import ModelLoadError

    (tmp_path / "stance.json").write_text('{"format": "tensorflow"}')
    with pytest.raises(ModelLoadError, match="unknown format"):
        load_scorer(tmp_path)


def test_claim_groups_share_a_pass_only_with_the_same_text_and_actors():
    from stancestream.services.stance.queries import CLAIM_WINDOW_CHARS, claim_groups

    text = "Moscow accused Washington of lying."
    ctx = ((0, 6), (15, 25))
    qs = [
        PairQuery(text, (0, 6), (15, 25), ctx),
        PairQuery(text, (15, 25), (0, 6), ctx),
        PairQuery(text, (0, 6), (15, 25)),  # same spans without context: same marked input
        PairQuery("Other text about Moscow and Kyiv.", (17, 23), (28, 32)),
        PairQuery(text, (0, 6), (15, 25), ((0, 6), (15, 25), (3, 9))),  # overlap: dropped
    ]
    groups = claim_groups(qs)
    assert [g.queries for g in groups] == [[0, 1, 2, 4], [3]]
    long_text = "x " * CLAIM_WINDOW_CHARS + "Moscow accused Washington."
    s = long_text.index("Moscow")
    far = [
        PairQuery(long_text, (s, s + 6), (s + 15, s + 25)),
        PairQuery(long_text, (s + 15, s + 25), (s, s + 6)),
    ]
    windows = claim_groups(far)
    assert len(windows) == 2  # a long text is cut around each pair
    for g in windows:
        assert len(g.text) < len(long_text)
        assert g.text[slice(*g.spans[0])] == "Moscow"
