"""``stancestream stance score`` keeps the JSONL contract of ../shared/tools/eval_dse.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CMD = [sys.executable, "-m", "stancestream", "stance", "score"]


def run(stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        CMD + list(args), input=stdin, capture_output=True, text=True, timeout=120
    )


def line(i, text, src, tgt):
    s, t = text.index(src), text.index(tgt)
    return json.dumps(
        {"id": i, "text": text, "source": [s, s + len(src)], "target": [t, t + len(tgt)]}
    )


TEXT = "Senator Warren sharply condemned Governor Abbott for the new border policy."


def test_round_trip_one_answer_per_query_in_order():
    queries = [
        line(f"q{i}", TEXT, "Senator Warren", "Governor Abbott")
        if i % 2 == 0
        else line(f"q{i}", TEXT, "Governor Abbott", "Senator Warren")
        for i in range(7)
    ]
    proc = run("\n".join(queries) + "\n")
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [a["id"] for a in answers] == [f"q{i}" for i in range(7)]
    for a in answers:
        assert a["stance"] in {"support", "oppose", "neutral"}
        assert abs(sum(a["scores"].values()) - 1) < 1e-4
    assert answers[0]["stance"] == "oppose"
    assert answers[1]["stance"] == "neutral"


def test_files_in_and_out(tmp_path):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text(line("a", TEXT, "Senator Warren", "Governor Abbott") + "\n")
    proc = subprocess.run(
        CMD + ["--input", str(src), "--output", str(dst)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(dst.read_text())["id"] == "a"


@pytest.mark.parametrize(
    "bad,reason",
    [
        ("this is not json", "line 2: not JSON"),
        ("[" * 100_000 + "]" * 100_000, "line 2: not JSON StanceStream reads: nested too deep"),
        ('{"id": ' + "9" * 5000 + "}", "line 2: not JSON StanceStream reads: Exceeds the limit"),
        ("[1, 2]", "line 2: expected a JSON object, got list"),
        ('{"id": 1, "text": "", "source": [0, 1], "target": [1, 2]}', "line 2: text is empty"),
        (
            '{"id": 1, "text": "Alice and Bob", "source": [0, 5], "target": [10, 99]}',
            "line 2: target span [10, 99] is outside the text",
        ),
        ('{"id": 1, "source": [0, 5], "target": [10, 13]}', "line 2: missing field 'text'"),
        (
            '{"id": 1, "text": "Alice and Bob", "source": "Alice", "target": [10, 13]}',
            "line 2: source/target must be",
        ),
        (
            '{"id": 1, "text": "Alice and Bob", "source": [0, 5], "target": [10, 13], '
            '"context": ["Bob"]}',
            "line 2: context must be a list of [start, end] integers",
        ),
    ],
)
def test_bad_line_is_named_and_fails(bad, reason):
    good = line("ok", TEXT, "Senator Warren", "Governor Abbott")
    proc = run(f"{good}\n{bad}\n{good}\n")
    assert proc.returncode == 2
    assert reason in proc.stderr
    assert proc.stdout == ""  # nothing is scored when the input is bad


def test_skip_bad_reports_and_continues():
    good = line("ok", TEXT, "Senator Warren", "Governor Abbott")
    proc = run(f"{good}\nnot json\n{good}\n", "--skip-bad")
    assert proc.returncode == 0
    assert "skipped: line 2: not JSON" in proc.stderr
    assert [json.loads(x)["id"] for x in proc.stdout.splitlines()] == ["ok", "ok"]


def test_missing_model_path_is_a_clear_error(tmp_path):
    proc = run(
        line("a", TEXT, "Senator Warren", "Governor Abbott") + "\n",
        "--model",
        str(tmp_path / "nope"),
    )
    assert proc.returncode == 3
    assert "cannot load stance model" in proc.stderr
