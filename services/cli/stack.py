"""``stancestream up``: the whole pipeline on one machine, one process per service worker.

Starts the embedded Redis when no REDIS_URL is given, then each service as a child process
(``python -m stancestream service <name>``), restarts a child that dies, and on
SIGINT/SIGTERM/SIGHUP stops them in order, each step with a deadline: the workers (each drains its
batch; unfinished entries stay pending in Redis and are picked up on the next start), then the
worker serving the API, then Redis (AOF flushed), so nothing is lost and nobody loses Redis
mid-batch. Children and the embedded Redis run in process groups of their own, so a Ctrl-C in the
terminal reaches `up` alone and the order holds. One `up` per data dir (a lock file), one API per
stack (the first storage worker; the others only store), and children that die with `up` even when
it is killed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stancestream.services.storage.webserver import bind
from stancestream.shared.process import die_with_parent
from stancestream.shared.redis import EmbeddedRedis, RedisUnavailable, redact, resolve_redis_url
from stancestream.shared.settings import Settings

log = logging.getLogger("stancestream.up")

SERVICES = ("ingestion", "linking", "stance", "storage")
# two linking and two stance processes (stance of one thread each) on 2+ cores: with the
# reading deciding which pairs are scored, linking is most of the work (why: README, "Throughput")
_PAIR = 2 if (os.cpu_count() or 1) >= 2 else 1
DEFAULT_WORKERS = {"stance": _PAIR, "linking": _PAIR}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Child:
    service: str
    index: int
    proc: subprocess.Popen | None = None
    restarts: int = 0
    started: float = field(default=0.0)
    restart_at: float | None = None  # when a child that died is due to start again

    @property
    def label(self) -> str:
        return f"{self.service}#{self.index}"

    @property
    def log_name(self) -> str:
        """Its log file in ``<data dir>/logs``."""
        return f"{self.label.replace('#', '-')}.log"


class Stack:
    def __init__(self, settings: Settings, workers: dict[str, int]):
        self.settings = settings
        self.workers = {s: workers.get(s, DEFAULT_WORKERS.get(s, 1)) for s in SERVICES}
        self.embedded: EmbeddedRedis | None = None
        self.children: list[Child] = []
        self.redis_url = ""
        self._stopping = False

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["REDIS_URL"] = self.redis_url
        env["STANCESTREAM_DATA_DIR"] = str(self.settings.data_dir)
        env["DATABASE_URL"] = self.settings.db_url
        env["STANCESTREAM_STORAGE__PORT"] = str(self.settings.storage.port)
        env["STANCESTREAM_STORAGE__HOST"] = self.settings.storage.host
        env.setdefault("PYTHONUNBUFFERED", "1")
        # stance workers share the cores: one-query model calls use them better as processes
        threads = max(1, (os.cpu_count() or 1) // self.workers["stance"])
        env.setdefault("STANCESTREAM_STANCE__THREADS", str(threads))
        return env

    def _spawn(self, child: Child) -> None:
        logdir = self.settings.data_dir / "logs"
        logdir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "stancestream", "service", child.service]
        env = self._env()
        if child.service == "storage" and child.index > 0:
            env["STANCESTREAM_STORAGE__SERVE_API"] = "false"  # one API per stack
        with open(logdir / child.log_name, "ab") as out:
            # the child keeps its own copy of the descriptor; it gets SIGTERM if `up` dies
            # its own process group: a terminal's Ctrl-C goes to `up` only, which stops the
            # children in order
            child.proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
                process_group=0,
            )
        child.started = time.monotonic()
        log.info("started %s (pid %d), log %s", child.label, child.proc.pid, out.name)

    def preflight(self) -> str | None:
        """Why this stack cannot start here (port taken, data dir in use), or None."""
        host, port = self.settings.storage.host, self.settings.storage.port
        # bound the way the API will bind it (SO_REUSEADDR): sockets of a stopped stack left in
        # TIME_WAIT do not count as taken, a listening one does
        try:
            bind(host, port).close()
        except OSError as exc:
            why = os.strerror(exc.errno) if exc.errno else str(exc)
            return f"the API port {host}:{port} is in use ({why}); pick --port N"
        if not self.settings.redis_url:
            try:
                url = resolve_redis_url(self.settings)
            except RedisUnavailable:
                return None
            return (
                f"a stack already runs with data dir {self.settings.data_dir} (Redis at {url}); "
                "stop it first or use another --data-dir"
            )
        return None

    def start(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        if self.settings.redis_url:
            self.redis_url = self.settings.redis_url
        else:
            self.embedded = EmbeddedRedis(self.settings.data_dir, tied=True)
            self.redis_url = self.embedded.start()
        log.info("Redis: %s", redact(self.redis_url))
        # storage first: it owns the database migrations; the API comes from the first one only
        for service in ("storage", "linking", "stance", "ingestion"):
            for i in range(self.workers[service]):
                child = Child(service, i)
                self.children.append(child)
                self._spawn(child)

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Until the API answers /health (storage migrated, consuming) or ``timeout``."""
        url = f"http://{self.settings.storage.host}:{self.settings.storage.port}/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._stopping:
            self.supervise()
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        return False

    def supervise(self) -> None:
        """Restart the embedded Redis and children that died (growing delay if they keep dying)."""
        if (
            self.embedded
            and not self._stopping
            and self.embedded.proc
            and self.embedded.proc.poll() is not None
        ):
            log.warning(
                "embedded Redis exited with code %s; restarting it from its AOF",
                self.embedded.proc.returncode,
            )
            self.embedded.start()
        now = time.monotonic()
        for child in self.children:
            if self._stopping or child.proc is None:
                continue
            if child.restart_at is not None:
                if now >= child.restart_at:  # its back-off is over
                    child.restart_at = None
                    self._spawn(child)
                continue
            if child.proc.poll() is None:
                continue
            code = child.proc.returncode
            quick = now - child.started < 10
            child.restarts = child.restarts + 1 if quick else 0
            delay = min(30.0, 0.5 * 2**child.restarts) if quick else 0.0
            log.warning(
                "%s exited with code %s; restarting in %.1fs (see its log)",
                child.label,
                code,
                delay,
            )
            # no sleeping here: the others and the embedded Redis are supervised meanwhile
            child.restart_at = now + delay

    @property
    def stopping(self) -> bool:
        return self._stopping

    def handle_signals(self, signals: tuple[int, ...] = STOP_SIGNALS) -> None:
        """Turn ``signals`` into a stop request (before :meth:`start`, so a Ctrl-C during
        start-up stops the stack the same orderly way)."""

        def _stop(signum, _frame):
            self._stopping = True

        for s in signals:
            signal.signal(s, _stop)

    def run_forever(self) -> None:
        """Supervise until a stop is requested (see :meth:`handle_signals`)."""
        while not self._stopping:
            self.supervise()
            time.sleep(0.2)

    def stop(self, workers_s: float = 30.0, api_s: float = 15.0, redis_s: float = 10.0) -> None:
        """Stop the workers, then the API, then the embedded Redis, each within its deadline
        (a child past it is killed; its unacked entries stay pending for the next start)."""
        self._stopping = True
        api = [c for c in self.children if c.service == "storage" and c.index == 0]
        log.info("stopping: the workers, then the API, then Redis")
        self._stop_children([c for c in self.children if c not in api], workers_s)
        self._stop_children(api, api_s)
        if self.embedded:
            self.embedded.stop(redis_s)
        log.info("stopped")

    def _stop_children(self, children: list[Child], timeout: float) -> None:
        running = [c for c in children if c.proc and c.proc.poll() is None]
        for child in running:
            child.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        for child in running:
            assert child.proc is not None
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0fs; killing it", child.label, timeout)
                child.proc.kill()
                child.proc.wait()


class DataDirLock:
    """An exclusive lock on ``<data dir>/up.lock`` for the life of one `up`: two stacks started
    at the same instant on one data dir cannot both run (the port check alone races)."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "up.lock"
        self._fh: Any = None

    def acquire(self) -> str | None:
        """None when held now, else why not."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held open while the stack runs
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            owner = fh.read().strip() or "another process"
            fh.close()
            return (
                f"a stack already runs with data dir {self.path.parent} ({owner}); "
                "stop it first or use another --data-dir"
            )
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh
        return None

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def parse_workers(items: list[str]) -> dict[str, int]:
    """``["stance=2", "linking=2"]`` -> {"stance": 2, "linking": 2}; clear error on bad input."""
    out: dict[str, int] = {}
    for item in items:
        name, _, n = item.partition("=")
        if name not in SERVICES or not n.isdigit() or int(n) < 1:
            raise ValueError(
                f"--workers expects SERVICE=N with SERVICE in {SERVICES}, got {item!r}"
            )
        out[name] = int(n)
    return out
