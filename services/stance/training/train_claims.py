"""Fine-tune the claim-scheme stance classifier: one encoder pass scores all actor pairs of a claim.

The pair scheme (``train.py``) marks one source and one target per input, so a claim with n actors
costs n(n-1) encoder passes. Here every actor is wrapped in the same ``@ … @`` marker and the head
reads the source's and the target's opening markers, so one pass yields all n(n-1) directed
stances. DSE annotates two entities per sentence; to teach the model that a marked actor is not
necessarily one of the pair, half of the training sentences also mark the other named entities
spaCy finds in them (people, organisations, countries, groups), as the pipeline does with all the
actors of a claim. Selection and calibration use valid with only the two entities marked, which is
what ``eval_dse.py`` asks.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import numpy as np
import torch

from stancestream.services.stance.markers import mark_actors, marker_token
from stancestream.services.stance.queries import LABELS
from stancestream.services.stance.torch_model import PairStanceClassifier
from stancestream.services.stance.training.dse import _DIRECTED, DseRow
from stancestream.services.stance.training.train import TrainConfig, fit, load_base, start_run

EXTRA_LABELS = {"PERSON", "ORG", "GPE", "NORP"}


def extra_actor_spans(rows: list[DseRow]) -> list[list[tuple[int, int]]]:
    """Named entities of each sentence that overlap neither annotated entity."""
    from stancestream.services.linking.nlp import load_nlp

    nlp = load_nlp()
    out = []
    with nlp.select_pipes(enable=["tok2vec", "ner"]):
        for row, doc in zip(rows, nlp.pipe((r.text for r in rows), batch_size=256)):
            taken = [row.p, row.q]
            spans = []
            for ent in doc.ents:
                sp = (ent.start_char, ent.end_char)
                if ent.label_ in EXTRA_LABELS and all(sp[1] <= a or sp[0] >= b for a, b in taken):
                    spans.append(sp)
                    taken.append(sp)
            out.append(spans)
    return out


def encode_rows(tokenizer, rows: list[DseRow], extras: list[list[tuple[int, int]]], max_length):
    """Token ids per sentence and its two directed pairs (source token, target token, label)."""
    ids, pairs = [], []
    for row, extra in zip(rows, extras):
        marked = mark_actors(row.text, [row.p, row.q, *extra])
        enc = tokenizer(marked.text, truncation=True, max_length=max_length)
        p_tok = marker_token(enc, marked.open_chars[0])
        q_tok = marker_token(enc, marked.open_chars[1])
        pq, qp = _DIRECTED[row.label]
        ids.append(enc["input_ids"])
        pairs.append([(p_tok, q_tok, LABELS.index(pq)), (q_tok, p_tok, LABELS.index(qp))])
    return ids, pairs


def encode_pipeline(tokenizer, claims, max_length):
    """Token ids and (source token, target token, label) pairs of pipeline-shaped claims."""
    ids, pairs = [], []
    for c in claims:
        marked = mark_actors(c.text, c.spans)
        enc = tokenizer(marked.text, truncation=True, max_length=max_length)
        tok = [marker_token(enc, ch) for ch in marked.open_chars]
        ids.append(enc["input_ids"])
        pairs.append([(tok[s], tok[t], lab) for s, t, lab in c.pairs])
    return ids, pairs


def claim_batches(
    ids,
    pairs,
    batch_size: int,
    rng: random.Random | None,
    pad_id: int,
    gold5=None,
    teacher: np.ndarray | None = None,
):
    """Length-bucketed sentence batches (shuffled when ``rng`` is given) with their pairs, and
    for sentences with a 5-way label in ``gold5`` the rows of their p->q and q->p pairs, the
    labels and (with ``teacher``, logits per sentence) the teacher's logits for the two."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    if rng is not None:
        window = batch_size * 50
        windows = [order[i : i + window] for i in range(0, len(order), window)]
        for w in windows:
            rng.shuffle(w)
        order = [i for w in windows for i in sorted(w, key=lambda i: len(ids[i]))]
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(chunks)
    for chunk in chunks:
        width = max(len(ids[i]) for i in chunk)
        x = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        m = torch.zeros((len(chunk), width), dtype=torch.long)
        row: list[int] = []
        src: list[int] = []
        tgt: list[int] = []
        y: list[int] = []
        where: list[int] = []
        pq_rows: list[int] = []
        qp_rows: list[int] = []
        y5: list[int] = []
        taught: list[int] = []
        for r, i in enumerate(chunk):
            if gold5 is not None and gold5[i] is not None:
                pq_rows.append(len(y))
                qp_rows.append(len(y) + 1)
                y5.append(gold5[i])
                taught.append(i)
            x[r, : len(ids[i])] = torch.tensor(ids[i])
            m[r, : len(ids[i])] = 1
            for k, (s, t, lab) in enumerate(pairs[i]):
                row.append(r)
                src.append(s)
                tgt.append(t)
                y.append(lab)
                where.append(2 * i + k)
        yield (
            where,
            x,
            m,
            torch.tensor(row),
            torch.tensor(src),
            torch.tensor(tgt),
            torch.tensor(y),
            (
                torch.tensor(pq_rows, dtype=torch.long),
                torch.tensor(qp_rows, dtype=torch.long),
                torch.tensor(y5, dtype=torch.long),
                torch.tensor(teacher[taught]) if teacher is not None else torch.zeros(0, 2, 3),
            ),
        )


