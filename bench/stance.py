#!/usr/bin/env python3
"""Stance model throughput on this machine: pairs/s at batch sizes 1, 16, 64 for the shipped
models (ONNX Runtime int8: the claim-scheme default and the pair-scheme v1) against plain fp32
PyTorch and bf16-autocast PyTorch.

"Batch 1" is one query per ``score()`` call (the worst case: the claim-scheme model then cannot
answer both directions of a sentence from one pass). "Batch 16/64" scores all queries in one
``score()`` call with that many sequences per model call: pairs for the pair scheme, claims
(sentences, both directions each) for the claim scheme, sorted by length and padded per call.

Usage: python bench/stance.py [--data ../shared/data/dse/valid.txt] [--n 512] [--checkpoint DIR]
       [--onnx NAME=DIR ...] [--repeat 3]
``--onnx`` adds exported ONNX models (e.g. an older export) as extra rows; ``--repeat`` runs each
measurement that many times and prints the median.
The PyTorch rows need the [train] extra and a training checkpoint (``runs/<run>/torch``); without
one they are skipped. Queries are real DSE sentences (both directions), so lengths are realistic.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stancestream.services.stance.backends.onnx import OnnxStanceScorer  # noqa: E402
from stancestream.services.stance.queries import PairQuery  # noqa: E402
from stancestream.services.stance.scorer import load_scorer  # noqa: E402
from stancestream.services.stance.training.dse import directed, read_rows  # noqa: E402


def rate(scorer, queries, batch: int, repeat: int = 1) -> float:
    """Median pairs/s over ``repeat`` runs."""
    return statistics.median(_rate(scorer, queries, batch) for _ in range(repeat))


def _rate(scorer, queries, batch: int) -> float:
    scorer.batch_size = batch
    scorer.score(queries[: min(len(queries), 2 * batch)])  # warm-up
    t0 = time.perf_counter()
    if batch == 1:
        for q in queries:
            scorer.score([q])
    else:
        scorer.score(queries)
    return len(queries) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/dse/valid.txt")
    )
    ap.add_argument("--n", type=int, default=512, help="queries per measurement")
    ap.add_argument("--checkpoint", help="torch checkpoint for the PyTorch rows")
    ap.add_argument("--onnx", action="append", default=[], help="NAME=DIR: an extra ONNX model")
    ap.add_argument("--repeat", type=int, default=1, help="median of this many runs")
    ap.add_argument("--no-pair", action="store_true", help="skip the pair-scheme v1 row")
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
    runtimes: list[tuple[str, object]] = [("onnxruntime int8 (default, claim)", onnx)]
    if not args.no_pair:
        runtimes.append(("onnxruntime int8 (v1, pair)", load_scorer("pair")))
    for spec in args.onnx:
        name, _, path = spec.partition("=")
        runtimes.append((f"onnxruntime {name}", OnnxStanceScorer(Path(path))))
    if args.checkpoint:
        try:
            from stancestream.services.stance.backends.torch import TorchStanceScorer

            fp32 = TorchStanceScorer(Path(args.checkpoint), bf16=False)
            fp32.model.float()
            bf16 = TorchStanceScorer(Path(args.checkpoint), bf16=True)
            runtimes += [("pytorch fp32", fp32), ("pytorch bf16 autocast", bf16)]
        except ImportError as exc:
            print(f"(PyTorch rows skipped: {exc})")
    forced = False
    for i, (name, scorer) in enumerate(runtimes):
        if isinstance(scorer, OnnxStanceScorer) and not scorer.batch_independent:
            scorer.batch_independent = True  # measure batching anyway: answers then move
            runtimes[i] = (name + " *", scorer)
            forced = True
    print(f"{'runtime':36s} {'batch 1':>10s} {'batch 16':>10s} {'batch 64':>10s}  pairs/s")
    for name, scorer in runtimes:
        n1 = queries[:128]
        r1 = rate(scorer, n1, 1, args.repeat)
        r16 = rate(scorer, queries, 16, args.repeat)
        r64 = rate(scorer, queries, 64, args.repeat)
        print(f"{name:36s} {r1:10.1f} {r16:10.1f} {r64:10.1f}")
    if forced:
        print(
            "* activations scaled per call: batched here for the figure, but the scorer runs "
            "such models one sequence per call, as answers would depend on batch-mates"
        )
    assert isinstance(onnx, OnnxStanceScorer)


if __name__ == "__main__":
    main()
