"""``stancestream analyze --text``: a block per article that a reader checks against the text,
with each support/oppose, the reading it came from and the claim it was read in (real spaCy and
the shipped stance model)."""

from __future__ import annotations

import io
import json

from stancestream.services.cli.analyze import run_analyze
from stancestream.shared.settings import Settings


def test_text_output_lists_each_stance_with_its_claim(tmp_path) -> None:
    art = {
        "id": "t1",
        "title": "A row in the Senate",
        "text": "Senator Elizabeth Warren accused Governor Greg Abbott of lying. "
        "Abbott met reporters in Austin on Monday.",
    }
    out = io.StringIO()
    code = run_analyze(
        Settings(data_dir=tmp_path), io.StringIO(json.dumps(art) + "\n"), out, text=True
    )
    assert code == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "== t1: A row in the Senate"
    # an actor with its Wikidata id where the shipped index links it, else its type
    assert (
        lines[1].startswith("   3 actors: Elizabeth Warren (Q")
        and "Greg Abbott (person)" in lines[1]
    )
    assert lines[2:] == [
        "   Elizabeth Warren -> Greg Abbott: oppose 1.00 (predicate: accuse)",
        '      "Senator Elizabeth Warren accused Governor Greg Abbott of lying."',
        "   1 support/oppose, 0 neutral pairs",
        "",
    ]
