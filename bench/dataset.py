"""The bench's data set, in a throwaway PostgreSQL database, filled once and reused.

- 50 machines, lab opening hours Monday-Friday 08:30-17:30;
- 200 organisations with one member each, and one staff account;
- 100,000 one-hour bookings back to back (about five months back to three months ahead);
- 200 incubatees in one cohort (each granted free lab hours, as starting a stage does);
- 300 training sessions of 10 courses, five people enrolled in each.

Each part is filled when its count is short, so a data set of an older bench grows the missing
parts without refilling the bookings.
"""

import datetime
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caiac_bench"
MACHINES = 50
BOOKINGS = 100_000
ORGANISATIONS = 200
INCUBATEES = 200
COURSES = 10
SESSIONS = 300
ENROLLED_PER_SESSION = 5


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
    from django.db import connection

    grown = _fill_bookings() | _fill_incubatees() | _fill_sessions()
    if grown:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def organisations_and_people():
    from caiac.accounts.models import Membership, Organisation, User

    orgs = [
        Organisation.objects.get_or_create(
            name=f"Bench org {n:03d}", defaults={"kind": "startup", "sector": "cosmetics"}
        )[0]
        for n in range(ORGANISATIONS)
    ]
    users = []
    for n, org in enumerate(orgs):
        user, _ = User.objects.get_or_create(
            username=f"bench{n:03d}", defaults={"email": f"bench{n:03d}@example.ma"}
        )
        Membership.objects.get_or_create(user=user, organisation=org)
        users.append(user)
    staff, _ = User.objects.get_or_create(username="benchstaff", defaults={"role": "staff"})
    return orgs, users, staff


def _fill_bookings() -> bool:
    from django.db import transaction

    from booking.models import Booking, BookingStatus, Category, Equipment, OpeningHours
    from caiac import clock

    if Booking.objects.count() >= BOOKINGS:
        return False
    print("filling the bench database: bookings (once)...", flush=True)
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
        orgs, users, _staff = organisations_and_people()
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
    return True


def _fill_incubatees() -> bool:
    from django.db import transaction

    from incubation import services
    from incubation.models import Cohort, Incubatee, Programme, ProgrammeStage, Stage

    if Incubatee.objects.count() >= INCUBATEES:
        return False
    print("filling the bench database: incubatees (once)...", flush=True)
    orgs, _users, staff = organisations_and_people()
    today = datetime.date.today()
    with transaction.atomic():
        programme, _ = Programme.objects.get_or_create(name="Bench programme")
        ProgrammeStage.objects.get_or_create(
            programme=programme,
            stage=Stage.PRE_INCUBATION,
            defaults={"lab_hours_per_month": Decimal("10")},
        )
        cohort, _ = Cohort.objects.get_or_create(
            programme=programme,
            name="Bench cohort",
            defaults={
                "year": today.year,
                "starts_on": today - datetime.timedelta(days=90),
                "ends_on": today + datetime.timedelta(days=270),
            },
        )
        taken = set(Incubatee.objects.filter(cohort=cohort).values_list("organisation", flat=True))
        for org in orgs[:INCUBATEES]:
            if org.pk not in taken:
                services.incubatee_create(by=staff, cohort=cohort, organisation=org)
    return True


def _fill_sessions() -> bool:
    from django.db import transaction
    from django.utils import timezone

    from caiac import clock
    from caiac.accounts.models import User
    from trainings.models import Course, Enrolment, EnrolmentStatus, Session

    if Session.objects.count() >= SESSIONS:
        return False
    print("filling the bench database: training sessions (once)...", flush=True)
    _orgs, users, _staff = organisations_and_people()
    now = timezone.now()
    with transaction.atomic():
        Session.objects.all().delete()
        trainers = [
            User.objects.get_or_create(username=f"benchtrainer{n}", defaults={"role": "trainer"})[0]
            for n in range(COURSES)
        ]
        courses = [
            Course.objects.get_or_create(
                title=f"Bench course {n}",
                defaults={"duration_hours": Decimal("3"), "validity_months": 24},
            )[0]
            for n in range(COURSES)
        ]
        first_day = datetime.date.today() - datetime.timedelta(days=SESSIONS // COURSES * 3)
        sessions = []
        for n in range(SESSIONS):
            # A session a week per course, each course its own trainer: none runs two at once.
            day = first_day + datetime.timedelta(days=n // COURSES * 7)
            start = clock.wall_clock(day, datetime.time(9, 0))
            sessions.append(
                Session(
                    course=courses[n % COURSES], trainer=trainers[n % COURSES],
                    place="Halle Technologique, salle 1", start=start,
                    end=start + datetime.timedelta(hours=3), capacity=8, language="fr",
                )
            )  # fmt: skip
        sessions = Session.objects.bulk_create(sessions)
        enrolments = []
        for n, session in enumerate(sessions):
            for k in range(ENROLLED_PER_SESSION):
                user = users[(n * 7 + k) % len(users)]
                enrolments.append(
                    Enrolment(
                        session=session, user=user, status=EnrolmentStatus.ENROLLED, queued_at=now
                    )
                )
        Enrolment.objects.bulk_create(enrolments)
    return True
