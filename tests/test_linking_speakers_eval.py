"""The speaker-attribution evaluation (eval/speakers.py) on the hand annotation of the MSNBC
texts: the annotation's offsets are sound, and the attribution reaches the F1 we measured."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "speakers-msnbc.jsonl"
MEASURED_F1 = 0.957  # eval/speakers.py on this annotation when it was written
MARGIN = 0.03


def _module():
    spec = importlib.util.spec_from_file_location("speakers_eval", ROOT / "eval" / "speakers.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def texts(shared_data: Path) -> dict[str, str]:
    path = shared_data / "el" / "msnbc-updated.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    with open(path, encoding="utf-8") as fh:
        return {str(d["id"]): d["text"] for d in map(json.loads, fh) if d}


def _gold() -> list[dict]:
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(x) for x in fh if x.strip()]


def test_annotation_holds_offsets_only() -> None:
    gold = _gold()
    assert len(gold) >= 100
    for g in gold:
        assert set(g) == {"doc", "claim", "speaker", "kind"}
        assert g["kind"] in {"quote", "reported"}
        assert all(isinstance(x, int) for x in (*g["claim"], *g["speaker"]))
    assert len({(g["doc"], *g["claim"]) for g in gold}) == len(gold)


def test_annotation_offsets_fit_the_texts(texts: dict[str, str]) -> None:
    for g in _gold():
        text = texts[str(g["doc"])]
        (cs, ce), (ss, se) = g["claim"], g["speaker"]
        assert 0 <= cs < ce <= len(text) and 0 <= ss < se <= len(text)
        assert text[cs:ce].strip() == text[cs:ce]
        name = text[ss:se]
        assert name.strip() == name and any(c.isupper() for c in name)  # a named mention
        assert not (cs <= ss and se <= ce) or g["kind"] == "quote"  # a source is not its claim


def test_speaker_attribution_f1(texts: dict[str, str]) -> None:
    scores = _module().score(texts, _gold())
    print(scores.line())
    assert scores.gold == len(_gold())
    assert scores.f1 >= MEASURED_F1 - MARGIN, scores.line()
    assert scores.precision >= 0.9 and scores.recall >= 0.85
