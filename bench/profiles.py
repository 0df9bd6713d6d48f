"""py-spy profiles of the stack's worker processes while the pipeline bench runs.

``Profiles.start(procs, out)`` attaches one ``py-spy record`` (raw, collapsed stacks) to each
worker; ``stop()`` ends them and ``summary()`` gives, per stage, the share of busy samples spent
in each place of our code (with the library it called there). Busy: a sample in which
the worker's thread runs our code or a library's, not the event loop waiting for Redis. The raw
files stay in ``out`` for a flame graph (``flamegraph.pl`` or speedscope read them).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_IDLE = ("EpollSelector.select (selectors.py", "select (selectors.py", "wait (threading.py")


@dataclass
class Profiles:
    out: Path
    rate: int = 100
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, pids: dict[str, int]) -> None:
        """One py-spy per worker process (``label -> pid``); SystemExit without py-spy."""
        exe = shutil.which("py-spy")
        if exe is None:
            raise SystemExit("--profile needs py-spy: pip install py-spy")
        self.out.mkdir(parents=True, exist_ok=True)
        for label, pid in pids.items():
            cmd = [exe, "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw"]
            cmd += ["--nonblocking", "--output", str(self.out / f"{_safe(label)}.txt")]
            self.running[label] = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        time.sleep(1.0)  # py-spy attaches before the first article goes out

    def stop(self) -> None:
        for p in self.running.values():
            p.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for p in self.running.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()

    def summary(self, top: int = 8) -> list[str]:
        """Per stage (workers of a stage pooled): its busy samples and the ``top`` places of our
        code they were in, each with the library its time went to ("ParseCache.docs
        (linking/nlp.py) -> spacy": our function, and the package of the innermost frame)."""
        places: dict[str, Counter[str]] = {}
        busy: Counter[str] = Counter()
        for label in self.running:
            path = self.out / f"{_safe(label)}.txt"
            if not path.exists():
                continue
            stage = label.split("#")[0]
            at = places.setdefault(stage, Counter())
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                stack, _, count = line.rpartition(" ")
                frames = [f for f in stack.split(";") if f.strip()]
                if not frames or not count.isdigit() or frames[-1].startswith(_IDLE):
                    continue
                busy[stage] += int(count)
                at[_place(frames)] += int(count)
        lines = []
        for stage, at in sorted(places.items()):
            n = busy[stage] or 1
            lines.append(f"profile {stage}: {busy[stage]} busy samples")
            for place, c in at.most_common(top):
                lines.append(f"  {c / n:6.1%} {place}")
        return lines


def _place(frames: list[str]) -> str:
    """The innermost frame of our code (function and file, no line), and the package of the
    innermost frame where that is not ours."""
    ours = [i for i, f in enumerate(frames) if "stancestream/" in f]
    if not ours:
        return f"(outside our code) -> {_package(frames[-1])}"
    f = frames[ours[-1]]
    name, _, where = f.partition(" (")
    file = where.split("stancestream/", 1)[-1].rsplit(":", 1)[0].removeprefix("services/")
    leaf = "" if ours[-1] == len(frames) - 1 else f" -> {_package(frames[-1])}"
    return f"{name} ({file}){leaf}"


def _package(frame: str) -> str:
    where = frame.partition(" (")[2].rstrip(")")
    return where.split("/", 1)[0].split(".", 1)[0] or frame[:40]


def _safe(label: str) -> str:
    return label.replace("#", "-").replace("/", "_")
