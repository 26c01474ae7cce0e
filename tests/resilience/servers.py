"""Real servers started by the tests themselves: a redis-server on a spare port."""

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port_url(db: int = 0) -> str:
    """A Redis URL on which nothing listens (connection refused at once)."""
    return f"redis://127.0.0.1:{spare_port()}/{db}"


class RedisServer:
    """A throwaway redis-server the test stops and starts again on the same port."""

    def __init__(self, workdir: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed (CI's PostgreSQL + Redis pass has it)")
        self.port = spare_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while not self._answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), 0.2) as s,
        ):
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def database_url(*, application_name: str = "") -> str:
    """The test database (test_<name>, not the real one) as a URL for a subprocess."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"{url}?application_name={application_name}" if application_name else url


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    root = Path(__file__).resolve().parents[2]
    drop = ("EMAIL_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL")
    return {
        **{k: v for k, v in os.environ.items() if k not in drop},
        "DJANGO_SETTINGS_MODULE": "caiac.settings",
        "PYTHONPATH": str(root),
        "CAIAC_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "INFO",
        **extra,
    }


def wait_for(condition, *, seconds: float, what: str, log=None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}" + (f"\n{log()}" if log else ""))
        time.sleep(0.05)


class CeleryProcesses:
    """A real Celery worker and beat (subprocesses in their own process groups, always killed)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.running = env, logs, {}

    def start_worker(self, *, concurrency: int = 1) -> None:
        import uuid

        self.start(
            "worker",
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            f"--hostname=itest-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )

    def start_beat(self) -> None:
        self.start("beat", "beat", f"--schedule={self.logs}/beat-schedule")

    def start(self, name: str, *args: str) -> None:
        import sys

        log = (self.logs / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "celery", "-A", "caiac", *args, "--loglevel=INFO"]
        self.running[name] = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[2],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        import os
        import signal

        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the worker and its pool children at once
        process.wait(timeout=15)

    def kill_all(self) -> None:
        for name in list(self.running):
            self.kill(name)

    def log(self, name: str = "worker") -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def logs_text(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in ("worker", "beat"))
