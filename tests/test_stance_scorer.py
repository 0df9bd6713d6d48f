"""The shipped stance model: loads offline, gets unambiguous cases right in both directions."""

from __future__ import annotations

import threading

import pytest

from services.stance.scorer import PairQuery, load_scorer


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
    # batching and length sorting must not change any answer; dynamic int8 quantisation scales
    # activations per batch, so scores may move in the third decimal, never more
    single = [scorer.score([x])[0] for x in queries[:6]]
    for a, b in zip(single, out[:6]):
        assert a.stance == b.stance
        assert abs(a.scores[a.stance] - b.scores[b.stance]) < 1e-2


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
    from services.stance.scorer import ModelLoadError

    (tmp_path / "stance.json").write_text('{"format": "tensorflow"}')
    with pytest.raises(ModelLoadError, match="unknown format"):
        load_scorer(tmp_path)


def test_claim_groups_share_a_pass_only_with_the_same_text_and_actors():
    from services.stance.scorer import CLAIM_WINDOW_CHARS, claim_groups

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
