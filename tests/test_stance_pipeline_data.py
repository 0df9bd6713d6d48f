"""Training pairs shaped like the pipeline's questions (stance model v3): the labels they get."""

from __future__ import annotations

from stancestream.services.stance.queries import LABELS
from stancestream.services.stance.training.dse import DseRow
from stancestream.services.stance.training.pipeline_data import pipeline_claims


def _row(text: str, p: str, q: str, label: int) -> DseRow:
    return DseRow(
        text,
        (text.index(p), text.index(p) + len(p)),
        (text.index(q), text.index(q) + len(q)),
        label,
    )


def _labels(claims) -> dict[tuple[str, str], str]:
    out = {}
    for c in claims:
        for s, t, lab in c.pairs:
            src, tgt = c.spans[s], c.spans[t]
            out[(c.text[src[0] : src[1]], c.text[tgt[0] : tgt[1]])] = LABELS[lab]
    return out


def test_the_pair_the_pipeline_asks_about_gets_the_annotated_direction() -> None:
    text = "Senator Elizabeth Warren said Governor Greg Abbott had failed Texas."
    got = _labels(
        pipeline_claims([_row(text, "Elizabeth Warren", "Greg Abbott", 3)], log=lambda m: None)
    )
    assert got[("Elizabeth Warren", "Greg Abbott")] == "oppose"


def test_a_sentence_annotated_twice_labels_each_pair_from_its_own_row() -> None:
    """DSE gives one entity pair a row; a pair another row of the same sentence annotates is
    not "no stance"."""
    text = "Angela Merkel said Emmanuel Macron and Joe Biden were wrong."
    rows = [
        _row(text, "Angela Merkel", "Emmanuel Macron", 3),
        _row(text, "Angela Merkel", "Joe Biden", 0),
    ]
    got = _labels(pipeline_claims(rows, log=lambda m: None))
    assert got[("Angela Merkel", "Emmanuel Macron")] == "oppose"
    assert got[("Angela Merkel", "Joe Biden")] == "neutral"
    assert len([k for k in got if k[0] == "Angela Merkel"]) == 2  # the sentence is asked once
