"""Requests per second of the API and one page, each as a share of ``GET me/``, under load.

gunicorn (production settings, ``--workers 3``, sync) serves the data set of bench/dataset.py
(PostgreSQL: 50 machines, 100,000 bookings, 200 incubatees, 300 sessions); ``--clients``
threads (default 8) send requests over fresh connections, as many at once as there are clients.
Every endpoint gets ``--samples`` requests (default 600), in ``--rounds`` rounds (default 6)
that take the endpoints in a rotating order, so a burst of other work on the machine falls on
all of them alike. Per endpoint: requests/s (samples over the time its phases took), its share
of ``me/``'s requests/s, p50 / p95 / p99 / max latency, and the SQL queries one request runs
(counted once in this process, through the same views).

    .venv/bin/python bench/web_bench.py [--samples 600] [--clients 8] [--workers 3]
        [--only availability --only incubatees]   (me/ always runs: the yardstick)

Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/caiac_bench), created
and filled on the first run. Redis for the web processes' cache: BENCH_REDIS_URL (optional).
"""

import argparse
import datetime
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dataset

ROOT = dataset.ROOT
# The same key here and in gunicorn: the page's session, made here, must be valid there.
SECRET_KEY = "bench-only-" + "x" * 40
TARGETS = {  # the issue's floors, as a share of me/'s requests per second
    "availability": 0.70,
    "bookings, member": 0.50,
    "bookings, staff": 0.50,
    "incubatees": 0.50,
}


@dataclass
class Case:
    label: str
    path: str
    headers: dict
    target: float | None = None
    timings: list[float] = field(default_factory=list)
    seconds: float = 0.0
    queries: int | None = None

    @property
    def rate(self) -> float:
        return len(self.timings) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cases() -> list[Case]:
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from booking.models import Equipment
    from caiac import clock
    from caiac.accounts.models import User

    def token(username: str) -> dict:
        key = Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
        return {"Authorization": f"Token {key}"}

    member, staff = token("bench000"), token("benchstaff")
    browser = Client()
    browser.force_login(User.objects.get(username="bench000"))
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}="
              f"{browser.cookies[settings.SESSION_COOKIE_NAME].value}"}  # fmt: skip
    machine = Equipment.objects.order_by("name").first()
    today = datetime.date.today()
    start = clock.wall_clock(today, datetime.time(0))
    four_weeks = urlencode(
        {"start": start.isoformat(), "end": (start + datetime.timedelta(days=28)).isoformat()}
    )
    return [
        Case("me/ (yardstick)", "/api/v1/me/", member),
        Case("availability, 1 machine, 4 weeks",
             f"/api/v1/equipment/{machine.pk}/availability/?{four_weeks}", member,
             TARGETS["availability"]),
        Case("bookings, member, page 1", "/api/v1/bookings/", member,
             TARGETS["bookings, member"]),
        Case("bookings, staff, page 1", "/api/v1/bookings/", staff, TARGETS["bookings, staff"]),
        Case("bookings, staff, ?equipment=&status=",
             f"/api/v1/bookings/?equipment={machine.pk}&status=confirmed", staff),
        Case("trainings/sessions, page 1", "/api/v1/trainings/sessions/", member),
        Case("incubatees, staff, 200 in 1 page", "/api/v1/incubation/incubatees/?page_size=200",
             staff, TARGETS["incubatees"]),
        Case("equipment, page 1", "/api/v1/equipment/", member),
        Case("HTML machine page (member)", f"/lab/machines/{machine.pk}/", cookie),
    ]  # fmt: skip


