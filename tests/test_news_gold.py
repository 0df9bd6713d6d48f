"""The whole-article stance dev set: every gold file checks against its text, and the pipeline's
reading keeps the figures the README reports (a floor a little under them)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "news" / "gold"


def _module(name: str, path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def texts_file(shared_data, tmp_path_factory) -> pathlib.Path:
    texts = _module("news_texts", ROOT / "eval" / "news" / "texts.py")
    out = tmp_path_factory.mktemp("news") / "texts.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for doc_id, text in texts.iter_texts(shared_data):
            f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    return out


def test_every_gold_file_checks_against_its_text(texts_file) -> None:
    check = _module("news_check", ROOT / "eval" / "news" / "check.py")
    texts = {json.loads(x)["id"]: json.loads(x)["text"] for x in texts_file.open()}
    files = sorted(GOLD.glob("*.gold.json"))
    assert len(files) >= 45
    for f in files:
        gold = json.loads(f.read_text(encoding="utf-8"))
        assert check.check(gold, texts[gold["doc_id"]]) == [], f.name


@pytest.mark.slow
def test_the_reading_keeps_its_dev_set_figures(shared_data, texts_file) -> None:
    tool = shared_data.parent / "tools" / "eval_news.py"
    if not tool.exists():
        pytest.skip(f"no {tool}")
    cmd = f"{sys.executable} -m stancestream analyze"
    p = subprocess.run(
        [sys.executable, str(tool), str(GOLD), "--texts", str(texts_file), "--cmd", cmd],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    last = dict(kv.split("=") for kv in p.stdout.strip().splitlines()[-1].split())
    assert float(last["stance_precision"]) >= 0.75, last
    assert float(last["stance_recall"]) >= 0.32, last
