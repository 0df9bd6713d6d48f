"""Score the directed stance of a source actor toward a target actor: the API the service uses.

``load_scorer(model)`` loads once and returns a scorer whose ``score(queries)`` is thread-safe
within one process. ``model`` is a shipped model — ``None`` / ``"shipped"`` / ``"claim"``: v2, one
encoder pass per claim (the default); ``"pair"``: v1, one pass per directed pair, about three
macro-F1 points better on DSE and several times slower on claims with many actors — a local
directory, or a Hugging Face model id:

- a directory with ``stance.json`` of format ``onnx``: the shipped runtime (ONNX Runtime int8 +
  ``tokenizers``; no PyTorch needed);
- a directory with ``stance.json`` of format ``torch``: the output of ``stancestream stance train``
  before export (needs the ``[train]`` extra);
- any other directory or hub id: a natural-language-inference model used zero-shot with templates
  (see ``nli.py``; needs the ``[train]`` extra and, for a hub id, the internet).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from stancestream.services.stance.markers import mark, mark_actors, marker_token

SHIPPED_MODEL = Path(__file__).parent / "model"  # v2, claim scheme: the default
SHIPPED_PAIR_MODEL = Path(__file__).parent / "model-pair"  # v1, pair scheme: slower, more accurate
LABELS = ("support", "oppose", "neutral")
# claim scheme: texts longer than this are cut to a window around each pair instead of being
# encoded whole (the model reads at most max_length tokens)
CLAIM_WINDOW_CHARS = 600


class ModelLoadError(RuntimeError):
    """The model named by ``--model`` / ``STANCE_MODEL`` cannot be loaded; the message says why."""


@dataclass(frozen=True)
class PairQuery:
    """One directed query: spans are [start, end) character offsets into ``text``.

    ``context`` lists the other actors of the claim. Claim-scheme models mark them all and score
    every query with the same text and actors from one encoder pass; the answer to a query depends
    on the query alone (its text, pair and context), never on what else is in the batch.
    """

    text: str
    source: tuple[int, int]
    target: tuple[int, int]
    context: tuple[tuple[int, int], ...] = ()

    def validate(self) -> None:
        """Raise ValueError with a readable reason when the query cannot be scored."""
        if not self.text or not self.text.strip():
            raise ValueError("text is empty")
        n = len(self.text)
        for name, (s, e) in (("source", self.source), ("target", self.target)):
            if not (0 <= s < e <= n):
                raise ValueError(f"{name} span [{s}, {e}] is outside the text (length {n})")
        (s0, s1), (t0, t1) = self.source, self.target
        if s0 < t1 and t0 < s1:
            raise ValueError("source and target spans overlap")


@dataclass(frozen=True)
class StanceScore:
    stance: str  # support | oppose | neutral
    scores: dict[str, float]  # the three probabilities, summing to 1


class StanceScorer(Protocol):
    name: str

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]: ...


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def actor_spans(q: PairQuery) -> tuple[tuple[int, int], ...]:
    """The spans a claim-scheme model marks for ``q``: its pair and the context spans that lie
    inside the text and overlap no span kept before them; sorted."""
    kept = [q.source, q.target]
    for sp in q.context:
        if 0 <= sp[0] < sp[1] <= len(q.text) and not any(_overlaps(sp, k) for k in kept):
            kept.append(sp)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class ClaimGroup:
    """Queries answered by one encoder pass: ``text`` is ``queries[i].text[offset:]`` cut to
    its length, ``spans`` (relative to ``text``) are the actors it marks."""

    text: str
    offset: int
    spans: tuple[tuple[int, int], ...]
    queries: list[int]


def claim_groups(queries: Sequence[PairQuery]) -> list[ClaimGroup]:
    """Group queries that share text and marked actors. A text longer than the model reads is
    cut to a window around each pair instead, so each of its queries gets a pass of its own."""
    groups: dict[tuple, ClaimGroup] = {}
    for i, q in enumerate(queries):
        spans = actor_spans(q)
        if len(q.text) <= CLAIM_WINDOW_CHARS:
            groups.setdefault((q.text, spans), ClaimGroup(q.text, 0, spans, [])).queries.append(i)
            continue
        lo = max(0, min(q.source[0], q.target[0]) - CLAIM_WINDOW_CHARS // 3)
        hi = min(len(q.text), max(q.source[1], q.target[1]) + CLAIM_WINDOW_CHARS // 3)
        inside = tuple((a - lo, b - lo) for a, b in spans if a >= lo and b <= hi)
        groups[(i,)] = ClaimGroup(q.text[lo:hi], lo, inside, [i])
    return list(groups.values())


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


class OnnxStanceScorer:
    """The shipped runtime: int8 ONNX, ``tokenizers``, length-sorted dynamic-padding batches.

    ``batch_size`` is the most sequences per model call (claims for the claim scheme, pairs for
    the pair scheme), sorted by token length and padded to the longest of the call. A model
    whose ``stance.json`` says ``batch_independent`` (fixed activation scales: ``requantize.py``)
    answers every query the same whatever else is in the call. Older exports quantise
    activations dynamically, per call, so a query's scores would move with its batch-mates (for
    ~1% of DSE queries by more than 0.3); they run one sequence per call whatever
    ``batch_size`` says, so every answer stays a function of its query alone (the same claim
    must get the same stance whether scored by the service or by ``analyze``).
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

    def score(self, queries: Sequence[PairQuery]) -> list[StanceScore]:
        if not queries:
            return []
        with self._lock:
            logits = self._logits(queries)
        return softmax_scores(logits, self.bias)


class TorchStanceScorer:
    """A ``stance train`` checkpoint in PyTorch (bf16 autocast), for comparison and debugging."""

    def __init__(self, path: Path, batch_size: int = 64, bf16: bool | None = None):
        import torch

        from stancestream.services.stance.train import load_torch

        self.torch = torch
        self.model, self.tokenizer, self.meta = load_torch(path)
        self.name = path.name
        if bf16 is None:
            from stancestream.services.stance.train import bf16_native

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


def load_scorer(
    model: str | Path | None = None, batch_size: int = 1, threads: int = 0, spin: bool = True
) -> StanceScorer:
    """Load the scorer named by ``model`` (see the module docstring); raise ModelLoadError."""
    shipped = {"shipped": SHIPPED_MODEL, "default": SHIPPED_MODEL, "claim": SHIPPED_MODEL}
    shipped |= {"pair": SHIPPED_PAIR_MODEL}
    if model in (None, "") or str(model) in shipped:
        path = shipped.get(str(model), SHIPPED_MODEL)
        if not (path / "stance.json").exists():
            raise ModelLoadError(f"the shipped stance model is missing from {path}; reinstall")
    else:
        path = Path(str(model)).expanduser()
    try:
        if (path / "stance.json").exists():
            fmt = json.loads((path / "stance.json").read_text()).get("format")
            if fmt == "onnx":
                return OnnxStanceScorer(path, batch_size, threads, spin)
            if fmt == "torch":
                return TorchStanceScorer(path, batch_size=batch_size)
            raise ModelLoadError(f"{path}/stance.json has unknown format {fmt!r}")
        from stancestream.services.stance.nli import NliStanceScorer

        return NliStanceScorer(str(model), batch_size=batch_size)
    except ModelLoadError:
        raise
    except ImportError as exc:
        raise ModelLoadError(
            f"model {model!r} needs an optional dependency ({exc.name}); "
            "install the training extra: pip install -e '.[train]'"
        ) from exc
    except Exception as exc:  # any loader failure becomes one clear message
        raise ModelLoadError(f"cannot load stance model {model!r}: {exc}") from exc
