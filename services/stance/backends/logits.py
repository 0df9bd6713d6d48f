"""From logits to answers, shared by the ONNX and PyTorch backends: the calibrated per-label
offsets a model's ``stance.json`` carries, and the softmax that turns offset logits into scores."""

from __future__ import annotations

import numpy as np

from stancestream.services.stance.queries import LABELS, StanceScore


def logit_bias(meta: dict) -> np.ndarray:
    """Per-label logit offsets calibrated on validation data (older models: a neutral bias)."""
    if "logit_bias" in meta:
        return np.asarray(meta["logit_bias"], dtype=np.float64)
    v = np.zeros(len(LABELS))
    v[LABELS.index("neutral")] = float(meta.get("neutral_bias", 0.0))
    return v


def softmax_scores(logits: np.ndarray, bias: np.ndarray) -> list[StanceScore]:
    z = logits.astype(np.float64) + bias
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    out = []
    for row in p:
        scores = {label: float(row[i]) for i, label in enumerate(LABELS)}
        out.append(StanceScore(LABELS[int(row.argmax())], scores))
    return out
