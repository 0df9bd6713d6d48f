"""Zero-shot stance from any natural-language-inference model, with hypothesis templates.

For a query "S ... T" the premise is the sentence and the hypotheses are "S supports T." and
"S opposes T."; the entailment probabilities of the two become support/oppose and the rest is
neutral. Works with any Hugging Face NLI checkpoint (e.g. ``cross-encoder/nli-deberta-v3-small``)
given as a hub id (needs the internet once) or a local path. Needs the ``[train]`` extra (torch).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from stancestream.services.stance.queries import LABELS, PairQuery, StanceScore

TEMPLATES = {"support": "{source} supports {target}.", "oppose": "{source} opposes {target}."}


class NliStanceScorer:
    def __init__(self, model: str, batch_size: int = 16, templates: dict[str, str] | None = None):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.torch = torch
        self.name = model
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForSequenceClassification.from_pretrained(model).eval()
        labels = {v.lower(): int(k) for k, v in self.model.config.id2label.items()}
        if "entailment" not in labels:
            raise ValueError(
                f"{model} is neither a StanceStream model (no stance.json) nor an NLI model "
                f"(labels {sorted(labels)} have no 'entailment')"
            )
        self.entail = labels["entailment"]
        self.templates = templates or TEMPLATES
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        pairs = []
        for q in queries:
            s, t = q.text[slice(*q.source)], q.text[slice(*q.target)]
            for label in ("support", "oppose"):
                pairs.append((q.text, self.templates[label].format(source=s, target=t)))
        probs = np.zeros(len(pairs))
        torch = self.torch
        with self._lock, torch.inference_mode():
            for k in range(0, len(pairs), self.batch_size):
                chunk = pairs[k : k + self.batch_size]
                enc = self.tokenizer(
                    [p for p, _ in chunk],
                    [h for _, h in chunk],
                    truncation=True,
                    padding=True,
                    return_tensors="pt",
                )
                logits = self.model(**enc).logits.float()
                probs[k : k + len(chunk)] = logits.softmax(-1)[:, self.entail].numpy()
        out = []
        for i in range(len(queries)):
            sup, opp = probs[2 * i], probs[2 * i + 1]
            # entailment of each hypothesis, renormalised with "neither" as neutral
            neu = max(0.0, 1.0 - max(sup, opp))
            total = sup + opp + neu
            scores = {"support": sup / total, "oppose": opp / total, "neutral": neu / total}
            out.append(StanceScore(max(LABELS, key=lambda x: scores[x]), scores))
        return out
