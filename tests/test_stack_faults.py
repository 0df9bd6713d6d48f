"""`up` and its workers under the faults the red-team run found: workers racing on the migration,
two stacks on one data dir, several storage workers on one API port, a supervisor that slept while
restarting, children outliving a killed `up`. Real processes, real Redis and databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from stancestream.services.cli.stack import Child, DataDirLock, Stack
from stancestream.services.storage.db import create_engine
from stancestream.services.storage.service import make_spec
from stancestream.shared.service import running
from stancestream.shared.settings import Settings, StorageSettings, WorkerSettings
from tests.stack_helpers import (
    ROOT,
    free_port,
    own_stack_env,
    stancestream,
    up_command,
    wait_for,
    wait_until,
)
from tests.storage_fixtures import PgDatabase, _pg_admin, pg_database  # noqa: F401

pytestmark = pytest.mark.integration

MIGRATE = "; ".join(
    [
        "import asyncio, sys",
        "from stancestream.services.storage.db import migrate",
        "asyncio.run(migrate(sys.argv[1]))",
    ]
)


def _migrate_together(url: str, n: int = 3) -> list[subprocess.CompletedProcess]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def _latest() -> str:
    """The newest migration's revision (what every worker must end at)."""
    from alembic.script import ScriptDirectory

    from stancestream.services.storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


async def _head(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    finally:
        await engine.dispose()


async def test_workers_migrating_at_once_all_succeed_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    results = _migrate_together(url)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr[-800:] for r in results]
    assert await _head(url) == _latest()


async def test_workers_migrating_at_once_all_succeed_on_postgresql(
    pg_database: PgDatabase,  # noqa: F811
) -> None:
    if pg_database.url is None:
        pytest.skip(pg_database.reason)
    name = f"stancestream_mig_{os.getpid()}_{int(time.time())}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = f"{pg_database.url.rsplit('/', 1)[0]}/{name}"
        results = _migrate_together(url)
        assert [r.returncode for r in results] == [0, 0, 0], [r.stderr[-800:] for r in results]
        assert await _head(url) == _latest()
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_second_up_on_the_same_data_dir_is_refused_at_once(tmp_path: Path) -> None:
    held = DataDirLock(tmp_path)
    assert held.acquire() is None
    try:
        t0 = time.monotonic()
        proc = subprocess.run(
            stancestream("up", "--data-dir", str(tmp_path)),
            cwd=ROOT,
            env=own_stack_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2
        assert "a stack already runs with data dir" in proc.stderr
        assert f"pid {os.getpid()}" in proc.stderr  # it says who holds it
        assert time.monotonic() - t0 < 30  # refused before starting anything
        assert not (tmp_path / "redis.sock").exists()
    finally:
        held.release()
    assert DataDirLock(tmp_path).acquire() is None  # free again once released


async def test_storage_workers_beyond_the_first_store_without_binding_the_api(
    redis_url: str, uid: str, tmp_path: Path
) -> None:
    port = free_port()
    base = Settings(
        redis_url=redis_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'storage.db'}",
        data_dir=tmp_path,
        worker=WorkerSettings(polling_ms=50),
    )
    first = base.model_copy(update={"storage": StorageSettings(port=port)})
    second = base.model_copy(update={"storage": StorageSettings(port=port, serve_api=False)})
    spec = make_spec(f"{uid}.articles.v1", f"{uid}.stances.v1")
    async with running(spec, first), running(spec, second) as rt2:
        async with httpx.AsyncClient() as http:

            async def healthy() -> bool:
                r = await http.get(f"http://127.0.0.1:{port}/health")
                return r.status_code == 200

            await wait_for(healthy)
        assert not rt2.stop.is_set()  # the second worker runs, storing only


def test_a_crash_looping_child_does_not_hold_up_the_supervisor(tmp_path: Path) -> None:
    stack = Stack(Settings(data_dir=tmp_path), {})
    spawned: list[str] = []
    stack._spawn = lambda child: spawned.append(child.label)  # type: ignore[method-assign]
    dead = [Child("linking", 0), Child("stance", 0)]
    for child in dead:
        child.proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        child.proc.wait()
        child.started = time.monotonic()
        child.restarts = 4  # it has been dying quickly: an 16 s back-off is due
    stack.children = dead
    t0 = time.monotonic()
    stack.supervise()
    assert time.monotonic() - t0 < 1.0  # scheduled, not slept through
    assert spawned == [] and all(c.restart_at is not None for c in dead)
    for c in dead:
        c.restart_at = time.monotonic()  # the back-off is over
    stack.supervise()
    assert spawned == ["linking#0", "stance#0"]


def test_children_get_sigterm_when_their_parent_is_killed(tmp_path: Path) -> None:
    parent = textwrap.dedent(
        """
        import subprocess, sys, time
        from stancestream.shared.process import die_with_parent
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                                 preexec_fn=die_with_parent)
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", parent], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    child_pid = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    def gone() -> bool:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return True
        # a zombie waiting for init to reap it is gone too
        stat = Path(f"/proc/{child_pid}/stat")
        return stat.exists() and stat.read_text().split()[2] == "Z"

    wait_until(gone, timeout=10, what="the orphaned child to get SIGTERM")


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of the processes whose parent is ``pid``."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                out[int(stat.parent.name)] = cmd
        except (OSError, IndexError, ValueError):
            continue
    return out


@pytest.mark.slow
def test_up_with_three_storage_workers_serves_one_api_and_dies_whole(tmp_path: Path) -> None:
    """`up --workers storage=3`: one API, two storing-only workers, no crash loop; then `up`
    is SIGKILLed and its workers and embedded Redis go with it."""
    port = free_port()
    proc = subprocess.Popen(
        up_command(tmp_path, port, "--workers", "storage=3"),
        cwd=ROOT,
        env=own_stack_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    kids: dict[int, str] = {}
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=240, what="the stack's API")
        logs = tmp_path / "logs"

        def storing_only() -> bool:
            return all(
                "storing only" in (logs / f"storage-{i}.log").read_text(errors="replace")
                for i in (1, 2)
            )

        wait_until(storing_only, timeout=120, what="storage#1 and #2 to store without the API")
        kids = _children(proc.pid)
        assert sum("service storage" in c for c in kids.values()) == 3, kids
        assert "redis-server" in " ".join(kids.values())
        for i in range(3):  # no worker died and was restarted
            assert "Traceback" not in (logs / f"storage-{i}.log").read_text(errors="replace")
    finally:
        proc.kill()  # SIGKILL: no chance to stop its children itself
        proc.wait()

    def all_gone() -> bool:
        alive = []
        for pid in kids:
            try:
                os.kill(pid, 0)
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    alive.append(pid)
            except (ProcessLookupError, FileNotFoundError):
                pass
        return not alive

    wait_until(all_gone, timeout=60, what="up's children to stop after it was killed")


@pytest.mark.slow
def test_two_ups_started_at_the_same_instant_on_one_data_dir_run_once(tmp_path: Path) -> None:
    """The red-team run saw both start in 3 of 10 tries; with the data-dir lock one is refused."""
    env = own_stack_env()
    cmd = stancestream("up", "--data-dir", str(tmp_path))
    procs = [
        subprocess.Popen(
            [*cmd, "--port", str(free_port())],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        wait_until(
            lambda: any(p.poll() is not None for p in procs),
            timeout=120,
            what="one of the two to be refused",
        )
        refused = [p for p in procs if p.poll() is not None]
        assert len(refused) == 1 and refused[0].returncode == 2
        assert "a stack already runs with data dir" in refused[0].stderr.read()
        assert [p for p in procs if p.poll() is None]  # the other runs on
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
