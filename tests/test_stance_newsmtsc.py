"""NewsMTSC targets become the pipeline's speaker questions: ``NAME said: sentence`` with the
speaker and every target marked, each target asked once with the sentence's sentiment."""

from __future__ import annotations

import json
from pathlib import Path

from stancestream.services.stance.queries import LABELS
from stancestream.services.stance.training.newsmtsc import newsmtsc_claims


def _row(text: str, *targets: tuple[str, float]) -> str:
    spans = []
    for mention, polarity in targets:
        start = text.index(mention)
        spans.append(
            {"from": start, "to": start + len(mention), "mention": mention, "polarity": polarity}
        )
    return json.dumps({"primary_gid": "x", "sentence_normalized": text, "targets": spans})


def test_each_target_is_a_speaker_question_with_its_sentiment(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(
        _row("Acme praised Beta and ignored Gamma.", ("Beta", 6.0), ("Gamma", 4.0))
        + "\n"
        + _row("Critics say Delta failed its workers.", ("Delta", 2.0), ("Delta failed", 2.0))
        + "\n",
        encoding="utf-8",
    )
    claims = {c.text.split(": ", 1)[1]: c for c in newsmtsc_claims(path)}
    acme = claims["Acme praised Beta and ignored Gamma."]
    speaker = acme.text[: acme.spans[0][1]]
    assert acme.text.startswith(f"{speaker} said: ")
    assert [acme.text[s:e] for s, e in acme.spans] == [speaker, "Beta", "Gamma"]
    assert acme.pairs == ((0, 1, LABELS.index("support")), (0, 2, LABELS.index("neutral")))
    delta = claims["Critics say Delta failed its workers."]
    # overlapping targets cannot both be marked: the first is kept
    assert [delta.text[s:e] for s, e in delta.spans[1:]] == ["Delta"]
    assert delta.pairs == ((0, 1, LABELS.index("oppose")),)
    assert len(newsmtsc_claims(path, limit=1)) == 1


def test_a_claim_scheme_run_trains_on_them_too(shared_data, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from stancestream.services.stance.training.train import TrainConfig
    from stancestream.services.stance.training.train_claims import train_claims

    news = tmp_path / "newsmtsc.jsonl"
    news.write_text(
        "\n".join(
            _row(f"Acme praised Beta {i} times and ignored Gamma.", ("Beta", 6.0), ("Gamma", 4.0))
            for i in range(6)
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    train_claims(
        TrainConfig(
            data=str(shared_data / "dse"), out=str(out), epochs=1, limit=32, newsmtsc=str(news)
        )
    )
    log = (out / "train.log").read_text()
    assert (
        "NewsMTSC speaker claims: 6 with 12 pairs {'support': 6, 'oppose': 0, 'neutral': 6}" in log
    )
    assert (out / "torch").is_dir()