@torch.no_grad()
def predict(model, ids, pairs, bf16: bool, pad_id: int) -> np.ndarray:
    """Logits for every pair, rows in p->q, q->p order per sentence (what ``evaluate`` reads)."""
    model.eval()
    out = np.zeros((2 * len(ids), len(LABELS)), dtype=np.float32)
    for where, x, m, row, s, t, _, _ in claim_batches(ids, pairs, 128, None, pad_id):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x, m, s, t, row)
        out[where] = logits.float().numpy()
    model.train()
    return out


def teacher_logits(cfg: TrainConfig, rows: list[DseRow], log) -> np.ndarray:
    """The teacher's raw logits for each train sentence's p->q and q->p (n, 2, 3), with the two
    entities marked as ``eval_dse.py`` asks; cached in the run folder."""
    from stancestream.services.stance.backends.onnx import OnnxStanceScorer
    from stancestream.services.stance.queries import PairQuery
    from stancestream.services.stance.scorer import SHIPPED_PAIR_MODEL

    cache = Path(cfg.out) / "teacher-logits.npy"
    if cache.exists():
        return np.load(cache)
    t0 = time.time()
    scorer = OnnxStanceScorer(SHIPPED_PAIR_MODEL if cfg.teacher == "pair" else Path(cfg.teacher))
    queries = [q for r in rows for q in (PairQuery(r.text, r.p, r.q), PairQuery(r.text, r.q, r.p))]
    out = []
    for i in range(0, len(queries), 512):
        out.append(scorer.raw_logits(queries[i : i + 512]))
        log(f"teacher {cfg.teacher}: {min(i + 512, len(queries))}/{len(queries)} pairs")
    logits = np.concatenate(out).reshape(len(rows), 2, len(LABELS)).astype(np.float32)
    np.save(cache, logits)
    log(f"teacher logits for {len(rows)} sentences ({time.time() - t0:.0f}s)")
    return logits


def train_claims(cfg: TrainConfig, extra_share: float = 0.5) -> dict:

    log, train_rows, valid_rows = start_run(cfg, f"claim scheme, extra_share={extra_share}; ")
    t0 = time.time()
    found = extra_actor_spans(train_rows)
    pick = random.Random(cfg.seed + 1)
    extras = [sp if pick.random() < extra_share else [] for sp in found]
    n_marked = sum(1 for e in extras if e)
    log(
        f"rows train={len(train_rows)} valid={len(valid_rows)}; {n_marked} training sentences "
        f"mark {sum(map(len, extras))} extra actors (spaCy, {time.time() - t0:.0f}s)"
    )

    tokenizer, encoder = load_base(cfg)
    model = PairStanceClassifier(encoder, encoder.config.hidden_size, len(LABELS))
    pad_id = tokenizer.pad_token_id or 0

    tr_ids, tr_pairs = encode_rows(tokenizer, train_rows, extras, cfg.max_length)
    # each DSE sentence's two pairs come p->q, q->p: the joint 5-way term reads them together
    tr_gold5: list[int | None] = [r.label for r in train_rows]
    teacher = teacher_logits(cfg, train_rows, log) if cfg.teacher and cfg.distill else None

    def add_claims(kind: str, claims, since: float) -> None:
        """Pipeline-shaped claims (no 5-way label) join the training set, counted in the log."""
        ids, pairs = encode_pipeline(tokenizer, claims, cfg.max_length)
        counts = np.bincount([lab for ps in pairs for *_, lab in ps], minlength=len(LABELS))
        log(
            f"{kind}: {len(claims)} with {int(counts.sum())} pairs "
            f"{dict(zip(LABELS, counts.tolist()))} ({time.time() - since:.0f}s)"
        )
        tr_ids.extend(ids)
        tr_pairs.extend(pairs)
        tr_gold5.extend([None] * len(ids))

    if cfg.pipeline_pairs:
        from stancestream.services.stance.training.pipeline_data import cached_pipeline_claims

        t1 = time.time()
        claims = cached_pipeline_claims(
            train_rows,
            Path(cfg.out) / "pipeline-claims.json",
            log,
            unannotated=cfg.pipeline_unannotated,
        )
        add_claims("pipeline-shaped claims", claims, t1)
    if cfg.newsmtsc:
        from stancestream.services.stance.training.newsmtsc import newsmtsc_claims

        t1 = time.time()
        add_claims(
            "NewsMTSC speaker claims",
            newsmtsc_claims(Path(cfg.newsmtsc), cfg.newsmtsc_max, cfg.seed),
            t1,
        )
    va_ids, va_pairs = encode_rows(tokenizer, valid_rows, [[]] * len(valid_rows), cfg.max_length)
    # cfg.batch_size counts directed pairs, as in the pair scheme: half as many sentences
    sent_batch = max(1, cfg.batch_size // 2)

    def epoch_batches(rng: random.Random):
        for _, x, m, row, s, t, y, joint in claim_batches(
            tr_ids, tr_pairs, sent_batch, rng, pad_id, tr_gold5, teacher
        ):
            yield (x, m, s, t, row), y, joint

    return fit(
        model,
        tokenizer,
        cfg,
        log,
        epoch_batches,
        steps_per_epoch=math.ceil(len(tr_ids) / sent_batch),
        labels=[lab for ps in tr_pairs for _, _, lab in ps],
        valid_logits=lambda: predict(model, va_ids, va_pairs, bool(cfg.bf16), pad_id),
        gold5=[r.label for r in valid_rows],
        scheme="claim",
        gold5_train=[r.label for r in train_rows],
    )
