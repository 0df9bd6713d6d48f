"""Reader for the DSE directed-sentiment format (Park et al. 2021), for training and evaluation.

A row is ``sentence<TAB>p<TAB>q<TAB>label`` with both entities in [brackets]; labels are 0 neutral,
1 p positive toward q, 2 q positive toward p, 3 p negative toward q, 4 q negative toward p. Each row
yields two directed examples (p->q and q->p), which doubles the data and teaches the model that
direction matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stancestream.services.stance.queries import LABELS

# 5-way DSE label -> (stance of p toward q, stance of q toward p)
_DIRECTED = {
    0: ("neutral", "neutral"),
    1: ("support", "neutral"),
    2: ("neutral", "support"),
    3: ("oppose", "neutral"),
    4: ("neutral", "oppose"),
}


@dataclass(frozen=True)
class DseRow:
    text: str
    p: tuple[int, int]
    q: tuple[int, int]
    label: int


@dataclass(frozen=True)
class DirectedExample:
    text: str
    source: tuple[int, int]
    target: tuple[int, int]
    label: int  # index into LABELS
    row: int  # index of the DSE row it came from


def parse_row(line: str) -> DseRow | None:
    """Parse one line; None for rows whose brackets do not delimit exactly the two entities."""
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 4:
        return None
    sent, p, q, label = parts
    a0 = sent.find("[")
    a1 = sent.find("]", a0 + 1)
    b0 = sent.find("[", a1 + 1)
    b1 = sent.find("]", b0 + 1)
    if min(a0, a1, b0, b1) < 0:
        return None
    text = sent[:a0] + sent[a0 + 1 : a1] + sent[a1 + 1 : b0] + sent[b0 + 1 : b1] + sent[b1 + 1 :]
    p_span = (a0, a1 - 1)
    q_span = (b0 - 2, b1 - 3)
    if text[p_span[0] : p_span[1]] != p or text[q_span[0] : q_span[1]] != q:
        return None
    return DseRow(text, p_span, q_span, int(label))


def read_rows(path: str | Path) -> list[DseRow]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and (row := parse_row(line)) is not None:
                rows.append(row)
    return rows


def directed(rows: list[DseRow]) -> list[DirectedExample]:
    out = []
    for i, r in enumerate(rows):
        pq, qp = _DIRECTED[r.label]
        out.append(DirectedExample(r.text, r.p, r.q, LABELS.index(pq), i))
        out.append(DirectedExample(r.text, r.q, r.p, LABELS.index(qp), i))
    return out


def five_way(fwd: tuple[str, float], bwd: tuple[str, float]) -> int:
    """The evaluation's 5-way decision from the two directed answers (stance, its score)."""
    cands = []
    if fwd[0] != "neutral":
        cands.append((fwd[1], 1 if fwd[0] == "support" else 3))
    if bwd[0] != "neutral":
        cands.append((bwd[1], 2 if bwd[0] == "support" else 4))
    return max(cands)[1] if cands else 0


def macro_f1(gold: list[int], pred: list[int], k: int = 5) -> tuple[float, float]:
    """(macro-F1, accuracy) over k classes."""
    f1s = []
    for c in range(k):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / max(1, len(gold))
    return sum(f1s) / k, acc
