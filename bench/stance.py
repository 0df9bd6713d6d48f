#!/usr/bin/env python3
"""Stance model throughput on this machine: pairs/s at batch sizes 1, 16, 64 for the shipped
models (ONNX Runtime int8: the claim-scheme default and the pair-scheme v1) against plain fp32
PyTorch and bf16-autocast PyTorch.

"Batch" is the number of queries per ``score()`` call. The pair-scheme model encodes that many
queries per model call; the claim-scheme model makes one call per sentence whatever the batch,
answering both directions of a sentence from it once they arrive in the same call (so its
"batch 1" column, one query per call, is the worst case).

Usage: python bench/stance.py [--data ../shared/data/dse/valid.txt] [--n 512] [--checkpoint DIR]
The PyTorch rows need the [train] extra and a training checkpoint (``runs/<run>/torch``); without
one they are skipped. Queries are real DSE sentences (both directions), so lengths are realistic.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.stance.dse import directed, read_rows  # noqa: E402
from services.stance.scorer import OnnxStanceScorer, PairQuery, load_scorer  # noqa: E402


def rate(scorer, queries, batch: int, repeat: int = 1) -> float:
    scorer.batch_size = batch
    scorer.score(queries[: min(len(queries), 2 * batch)])  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeat):
        if batch == 1:
            for q in queries:
                scorer.score([q])
        else:
            scorer.score(queries)
    return repeat * len(queries) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/dse/valid.txt")
    )
    ap.add_argument("--n", type=int, default=512, help="queries per measurement")
    ap.add_argument("--checkpoint", help="torch checkpoint for the PyTorch rows")
    args = ap.parse_args()

    rows = read_rows(args.data)
    ex = directed(rows[:: max(1, 2 * len(rows) // args.n)])  # both directions of each sentence
    queries = [PairQuery(e.text, e.source, e.target) for e in ex[: args.n]]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{len(queries)} real DSE queries"
    )

    t0 = time.perf_counter()
    onnx = load_scorer()
    print(f"load shipped model: {time.perf_counter() - t0:.2f}s")
    runtimes: list[tuple[str, object]] = [
        ("onnxruntime int8 (default, claim)", onnx),
        ("onnxruntime int8 (v1, pair)", load_scorer("pair")),
    ]
    if args.checkpoint:
        try:
            from services.stance.scorer import TorchStanceScorer

            fp32 = TorchStanceScorer(Path(args.checkpoint), bf16=False)
            fp32.model.float()
            bf16 = TorchStanceScorer(Path(args.checkpoint), bf16=True)
            runtimes += [("pytorch fp32", fp32), ("pytorch bf16 autocast", bf16)]
        except ImportError as exc:
            print(f"(PyTorch rows skipped: {exc})")
    print(f"{'runtime':32s} {'batch 1':>10s} {'batch 16':>10s} {'batch 64':>10s}  pairs/s")
    for name, scorer in runtimes:
        n1 = queries[:128]
        r1 = rate(scorer, n1, 1)
        r16 = rate(scorer, queries, 16)
        r64 = rate(scorer, queries, 64)
        print(f"{name:32s} {r1:10.1f} {r16:10.1f} {r64:10.1f}")
    assert isinstance(onnx, OnnxStanceScorer)


if __name__ == "__main__":
    main()
