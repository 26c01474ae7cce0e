"""PostgreSQL cuts the application's connections in the middle of a request (gunicorn, for real).

The request in flight gets a clean 503 with Retry-After, nothing of it is written, and the next
request, served by the same gunicorn worker without a restart, books normally.
"""

import contextlib
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from booking.models import Booking
from caiac.notifications.models import Message
from tests.factories import OrganisationFactory, member_of
from tests.resilience.lab import machine_open_around_the_clock, slot
from tests.resilience.servers import database_url, spare_port, subprocess_env, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
APP = "caiac-itest-web"


class Web:
    def __init__(self, tmp_path: Path) -> None:
        self.port = spare_port()
        self.log_path = tmp_path / "gunicorn.log"
        env = subprocess_env(
            tmp_path, DATABASE_URL=database_url(application_name=APP), CONN_MAX_AGE="600"
        )
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "caiac.wsgi:application", "--workers", "1"),
                *("--bind", f"127.0.0.1:{self.port}", "--timeout", "60"),
                # No control socket: its default path is one per user, shared with any other
                # gunicorn running on the machine (another test run, a developer's server).
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._up, seconds=60, what="gunicorn", log=self.log)

    def _up(self) -> bool:
        with contextlib.suppress(OSError):
            return self.request("GET", "/api/v1/me/")[0] == 401
        return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def workers_booted(self) -> list[int]:
        """The pid of every worker the gunicorn master has started, in order (it logs each).

        ``self.process`` is the master, whose pid never changes: a worker that died and was
        replaced shows here as a second pid, never there."""
        text = self.log_path.read_text(errors="replace")
        return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", text)]

    def request(self, method: str, path: str, body=None, token: str = ""):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept-Language", "en")
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def parent_of(pid: int) -> int:
    """The parent pid of a live process (Linux); fails if the process is gone."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])  # the name, in parentheses, may hold spaces


@pytest.fixture
def web(tmp_path):
    server = Web(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(database_url().replace("postgres://", "postgresql://", 1))


def test_cutting_the_apps_connections_mid_request_is_a_503_and_the_next_request_books(web):
    booker = member_of(OrganisationFactory(name="Coopérative Tighanimine"), username="blip")
    token = Token.objects.create(user=booker).key
    machine = machine_open_around_the_clock()
    # A first booking: the gunicorn worker now holds a persistent connection (CONN_MAX_AGE).
    assert web.request("POST", "/api/v1/bookings/", slot(machine, 120), token)[0] == 201
    booted = web.workers_booted()
    assert len(booted) == 1, web.log()  # --workers 1, started once
    worker_pid = booted[0]
    assert parent_of(worker_pid) == web.process.pid

    with admin_connection() as locker, admin_connection() as admin:
        # Hold the bookings table so that the next booking waits inside its transaction...
        locker.execute("LOCK TABLE booking_booking IN ACCESS EXCLUSIVE MODE")
        answer = {}
        request = threading.Thread(
            target=lambda: answer.setdefault(
                "response", web.request("POST", "/api/v1/bookings/", slot(machine, 180), token)
            )
        )
        request.start()

        def app_waits_on_the_lock() -> bool:
            return bool(
                admin.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event_type = 'Lock'",
                    [APP],
                ).fetchone()
            )

        wait_for(app_waits_on_the_lock, seconds=30, what="the request to block", log=web.log)
        # ... and cut every connection of the application, as a PostgreSQL restart would.
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [APP],
        ).fetchone()[0]
        assert cut >= 1
        locker.rollback()
        request.join(timeout=30)

    status, headers, body = answer["response"]
    assert status == 503, body
    assert headers["Retry-After"] == "5"
    assert json.loads(body)["code"] == "service_unavailable"

    # The same worker, not restarted, books the very slot that failed: nothing of it was kept.
    status, _headers, body = web.request("POST", "/api/v1/bookings/", slot(machine, 180), token)
    assert status == 201, body
    # Served by the very worker process that took the cut: never replaced, still alive.
    assert web.workers_booted() == [worker_pid], web.log()
    assert parent_of(worker_pid) == web.process.pid

    connection.close()  # this test's own connection is fresh (the cut spared it anyway)
    bookings = list(Booking.objects.order_by("pk"))
    assert len(bookings) == 2
    for booking in bookings:
        assert booking.events.exists()
        assert Message.objects.filter(dedup_key=f"booking:{booking.pk}:confirmed").exists()
    assert Message.objects.count() == sum(
        Message.objects.filter(dedup_key__startswith=f"booking:{b.pk}:").count() for b in bookings
    )
