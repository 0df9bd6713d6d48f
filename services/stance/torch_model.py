"""The PyTorch stance classifier: a transformer encoder plus a head over the two actor markers,
how a checkpoint loads (``load_torch``) and whether this CPU computes bf16 natively.

Only training, ONNX export and the optional PyTorch backend import this module; serving the shipped
model needs ONNX Runtime and ``tokenizers`` only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn


class PairStanceClassifier(nn.Module):
    """Logits over (support, oppose, neutral) for the source actor's stance toward the target.

    Features: mean-pooled sentence, hidden state at the source's opening marker, hidden state at
    the target's opening marker (entity-start pooling beats [CLS] pooling for relation tasks).
    """

    def __init__(self, encoder: nn.Module, hidden: int, n_labels: int = 3, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(3 * hidden, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_labels),
        )

    def forward(self, input_ids, attention_mask, source_index, target_index, pair_row=None):
        """One logit row per pair. Without ``pair_row`` pair i belongs to sequence i (the pair
        scheme); with it, several pairs may read the same sequence (the claim scheme: one encoder
        pass scores every ordered pair of a claim's actors)."""
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(h.dtype)
        mean = (h * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        rows = torch.arange(h.size(0), device=h.device) if pair_row is None else pair_row
        feats = torch.cat([mean[rows], h[rows, source_index], h[rows, target_index]], dim=-1)
        return self.head(feats)


def bf16_native() -> bool:
    """True on CPUs with native bf16 (AVX512-BF16/AMX); elsewhere bf16 autocast is emulated and
    ~100x slower than fp32 (seen on an AVX2-only EPYC), so training falls back to fp32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def load_torch(
    path: str | Path, attn_implementation: str | None = None
) -> tuple[PairStanceClassifier, Any, dict]:
    """Load a checkpoint; ``attn_implementation="eager"`` gives an ONNX graph ORT can fuse."""
    from transformers import AutoModel, AutoTokenizer

    path = Path(path)
    meta = json.loads((path / "stance.json").read_text())
    kw: dict[str, Any] = {"attn_implementation": attn_implementation} if attn_implementation else {}
    encoder = AutoModel.from_pretrained(path / "encoder", **kw)
    tokenizer = AutoTokenizer.from_pretrained(path / "encoder")
    model = PairStanceClassifier(encoder, meta["hidden"], len(meta["labels"]))
    model.head.load_state_dict(torch.load(path / "head.pt"))
    model.eval()
    return model, tokenizer, meta
