"""A real Celery worker and beat (subprocesses) against the test database and Redis.

First a real booking (booking's own service) starting in an hour and a few seconds: its
confirmation and its hour-before reminder come out of the worker. Then a batch of outbox rows
while the worker is killed with SIGKILL.
"""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from booking.models import Booking
from booking.services.bookings import booking_create
from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.services import message_schedule
from tests.booking.factories import EquipmentFactory, OpeningHoursFactory
from tests.factories import OrganisationFactory, UserFactory, member_of

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 10


def database_url() -> str:
    db = connection.settings_dict  # the test database (test_<name>), not the real one
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Celery processes in their own process groups, always killed at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.running = env, logs, {}

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "celery", "-A", "caiac", *args, "--loglevel=INFO"]
        self.running[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the worker and its pool children at once
        process.wait(timeout=15)

    def kill_all(self) -> None:
        for name in list(self.running):
            self.kill(name)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]


@pytest.fixture
def celery(tmp_path):
    if not settings.REDIS_URL:
        pytest.fail("the integration test needs REDIS_URL (CI's PostgreSQL + Redis pass sets it)")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")  # leftovers of a past run
    mail_dir = tmp_path / "mail"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "caiac.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONPATH": str(ROOT),
        "CAIAC_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "tests.notifications.backends.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SINK_DELAY_SECONDS": "0.4",
        "NOTIFICATIONS_SCAN_SECONDS": "1",
        # A scan claims for 1 s and is killed 1 + 2 + 5 s after it started: a claim older than
        # STALE_SECONDS is certainly abandoned.
        "NOTIFICATIONS_SCAN_BUDGET_SECONDS": "1",
        "NOTIFICATIONS_SEND_TIME_LIMIT": "2",
        "NOTIFICATIONS_STALE_SENDING_SECONDS": str(STALE_SECONDS),
    }
    processes = Processes(env, tmp_path)
    processes.mail_dir = mail_dir
    try:
        yield processes
    finally:
        processes.kill_all()
        client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def start_worker(celery) -> None:
    celery.start(
        "worker",
        "worker",
        "--concurrency=1",
        "--pool=prefork",
        f"--hostname=itest-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    )


def wait_until(condition, *, seconds: float, what: str, celery) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}\n--- worker\n{celery.log('worker')}")
        time.sleep(0.05)


def sent_count(ids) -> int:
    return Message.objects.filter(pk__in=ids, status=MessageStatus.SENT).count()


def emails(celery) -> list[str]:
    if not celery.mail_dir.exists():
        return []
    return sorted(path.name for path in celery.mail_dir.glob("*.eml"))


def book_in_an_hour_and_a_few_seconds(booker) -> Booking:
    """A confirmed booking whose hour-before reminder is due a few seconds from now.

    The machine opens every day on the second of that start with one-minute steps, so that the
    start is a valid slot (it fails only in the last two minutes of a local day).
    """
    start = (timezone.now() + datetime.timedelta(hours=1, seconds=8)).replace(microsecond=0)
    second = start.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).second
    equipment = EquipmentFactory(
        name="Lyophilisateur", slot_minutes=1, min_duration_minutes=1, lead_time_minutes=0
    )
    for weekday in range(7):
        OpeningHoursFactory(
            equipment=equipment,
            weekday=weekday,
            opens_at=datetime.time(0, 0, second),
            closes_at=datetime.time(23, 59, second),
        )
    return booking_create(
        user=booker,
        equipment=equipment,
        start=start,
        end=start + datetime.timedelta(minutes=1),
        organisation=booker.memberships.get().organisation,
    )


def test_the_worker_delivers_due_messages_and_survives_a_sigkill_without_loss_or_duplicate(
    celery,
):
    booker = member_of(OrganisationFactory(name="Coopérative Tifaouine"), username="itest-booker")
    people = [UserFactory(username=f"itest{n}") for n in range(8)]
    booking = book_in_an_hour_and_a_few_seconds(booker)
    confirmation = Message.objects.get(dedup_key=f"booking:{booking.pk}:confirmed")
    reminder = Message.objects.get(dedup_key=f"booking:{booking.pk}:reminder-1h")
    assert reminder.due_at > timezone.now()
    start_worker(celery)
    celery.start("beat", "beat", f"--schedule={celery.env['CAIAC_VAR_DIR']}/beat-schedule")

    # 1. The booking's confirmation at once, and its reminder once due: through beat + worker.
    first = [confirmation.pk, reminder.pk]
    wait_until(
        lambda: sent_count(first) == 2, seconds=40, what="the booking's messages", celery=celery
    )
    reminder.refresh_from_db()
    assert reminder.sent_at >= reminder.due_at
    assert emails(celery) == sorted(f"caiac.message.{pk}@caiac.ma.eml" for pk in first)
    text = (celery.mail_dir / f"caiac.message.{reminder.pk}@caiac.ma.eml").read_text()
    assert "Lyophilisateur" in text
    assert "invitation.ics" in text

    # 2. Several messages due at once; the worker is killed (SIGKILL) in the middle of them.
    batch = [
        message_schedule(
            recipient=person,
            kind="notifications.announcement",
            dedup_key=f"itest:batch:{person.pk}",
            context={"title": "Coupure", "text": "Atelier fermé demain"},
        ).pk
        for person in people
    ]
    wait_until(lambda: sent_count(batch) >= 1, seconds=30, what="the batch to start", celery=celery)
    celery.kill("worker")
    assert sent_count(batch) < len(batch), "the kill came too late to test anything"

    start_worker(celery)
    wait_until(
        lambda: sent_count(batch) == len(batch), seconds=45, what="the whole batch", celery=celery
    )
    # Long enough for a stale claim to be recovered and any duplicate to show up.
    time.sleep(STALE_SECONDS + 2)

    expected = sorted(f"caiac.message.{pk}@caiac.ma.eml" for pk in [*first, *batch])
    assert emails(celery) == expected
    assert Message.objects.filter(status=MessageStatus.SENT).count() == len(expected)
    assert not Message.objects.exclude(status=MessageStatus.SENT).exists()
