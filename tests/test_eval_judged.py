"""The judged-sentences evaluation (eval/judged.py): the verdicts are sound, and the pipeline's
held-out precision there stays what we measured, with few stances no reader has judged."""

from __future__ import annotations

import importlib.util
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURED = 0.654  # eval/judged.py --split devtest_mt at the end of stop 29
MARGIN = 0.03


def _module():
    spec = importlib.util.spec_from_file_location("judged_eval", ROOT / "eval" / "judged.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_every_verdict_names_a_sentence_and_a_verdict(shared_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("STANCESTREAM_SHARED_DATA", str(shared_data))
    judged = _module()
    verdicts = judged.load_verdicts()
    assert len(verdicts) >= 250
    sizes = {split: len(judged.sentences(split)) for split in judged.SPLITS}
    for (split, row, source, target, stance), v in verdicts.items():
        assert 0 <= row < sizes[split], (split, row)
        assert v["verdict"] in {"right", "wrong", "unsure"}
        assert stance in {"support", "oppose"} and source != target


def test_held_out_precision_stays_as_measured(shared_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("STANCESTREAM_SHARED_DATA", str(shared_data))
    judged = _module()
    verdicts = judged.load_verdicts()
    cmd = f"{shlex.quote(sys.executable)} -m stancestream analyze"
    texts = judged.sentences("devtest_mt")
    got = [verdicts.get(k) for k in judged.stances("devtest_mt", texts, cmd)]
    right = sum(1 for v in got if v and v["verdict"] == "right")
    wrong = sum(1 for v in got if v and v["verdict"] == "wrong")
    unjudged = sum(1 for v in got if v is None)
    assert got, "the pipeline gave no stance at all"
    assert unjudged <= 0.1 * len(got), f"{unjudged} stances unjudged: read them (eval/judged.py -v)"
    assert right / (right + wrong) >= MEASURED - MARGIN