def count_queries(case: Case) -> None:
    """SQL queries of one request, through the same views in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    extra = {}
    for name, value in case.headers.items():
        if name == "Cookie":
            key, _, session = value.partition("=")
            client.cookies[key] = session
        else:
            extra[f"HTTP_{name.upper()}"] = value
    client.get(case.path, **extra)  # warm: per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.path, **extra)
    assert response.status_code == 200, (case.path, response.status_code)
    case.queries = len(queries)


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    else:
        env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "caiac.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 120 s")


def stop(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def get(port: int, case: Case) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", case.path, headers={"Host": "127.0.0.1", **case.headers})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{case.path}: {response.status}")
    return elapsed


def phase(port: int, case: Case, requests: int, clients: int) -> None:
    """``requests`` requests of one case, ``clients`` at a time."""
    left = [requests]
    lock = threading.Lock()
    timings: list[float] = []
    errors: list[BaseException] = []

    def client() -> None:
        while True:
            with lock:
                if left[0] == 0 or errors:
                    return
                left[0] -= 1
            try:
                took = get(port, case)
            except BaseException as exc:  # reported below, once
                errors.append(exc)
                return
            with lock:
                timings.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    case.seconds += time.perf_counter() - started
    case.timings += timings


def machine_line() -> str:
    load = os.getloadavg()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB; load average {load[0]:.1f} / {load[1]:.1f}"


def run(
    samples: int, rounds: int, clients: int, workers: int, only: list[str] | None = None
) -> list[str]:
    from booking.models import Booking, Equipment
    from caiac.accounts.models import Organisation
    from incubation.models import Incubatee
    from trainings.models import Session

    all_cases = cases()
    if only:  # the yardstick always runs: every figure is a share of it
        all_cases = [all_cases[0]] + [
            case for case in all_cases[1:] if any(word in case.label for word in only)
        ]
    for case in all_cases:
        count_queries(case)
    port = free_port()
    log = Path(os.environ.get("BENCH_LOG", "/tmp")) / f"bench-gunicorn-{port}.log"
    load_before = machine_line()
    server = start_gunicorn(port, workers, log)
    try:
        for case in all_cases:  # warm every worker's caches and connections
            phase(port, case, workers * 2, clients)
            case.timings, case.seconds = [], 0.0
        per_round = -(-samples // rounds)
        for r in range(rounds):
            order = all_cases[r % len(all_cases) :] + all_cases[: r % len(all_cases)]
            for case in order:
                phase(port, case, per_round, clients)
    finally:
        stop(server)
    yard = all_cases[0].rate
    lines = [
        f"web bench, {datetime.date.today():%Y-%m-%d}: gunicorn {workers} sync workers, "
        f"{clients} concurrent clients, {len(all_cases[0].timings)} requests per endpoint in "
        f"{rounds} rounds; PostgreSQL with {Equipment.objects.count()} machines, "
        f"{Booking.objects.count():,} bookings, {Organisation.objects.count()} organisations, "
        f"{Incubatee.objects.count()} incubatees, {Session.objects.count()} sessions",
        f"machine: {load_before} before, {machine_line().split('; ')[1]} after "
        "(shared with other work)",
        f"{'endpoint':40} {'req/s':>7} {'/ me/':>6} {'target':>6} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'max':>6} {'SQL':>4}",
    ]
    for case in all_cases:
        share = case.rate / yard
        target = f"{case.target:.2f}" if case.target else ""
        verdict = "" if not case.target else (" ok" if share >= case.target else " BELOW")
        t = case.timings
        lines.append(
            f"{case.label:40} {case.rate:7.1f} {share:6.2f} {target:>6} "
            f"{statistics.median(t):6.1f} {percentile(t, 95):6.1f} {percentile(t, 99):6.1f} "
            f"{max(t):6.1f} {case.queries:4d}{verdict}"
        )
    lines.append("(latencies in ms, from sending the request to the last byte of the answer)")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--only", action="append", help="endpoints whose label contains this (repeatable)"
    )
    args, _others = parser.parse_known_args(argv)  # bench/run.py passes every bench's options
    url = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_URL)
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    dataset.prepare_database(url)
    dataset.setup_django(url)
    dataset.fill()
    for line in run(args.samples, args.rounds, args.clients, args.workers, args.only):
        print(line, flush=True)


if __name__ == "__main__":
    main()
