"""Training, export and the optional backends work end to end (tiny runs; [train] extra)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

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


def test_the_joint_term_wants_one_five_way_label_from_both_directions():
    """The consistency term: for DSE class 4 (q opposes p) it is low when p->q says neutral and
    q->p oppose, high when the two answers say the reverse direction, higher too for two stances
    at once; ``claim_batches`` hands it the rows of each sentence's two pairs."""
    from stancestream.services.stance.queries import LABELS
    from stancestream.services.stance.training.train import Log, joint_loss
    from stancestream.services.stance.training.train_claims import claim_batches

    loss = joint_loss([0, 1, 2, 3, 4], Log(Path(tempfile.mkdtemp()) / "log"))
    s, o, n = (LABELS.index(k) for k in ("support", "oppose", "neutral"))

    def logits(pq: int, qp: int) -> torch.Tensor:
        z = torch.zeros(2, 3)
        z[0, pq] = z[1, qp] = 5.0
        return z

    rows = (torch.tensor([0]), torch.tensor([1]), torch.tensor([4]))
    right = loss(logits(n, o), *rows)
    assert right < 0.1
    assert loss(logits(o, n), *rows) > right + 3  # the reverse direction
    assert loss(logits(o, o), *rows) > right + 0.5  # both at once: the direction is a toss-up
    # two sentences of two pairs each, one without a 5-way label (a pipeline-shaped claim)
    batch = list(
        claim_batches([[1, 2, 3], [1, 2]], [[(1, 2, n), (2, 1, o)]] * 2, 8, None, 0, [4, None])
    )
    *_, (pq_rows, qp_rows, y5, _) = batch[0]
    assert y5.tolist() == [4] and qp_rows.tolist() == [pq_rows.item() + 1]
