"""``analyze`` on bad input lines: each is refused with its line number and reason, never with
a traceback (JSON nested too deep, integers too long, not an object, no text)."""

from __future__ import annotations

import pytest

from stancestream.services.cli.analyze import BadArticle, parse_article


@pytest.mark.parametrize(
    "line,reason",
    [
        ("not json", "line 3: not JSON (Expecting value at column 1)"),
        ("[" * 100_000 + "]" * 100_000, "line 3: not JSON StanceStream reads: nested too deep"),
        ('{"text": "a", "n": ' + "9" * 5000 + "}", "line 3: not JSON StanceStream reads: Exceeds"),
        ('["a list"]', "line 3: expected a JSON object, got list"),
        ('{"text": "  "}', "line 3: 'text' must be a non-empty string"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_and_reason(line: str, reason: str) -> None:
    with pytest.raises(BadArticle) as err:
        parse_article(3, line, max_chars=1000)
    assert str(err.value).startswith(reason)


def test_a_good_line_is_an_article() -> None:
    art = parse_article(1, '{"id": "x1", "text": "Merkel praised Macron."}', max_chars=1000)
    assert (art.id, art.text) == ("x1", "Merkel praised Macron.")
