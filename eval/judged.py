#!/usr/bin/env python3
"""Precision on unseen news sentences, judged by reading: the NewsMTSC devtest sentences.

``eval/news`` measures whole articles against a gold set; the rules were written while reading
those articles, so its precision flatters the pipeline. NewsMTSC's two devtest files (news
sentences with named targets, `../shared/data/newsmtsc/devtest_{rw,mt}.jsonl`) are a second,
stance-dense sample nobody tuned on: each sentence goes through ``--cmd`` as a one-sentence
article, and every non-neutral stance the pipeline gives is looked up among the verdicts of a
reader (``eval/judged.jsonl``: ``{"split", "row", "source", "target", "stance", "verdict":
"right"|"wrong"|"unsure", "why"}``, names as the pipeline gave them, no sentence text). A stance
no reader has judged yet is counted apart and listed with ``-v``, to be read and added.

``devtest_mt`` is held out: judged once at the start of stop 29 and never used to choose a rule.
``devtest_rw`` was read while writing the rules of that stop, so it is a dev figure.

    python eval/judged.py [--split devtest_mt|devtest_rw] [--cmd "stancestream analyze"] [-v]

Prints per split: ``stances=N right=R wrong=W unsure=U unjudged=X precision=R/(R+W)``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ROOT / "eval" / "judged.jsonl"
SPLITS = ("devtest_mt", "devtest_rw")


def shared_data() -> Path:
    env = os.environ.get("STANCESTREAM_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def sentences(split: str) -> list[str]:
    path = shared_data() / "newsmtsc" / f"{split}.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["sentence_normalized"] for line in f if line.strip()]


Key = tuple[str, int, str, str, str]


def load_verdicts(path: Path = VERDICTS) -> dict[Key, dict]:
    out: dict[Key, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                v = json.loads(line)
                out[(v["split"], v["row"], v["source"], v["target"], v["stance"])] = v
    return out


def stances(split: str, texts: list[str], cmd: str) -> Iterator[Key]:
    """(split, row, source name, target name, label) of every non-neutral stance ``cmd`` gives."""
    payload = "".join(
        json.dumps({"id": f"{split}-{i}", "text": t}) + "\n" for i, t in enumerate(texts)
    )
    proc = subprocess.run(shlex.split(cmd), input=payload, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd!r} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        row = int(doc["id"].rsplit("-", 1)[1])
        names = {e["id"]: e["name"] for e in doc["entities"]}
        for s in doc.get("stances", []):
            if s["stance"] != "neutral":
                source, target = names.get(s["source"], "?"), names.get(s["target"], "?")
                yield split, row, source, target, s["stance"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=SPLITS, action="append")
    ap.add_argument("--cmd", default="stancestream analyze")
    ap.add_argument("--verdicts", type=Path, default=VERDICTS)
    ap.add_argument("-v", action="store_true", help="list wrong and unjudged stances")
    a = ap.parse_args()
    verdicts = load_verdicts(a.verdicts)
    for split in a.split or SPLITS:
        texts = sentences(split)
        counts = {"right": 0, "wrong": 0, "unsure": 0, "unjudged": 0}
        for key in stances(split, texts, a.cmd):
            v = verdicts.get(key)
            counts[v["verdict"] if v else "unjudged"] += 1
            if a.v and (v is None or v["verdict"] == "wrong"):
                tag = f"WRONG ({v['why']})" if v else "UNJUDGED"
                print(f"  {split}-{key[1]}: {key[2]} -> {key[3]} {key[4]}  {tag}")
                print(f"      {texts[key[1]][:300]}")
        judged = counts["right"] + counts["wrong"]
        precision = counts["right"] / judged if judged else 0.0
        print(
            f"{split}: stances={sum(counts.values())} right={counts['right']} "
            f"wrong={counts['wrong']} unsure={counts['unsure']} unjudged={counts['unjudged']} "
            f"precision={precision:.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
