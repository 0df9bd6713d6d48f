"""NewsMTSC targets as speaker questions (stance model v3).

NewsMTSC (Hamborg & Donnay, EACL 2021) gives news sentences with a target mention and the
sentiment the sentence expresses toward it (2 negative, 4 neutral, 6 positive). The pipeline's
most frequent question is a speaker's stance toward an actor of their quote, asked as
``<speaker> said: <quote>`` with both marked (``stancestream.services.stance.pairs``); a
NewsMTSC sentence put in a speaker's mouth asks exactly that, with news sentences' mood, so the
model sees many quotes that name an actor without holding a stance toward them ("neutral").
The speaker names are invented: the model must read the quote, not the name.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from stancestream.services.stance.queries import LABELS
from stancestream.services.stance.training.pipeline_data import PipelineClaim

_LABEL = {2.0: "oppose", 4.0: "neutral", 6.0: "support"}
SPEAKERS = (
    "Dana Whitfield",
    "Omar Castellanos",
    "Priya Natarajan",
    "Henrik Solberg",
    "Grace Okonkwo",
    "Luis Ferreira",
    "Mei Tanaka",
    "Tomasz Nowicki",
    "Amara Diallo",
    "Colin Bramwell",
)


def newsmtsc_claims(path: Path, limit: int = 0, seed: int = 13) -> list[PipelineClaim]:
    """One speaker claim per NewsMTSC target (all of a sentence's targets marked, each asked
    once), at most ``limit`` targets (0: all), sampled with ``seed``."""
    rng = random.Random(seed)
    out: list[PipelineClaim] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            text = row["sentence_normalized"]
            targets: list[dict] = []
            for t in row["targets"]:  # markers may not overlap: the first of overlapping ones
                ok = t["polarity"] in _LABEL and 0 <= t["from"] < t["to"] <= len(text)
                if ok and not any(t["from"] < u["to"] and u["from"] < t["to"] for u in targets):
                    targets.append(t)
            if not targets:
                continue
            name = rng.choice(SPEAKERS)
            prefix = f"{name} said: "
            spans = ((0, len(name)),) + tuple(
                (len(prefix) + t["from"], len(prefix) + t["to"]) for t in targets
            )
            pairs = tuple(
                (0, i + 1, LABELS.index(_LABEL[t["polarity"]])) for i, t in enumerate(targets)
            )
            out.append(PipelineClaim(prefix + text, spans, pairs))
    rng.shuffle(out)
    if limit:
        kept, n = [], 0
        for c in out:
            if n >= limit:
                break
            kept.append(c)
            n += len(c.pairs)
        out = kept
    return out
