"""Training, export and the optional backends work end to end (tiny runs; [train] extra)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch", reason="training needs the [train] extra (torch)")
pytest.importorskip("transformers", reason="training needs the [train] extra (transformers)")

from stancestream.services.stance.queries import PairQuery  # noqa: E402
from stancestream.services.stance.scorer import load_scorer  # noqa: E402

pytestmark = pytest.mark.slow

QUERY = PairQuery("Moscow accused Washington of lying.", (0, 6), (15, 25))


def test_train_export_and_load_a_tiny_model(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from stancestream.services.stance.training.export import main as export_main
    from stancestream.services.stance.training.train import TrainConfig, train

    best = train(
        TrainConfig(data=str(shared_data / "dse"), out=str(tmp_path / "run"), epochs=1, limit=64)
    )
    assert 0.0 <= best["f1"] <= 1.0
    log = (tmp_path / "run" / "train.log").read_text()
    assert "ETA" in log and "valid macro_f1=" in log
    export_main([str(tmp_path / "run" / "torch"), str(tmp_path / "onnx"), str(shared_data / "dse")])
    meta = json.loads((tmp_path / "onnx" / "stance.json").read_text())
    assert meta["format"] == "onnx" and "valid_onnx_int8" in meta
    for path in (tmp_path / "onnx", tmp_path / "run" / "torch"):  # ONNX and PyTorch backends
        r = load_scorer(path).score([QUERY])[0]
        assert abs(sum(r.scores.values()) - 1) < 1e-5


def test_any_nli_model_can_be_used_zero_shot(tmp_path):
    """A local NLI checkpoint (here a tiny random one) plugs in through the same loader."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from stancestream.services.stance.training.train import resolve_base

    tok = BertTokenizerFast.from_pretrained(resolve_base("minilm"))
    cfg = BertConfig(
        vocab_size=tok.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=3,
        id2label={0: "contradiction", 1: "entailment", 2: "neutral"},
        label2id={"contradiction": 0, "entailment": 1, "neutral": 2},
    )
    BertForSequenceClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    scorer = load_scorer(tmp_path)
    assert type(scorer).__name__ == "NliStanceScorer"
    out = scorer.score([QUERY, QUERY])
    assert len(out) == 2
    assert all(abs(sum(r.scores.values()) - 1) < 1e-6 for r in out)


def test_a_classifier_that_is_not_nli_is_refused(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    from stancestream.services.stance.scorer import ModelLoadError
    from stancestream.services.stance.training.train import resolve_base

    cfg = BertConfig(
        vocab_size=100,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=2,
        id2label={0: "neg", 1: "pos"},
    )
    BertForSequenceClassification(cfg).save_pretrained(tmp_path)
    import shutil

    shutil.copy(f"{resolve_base('minilm')}/tokenizer.json", tmp_path / "tokenizer.json")
    with pytest.raises(ModelLoadError, match="entailment"):
        load_scorer(tmp_path)


def test_claim_scheme_scores_every_pair_of_a_claim_from_one_pass(
    shared_data, tmp_path, monkeypatch
):
    """A tiny claim-scheme model: trains, exports, and answers each query as if it were alone,
    while one model call serves all the queries of a claim."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from stancestream.services.stance.training.export import main as export_main
    from stancestream.services.stance.training.train import TrainConfig
    from stancestream.services.stance.training.train_claims import train_claims

    train_claims(
        TrainConfig(data=str(shared_data / "dse"), out=str(tmp_path / "run"), epochs=1, limit=48)
    )
    export_main([str(tmp_path / "run" / "torch"), str(tmp_path / "onnx")])
    meta = json.loads((tmp_path / "onnx" / "stance.json").read_text())
    assert meta["scheme"] == "claim"

    text = "Moscow accused Washington and NATO of lying, Lavrov said."
    spans = [(0, 6), (15, 25), (30, 34), (45, 51)]
    queries = [PairQuery(text, s, t, tuple(spans)) for s in spans for t in spans if s != t]
    for path in (tmp_path / "onnx", tmp_path / "run" / "torch"):
        scorer = load_scorer(path)
        together = scorer.score(queries)
        alone = [scorer.score([q])[0] for q in queries]
        for a, b in zip(together, alone):
            assert a.stance == b.stance
            assert all(abs(a.scores[k] - b.scores[k]) < 1e-4 for k in a.scores)
    onnx = load_scorer(tmp_path / "onnx")
    calls = []
    run = onnx.session.run
    monkeypatch.setattr(
        onnx, "session", type("S", (), {"run": lambda s, *a: calls.append(1) or run(*a)})()
    )
    onnx.score(queries)
    assert len(calls) == 1  # 12 directed pairs, one encoder pass
