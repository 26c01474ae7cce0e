"""Many people booking the same slot at the same instant: exactly one gets it."""

import contextlib
import sqlite3
import threading

import pytest
from django.db import connection, connections

from booking import services
from booking.models import Booking, BookingStatus
from caiac.errors import Conflict
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import OrganisationFactory, member_of

THREADS = 8


def race(users, machine, start, end) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user):
        try:
            barrier.wait()
            services.booking_create(user=user, equipment=machine, start=start, end=end)
            result = "booked"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def setup_race():
    lab_open_weekdays()
    machine = EquipmentFactory()
    users = [member_of(OrganisationFactory()) for _ in range(THREADS)]
    return machine, users


def assert_one_winner(outcomes, machine):
    assert sorted(outcomes) == ["booked"] + ["slot_unavailable"] * (THREADS - 1)
    live = Booking.objects.filter(
        equipment=machine, status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED]
    )
    assert live.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_one_of_many_simultaneous_bookings_wins_the_rest_get_409(frozen):
    machine, users = setup_race()
    outcomes = race(users, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert_one_winner(outcomes, machine)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_exclusion_constraint_refuses_an_overlap_the_service_missed(frozen):
    """Even a writer that skips the service's check cannot store an overlapping live booking."""
    from django.db import IntegrityError, transaction

    machine, users = setup_race()
    first = services.booking_create(
        user=users[0],
        equipment=machine,
        start=local(2026, 11, 24, 9, 0),
        end=local(2026, 11, 24, 10, 0),
    )
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        Booking.objects.create(
            equipment=machine, organisation=first.organisation, booked_by=users[0],
            start=local(2026, 11, 24, 9, 30), end=local(2026, 11, 24, 10, 30),
            blocked_until=local(2026, 11, 24, 10, 30), status=BookingStatus.PENDING,
        )  # fmt: skip


@contextlib.contextmanager
def threads_on_a_file_copy(path):
    """Threads on SQLite need a file database: the shared-cache in-memory test database locks
    whole tables and answers "table is locked" instead of waiting. The committed test data is
    copied into a file and every new connection (one per thread) opens that file."""
    with sqlite3.connect(path) as target:
        connection.ensure_connection()
        connection.connection.backup(target)
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = original


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_write_transaction_serialises_simultaneous_bookings(frozen, tmp_path):
    machine, users = setup_race()
    path = tmp_path / "race.sqlite3"
    with threads_on_a_file_copy(path):
        outcomes = race(users, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert sorted(outcomes) == ["booked"] + ["slot_unavailable"] * (THREADS - 1)
    with contextlib.closing(sqlite3.connect(path)) as db:
        (live,) = db.execute(
            "SELECT count(*) FROM booking_booking WHERE equipment_id = ? "
            "AND status IN ('pending', 'confirmed')",
            [machine.pk],
        ).fetchone()
    assert live == 1
