"""Messages: how long after being due they leave, and how long a burst of 2,000 takes.

Against a real Celery worker (one, default concurrency) and beat with the production settings
(scan every NOTIFICATIONS_SCAN_SECONDS, 5 s), PostgreSQL and Redis, and a real SMTP server
(aiosmtpd, in this process) that accepts everything:

  1. latency: --messages (default 200) messages due at random moments over the next minute;
     due -> sent (``sent_at - due_at``) p50 / p95 / max;
  2. burst: --burst (default 2,000) messages due at once (an announcement to 2,000 people);
     time from their commit until the last one is sent, and that each was delivered once.

Runs in a throwaway database (default postgres://postgres@127.0.0.1:5432/caiac_bench_messages, or
BENCH_DATABASE_URL) and Redis database (BENCH_REDIS_URL, default redis://127.0.0.1:6379/15).
    .venv/bin/python bench/messages_bench.py [--messages 200] [--burst 2000]
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/caiac_bench_messages"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
PEOPLE = 2000


def prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, redis_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caiac.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def people() -> list:
    from caiac.accounts.models import User

    existing = list(User.objects.filter(username__startswith="msgbench").order_by("pk"))
    if len(existing) < PEOPLE:
        User.objects.bulk_create(
            [
                User(username=f"msgbench{n:04d}", email=f"msgbench{n:04d}@example.ma")
                for n in range(len(existing), PEOPLE)
            ]
        )
        existing = list(User.objects.filter(username__startswith="msgbench").order_by("pk"))
    return existing


class Smtp:
    """An SMTP server that accepts every message and counts each Message-ID it received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: dict[str, int] = {}
        probe = __import__("socket").socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                key = line.split(":", 1)[1].strip()
                self.received[key] = self.received.get(key, 0) + 1
                break
        return "250 OK"

    def stop(self) -> None:
        self.controller.stop()


def start_celery(url: str, redis_url: str, smtp_port: int, workdir: Path) -> list:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CAIAC_VAR_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
    }
    base = [sys.executable, "-m", "celery", "-A", "caiac"]
    processes = []
    for name, args in (
        ("worker", ["worker", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]),
        ("beat", ["beat", f"--schedule={workdir}/beat-schedule", "--loglevel=WARNING"]),
    ):
        log = (workdir / f"{name}.log").open("ab")
        processes.append(
            subprocess.Popen(
                base + args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )  # fmt: skip
    return processes


def stop_celery(processes: list) -> None:
    import signal

    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


def schedule(users: list, due: list[datetime.datetime], tag: str) -> list[int]:
    from django.db import transaction

    from caiac.notifications.models import Message

    with transaction.atomic():
        rows = Message.objects.bulk_create(
            [
                Message(
                    recipient=user, kind="notifications.announcement", language="fr",
                    dedup_key=f"bench:{tag}:{n}", due_at=moment,
                    context={"title": "Coupure d'électricité", "text": "Atelier fermé demain."},
                )
                for n, (user, moment) in enumerate(zip(users, due, strict=False))
            ],
            batch_size=1000,
        )  # fmt: skip
    return [row.pk for row in rows]


def wait_sent(ids: list[int], *, seconds: float, log_dir: Path) -> None:
    from caiac.notifications.models import Message, MessageStatus

    deadline = time.monotonic() + seconds
    while Message.objects.filter(pk__in=ids).exclude(status=MessageStatus.SENT).exists():
        if time.monotonic() > deadline:
            left = Message.objects.filter(pk__in=ids).exclude(status=MessageStatus.SENT).count()
            worker_log = (log_dir / "worker.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"{left} message(s) not sent after {seconds} s\n{worker_log}")
        time.sleep(0.5)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def run(url: str, redis_url: str, messages: int, burst: int) -> list[str]:
    from django.conf import settings
    from django.utils import timezone

    from caiac.notifications.models import Message
    from caiac.notifications.rendering import message_id_for

    users = people()
    Message.objects.filter(dedup_key__startswith="bench:").delete()
    smtp = Smtp()
    workdir = Path(tempfile.mkdtemp(prefix="caiac-msgbench-"))
    celery = start_celery(url, redis_url, smtp.port, workdir)
    try:
        # Warm-up: the worker is up and sending.
        warm = schedule(users[:1], [timezone.now()], "warm")
        wait_sent(warm, seconds=120, log_dir=workdir)

        now = timezone.now()
        due = [now + datetime.timedelta(seconds=random.uniform(0, 60)) for _ in range(messages)]
        ids = schedule((users * (messages // len(users) + 1))[:messages], due, "latency")
        wait_sent(ids, seconds=180, log_dir=workdir)
        latencies = [
            (sent - due_at).total_seconds()
            for due_at, sent in Message.objects.filter(pk__in=ids).values_list("due_at", "sent_at")
        ]

        started = time.monotonic()
        burst_ids = schedule(users[:burst], [timezone.now()] * burst, "burst")
        wait_sent(burst_ids, seconds=600, log_dir=workdir)
        burst_seconds = time.monotonic() - started
        rows = Message.objects.filter(pk__in=burst_ids)
        expected = {message_id_for(m) for m in rows.only("pk")}
        copies = [smtp.received.get(key, 0) for key in expected]
        attempts = set(rows.values_list("attempts", flat=True))
    finally:
        stop_celery(celery)
        smtp.stop()
    return [
        f"message bench: one worker (concurrency {os.cpu_count()}), beat every "
        f"{settings.NOTIFICATIONS_SCAN_SECONDS} s, PostgreSQL + Redis, SMTP (aiosmtpd)",
        f"due -> sent over {messages} messages: p50 {statistics.median(latencies):.1f} s, "
        f"p95 {percentile(latencies, 95):.1f} s, max {max(latencies):.1f} s",
        f"burst of {burst} due at once: all sent in {burst_seconds:.1f} s "
        f"({burst / burst_seconds:.0f}/s); delivered once each: "
        f"{'yes' if set(copies) == {1} and attempts == {1} else f'NO {set(copies)} {attempts}'}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--burst", type=int, default=2000)
    args, _others = parser.parse_known_args(argv)  # bench/run.py passes every bench's options
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    prepare_database(url)
    setup_django(url, redis_url)
    for line in run(url, redis_url, args.messages, min(args.burst, PEOPLE)):
        print(line, flush=True)


if __name__ == "__main__":
    main()
