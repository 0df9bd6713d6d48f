"""A ``stance train`` checkpoint served in PyTorch (needs the ``[train]`` extra)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stancestream.services.stance.backends.logits import logit_bias, softmax_scores
from stancestream.services.stance.markers import mark, mark_actors, marker_token
from stancestream.services.stance.queries import LABELS, PairQuery, StanceScore, claim_groups


class TorchStanceScorer:
    """A ``stance train`` checkpoint in PyTorch (bf16 autocast), for comparison and debugging."""

    def __init__(self, path: Path, batch_size: int = 64, bf16: bool | None = None):
        import torch

        from stancestream.services.stance.torch_model import bf16_native, load_torch

        self.torch = torch
        self.model, self.tokenizer, self.meta = load_torch(path)
        self.name = path.name
        if bf16 is None:
            bf16 = bf16_native()
        self.bf16 = bf16
        self.batch_size = batch_size
        self.bias = logit_bias(self.meta)
        self._lock = threading.Lock()

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        if not queries:
            return []
        if self.meta.get("scheme") == "claim":
            return softmax_scores(self._claim_logits(queries), self.bias)
        torch = self.torch
        marked = [mark(q.text, q.source, q.target) for q in queries]
        out = np.zeros((len(queries), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(marked)), key=lambda i: len(marked[i].text))
        with self._lock, torch.inference_mode():
            for k in range(0, len(order), self.batch_size):
                chunk = order[k : k + self.batch_size]
                enc = self._encode([marked[i].text for i in chunk])
                src = [marker_token(enc[r], marked[i].source_char) for r, i in enumerate(chunk)]
                tgt = [marker_token(enc[r], marked[i].target_char) for r, i in enumerate(chunk)]
                out[chunk] = self._forward(enc, src, tgt)
        return softmax_scores(out, self.bias)

    def _encode(self, texts: list[str]):
        return self.tokenizer(
            texts,
            truncation=True,
            max_length=self.meta["max_length"],
            padding=True,
            return_tensors="pt",
        )

    def _forward(self, enc, *indexes: list[int]) -> np.ndarray:
        """Logits for marker positions ``indexes`` (source, target[, pair row]) of ``enc``."""
        torch = self.torch
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.model(
                enc["input_ids"], enc["attention_mask"], *(torch.tensor(ix) for ix in indexes)
            )
        return logits.float().numpy()

    def _claim_logits(self, queries: Sequence[PairQuery]) -> np.ndarray:
        """Claim scheme: ``batch_size`` groups per forward pass, each group's pairs reading its
        own row."""
        torch = self.torch
        groups = claim_groups(queries)
        out = np.zeros((len(queries), len(LABELS)), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for k in range(0, len(groups), self.batch_size):
                chunk = groups[k : k + self.batch_size]
                marked = [mark_actors(g.text, g.spans) for g in chunk]
                enc = self._encode([m.text for m in marked])
                rows, src, tgt, where = [], [], [], []
                for r, (g, m) in enumerate(zip(chunk, marked)):
                    tok = {sp: marker_token(enc[r], c) for sp, c in zip(g.spans, m.open_chars)}
                    for i in g.queries:
                        q, d = queries[i], g.offset
                        rows.append(r)
                        src.append(tok[(q.source[0] - d, q.source[1] - d)])
                        tgt.append(tok[(q.target[0] - d, q.target[1] - d)])
                        where.append(i)
                out[where] = self._forward(enc, src, tgt, rows)
        return out
