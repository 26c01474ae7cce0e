"""Booking at scale: 50 machines, 100,000 bookings on PostgreSQL.

Measures, through the real API views (Django test client, token auth):
  - availability of one machine over four weeks,
  - one page of the bookings list (a member's, and staff's over everything),
  - GET /api/v1/me/ in the same run, as the yardstick,
and prints p50 / p95 over N runs and the ratio to me/.

Runs in a throwaway database (default postgres://postgres@127.0.0.1:5432/caiac_bench, or
BENCH_DATABASE_URL), created and filled on the first run, reused afterwards.
    .venv/bin/python bench/booking_bench.py [--runs 50]
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINES = 50
BOOKINGS = 100_000
ORGANISATIONS = 200
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caiac_bench"


def prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caiac.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill() -> None:
    from decimal import Decimal

    from django.db import transaction

    from booking import clock
    from booking.models import Booking, BookingStatus, Category, Equipment, OpeningHours
    from caiac.accounts.models import Membership, Organisation, User

    if Booking.objects.count() >= BOOKINGS:
        return
    print("filling the bench database (once)...", flush=True)
    with transaction.atomic():
        Booking.objects.all().delete()
        for weekday in range(5):
            OpeningHours.objects.get_or_create(
                equipment=None, weekday=weekday,
                opens_at=datetime.time(8, 30), closes_at=datetime.time(17, 30),
            )  # fmt: skip
        categories = list(Category.values)
        machines = [
            Equipment.objects.get_or_create(
                name=f"Bench machine {n:02d}",
                defaults={"category": categories[n % 3], "slot_minutes": 30,
                          "hourly_rate_member": Decimal("100"),
                          "hourly_rate_non_member": Decimal("200"), "horizon_days": 365},
            )[0]
            for n in range(MACHINES)
        ]  # fmt: skip
        orgs = [
            Organisation.objects.get_or_create(
                name=f"Bench org {n:03d}", defaults={"kind": "startup", "sector": "cosmetics"}
            )[0]
            for n in range(ORGANISATIONS)
        ]
        users = []
        for n, org in enumerate(orgs):
            user, _ = User.objects.get_or_create(username=f"bench{n:03d}")
            Membership.objects.get_or_create(user=user, organisation=org)
            users.append(user)
        User.objects.get_or_create(username="benchstaff", defaults={"role": "staff"})
        # Per machine: one-hour bookings back to back on weekdays 08:30-17:30, from about
        # five months ago to three months ahead: never overlapping, as the constraint demands.
        per_machine = BOOKINGS // MACHINES
        today = datetime.date.today()
        first_day = today - datetime.timedelta(days=150)
        rows = []
        for m, machine in enumerate(machines):
            day, slot, made = first_day, 0, 0
            while made < per_machine:
                if day.weekday() < 5:
                    start = clock.wall_clock(day, datetime.time(8, 30)) + datetime.timedelta(
                        hours=slot
                    )
                    past = day < today
                    status = (
                        BookingStatus.CANCELLED if (made % 17 == 0)
                        else BookingStatus.COMPLETED if past and made % 11
                        else BookingStatus.NO_SHOW if past
                        else BookingStatus.CONFIRMED
                    )  # fmt: skip
                    user_index = (m * 7 + made) % ORGANISATIONS
                    rows.append(
                        Booking(
                            equipment=machine, organisation=orgs[user_index],
                            booked_by=users[user_index], start=start,
                            end=start + datetime.timedelta(hours=1),
                            blocked_until=start + datetime.timedelta(hours=1),
                            status=status, price=Decimal("100"), hourly_rate=Decimal("100"),
                        )
                    )  # fmt: skip
                    made += 1
                    slot += 1
                if slot == 9 or day.weekday() >= 5:
                    slot = 0
                    day += datetime.timedelta(days=1)
        Booking.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def measure(client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm-up (connection, caches)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return timings


def run(runs: int) -> list[str]:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from booking import clock
    from booking.models import Booking, Equipment
    from caiac.accounts.models import User

    def client_for(username: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    member, staff = client_for("bench000"), client_for("benchstaff")
    machine = Equipment.objects.order_by("name").first()
    today = datetime.date.today()
    start = clock.wall_clock(today, datetime.time(0)).isoformat()
    end = clock.wall_clock(today + datetime.timedelta(days=28), datetime.time(0)).isoformat()
    from urllib.parse import urlencode

    cases = [
        ("GET me/ (yardstick)", member, "/api/v1/me/"),
        ("availability, 1 machine, 4 weeks", member,
         f"/api/v1/equipment/{machine.pk}/availability/?{urlencode({'start': start, 'end': end})}"),
        ("bookings list, member, page 1", member, "/api/v1/bookings/"),
        ("bookings list, staff, page 1", staff, "/api/v1/bookings/"),
        ("bookings list, staff, ?equipment=&status=", staff,
         f"/api/v1/bookings/?equipment={machine.pk}&status=confirmed"),
    ]  # fmt: skip
    results = {label: measure(client, url, runs) for label, client, url in cases}
    yard = statistics.median(results["GET me/ (yardstick)"])
    lines = [
        f"booking bench on PostgreSQL: {Equipment.objects.count()} machines, "
        f"{Booking.objects.count():,} bookings, {ORGANISATIONS} organisations; {runs} runs each",
        f"{'case':45} {'p50 ms':>8} {'p95 ms':>8} {'p50 / me/':>10}",
    ]
    for label, timings in results.items():
        p50, p95 = statistics.median(timings), percentile(timings, 95)
        lines.append(f"{label:45} {p50:8.2f} {p95:8.2f} {p50 / yard:10.2f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    prepare_database(url)
    setup_django(url)
    fill()
    for line in run(args.runs):
        print(line)


if __name__ == "__main__":
    main()
