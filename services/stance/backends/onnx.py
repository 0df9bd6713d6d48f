"""The shipped runtime: the int8 ONNX model with ``tokenizers`` (no PyTorch needed)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stancestream.services.stance.backends.logits import logit_bias, softmax_scores
from stancestream.services.stance.markers import mark, mark_actors, marker_token
from stancestream.services.stance.queries import LABELS, PairQuery, StanceScore, claim_groups


class OnnxStanceScorer:
    """The shipped runtime: int8 ONNX, ``tokenizers``, length-sorted dynamic-padding batches.

    ``batch_size`` is the most sequences per model call (claims for the claim scheme, pairs for
    the pair scheme), sorted by token length and padded to the longest of the call. A model
    whose ``stance.json`` says ``batch_independent`` (fixed activation scales:
    ``training/requantize.py``) answers every query the same whatever else is in the call.
    Older exports quantise activations dynamically, per call, so a query's scores would move
    with its batch-mates (for ~1% of DSE queries by more than 0.3); they run one sequence per
    call whatever ``batch_size`` says, so every answer stays a function of its query alone (the
    same claim must get the same stance whether scored by the service or by ``analyze``).
    """

    def __init__(self, path: Path, batch_size: int = 1, threads: int = 0, spin: bool = True):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((path / "stance.json").read_text())
        self.name = meta.get("name", path.name)
        self.meta = meta
        self.bias = logit_bias(meta)
        self.max_length = int(meta.get("max_length", 160))
        self.batch_size = batch_size
        self.batch_independent = bool(meta.get("batch_independent", False))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        self.pad_id = int(meta.get("pad_id", 0))
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if not spin:  # threads that spin while waiting burn cores other workers need
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(path / meta.get("onnx", "model.onnx")), opts, providers=["CPUExecutionProvider"]
        )
        self.scheme = meta.get("scheme", "pair")
        self._lock = threading.Lock()

    @property
    def step(self) -> int:
        """Sequences per model call: ``batch_size`` where answers cannot depend on it, else 1."""
        return max(1, self.batch_size) if self.batch_independent else 1

    def _logits(self, queries: Sequence[PairQuery]) -> np.ndarray:
        if self.scheme == "claim":
            return self._claim_logits(queries)
        return self._pair_logits(queries)

    def _claim_logits(self, queries: Sequence[PairQuery]) -> np.ndarray:
        """Up to ``batch_size`` claims (groups of queries sharing text and actors) per model
        call, sorted by token length and padded to the longest of the call; each query reads the
        row of its own claim."""
        groups = claim_groups(queries)
        encs, src, tgt = [], [], []
        for g in groups:
            marked = mark_actors(g.text, g.spans)
            enc = self.tokenizer.encode(marked.text, add_special_tokens=True)
            tok = {sp: marker_token(enc, c) for sp, c in zip(g.spans, marked.open_chars)}
            d = g.offset
            encs.append(enc.ids)
            src.append(
                [tok[(queries[i].source[0] - d, queries[i].source[1] - d)] for i in g.queries]
            )
            tgt.append(
                [tok[(queries[i].target[0] - d, queries[i].target[1] - d)] for i in g.queries]
            )
        out = np.zeros((len(queries), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(groups)), key=lambda k: len(encs[k]))
        step = self.step
        for c in range(0, len(order), step):
            chunk = order[c : c + step]
            width = max(len(encs[k]) for k in chunk)
            ids = np.full((len(chunk), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            rows, s_ix, t_ix, where = [], [], [], []
            for r, k in enumerate(chunk):
                ids[r, : len(encs[k])] = encs[k]
                mask[r, : len(encs[k])] = 1
                rows += [r] * len(groups[k].queries)
                s_ix += src[k]
                t_ix += tgt[k]
                where += groups[k].queries
            feeds = {
                "input_ids": ids,
                "attention_mask": mask,
                "source_index": np.asarray(s_ix, dtype=np.int64),
                "target_index": np.asarray(t_ix, dtype=np.int64),
                "pair_row": np.asarray(rows, dtype=np.int64),
            }
            out[where] = self.session.run(["logits"], feeds)[0]
        return out

    def _pair_logits(self, queries: Sequence[PairQuery]) -> np.ndarray:
        marked = [mark(q.text, q.source, q.target) for q in queries]
        encs = self.tokenizer.encode_batch([m.text for m in marked], add_special_tokens=True)
        src = [marker_token(e, m.source_char) for e, m in zip(encs, marked)]
        tgt = [marker_token(e, m.target_char) for e, m in zip(encs, marked)]
        out = np.zeros((len(queries), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        step = self.step
        for k in range(0, len(order), step):
            chunk = order[k : k + step]
            width = max(len(encs[i].ids) for i in chunk)
            ids = np.full((len(chunk), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for r, i in enumerate(chunk):
                n = len(encs[i].ids)
                ids[r, :n] = encs[i].ids
                mask[r, :n] = 1
            feeds = {
                "input_ids": ids,
                "attention_mask": mask,
                "source_index": np.array([src[i] for i in chunk], dtype=np.int64),
                "target_index": np.array([tgt[i] for i in chunk], dtype=np.int64),
            }
            out[chunk] = self.session.run(["logits"], feeds)[0]
        return out

    def raw_logits(self, queries: Sequence[PairQuery]) -> np.ndarray:
        """The model's logits before the decision offsets (a teacher's targets in training)."""
        with self._lock:
            return self._logits(queries)

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        if not queries:
            return []
        with self._lock:
            logits = self._logits(queries)
        return softmax_scores(logits, self.bias)
