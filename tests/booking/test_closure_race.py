"""A booking and a closure of the same machine written at the same instant (PostgreSQL).

Without a common lock each transaction misses the other's uncommitted row: the booking checks
the closures (none yet), the closure lists the bookings it hits (none yet), and both commit —
a confirmed booking inside a closure, its booker never told. Both now lock the machine row
first (booking.services.locks). Each test pauses one side right after its read and lets the
other side run in that gap: with the lock, the other side waits for it instead.
"""

import threading

import pytest
from django.db import connection

from booking import selectors, services
from booking.models import Booking, BookingStatus
from caiac.errors import DomainError
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import OrganisationFactory, StaffFactory, member_of

GAP = 1.5  # seconds the paused side leaves to the other before going on alone

START, END = local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0)
CLOSED_FROM, CLOSED_UNTIL = local(2026, 11, 24, 8, 0), local(2026, 11, 24, 18, 0)


def run_both(first, second):
    """``first`` in one thread and ``second`` in another; each returns its outcome."""
    outcomes = {}

    def wrap(name, fn):
        try:
            outcomes[name] = fn()
        except DomainError as exc:
            outcomes[name] = exc.code
        except Exception as exc:  # reported by the assertion, not lost in a thread
            outcomes[name] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=wrap, args=("first", first)),
        threading.Thread(target=wrap, args=("second", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes["first"], outcomes["second"]


def world():
    lab_open_weekdays()
    machine = EquipmentFactory()
    return machine, member_of(OrganisationFactory()), StaffFactory()


def live_inside_the_closure(machine):
    return Booking.objects.filter(
        equipment=machine,
        status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
        start__lt=CLOSED_UNTIL,
        end__gt=CLOSED_FROM,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("whole_lab", [False, True], ids=["machine", "whole-lab"])
def test_a_booking_made_while_a_closure_is_written_waits_and_meets_the_closure(
    frozen, monkeypatch, whole_lab
):
    machine, member, staff = world()
    closure_has_read, booking_done = threading.Event(), threading.Event()
    original = selectors.bookings_hit_by_closure

    def read_then_pause(**kwargs):
        found = original(**kwargs)
        closure_has_read.set()
        booking_done.wait(GAP)  # the booking runs now, unless the machine's lock holds it
        return found

    monkeypatch.setattr(selectors, "bookings_hit_by_closure", read_then_pause)

    def close():
        change = services.closure_create(
            by=staff, equipment=None if whole_lab else machine,
            start=CLOSED_FROM, end=CLOSED_UNTIL, reason="Panne électrique",
        )  # fmt: skip
        return "closed", [b.pk for b in change.cancelled]

    def book():
        closure_has_read.wait(10)
        try:
            services.booking_create(user=member, equipment=machine, start=START, end=END)
            return "booked"
        finally:
            booking_done.set()

    closed, booked = run_both(close, book)

    assert closed == ("closed", [])
    assert booked == "machine_closed"
    assert not live_inside_the_closure(machine).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_closure_written_while_a_booking_is_made_waits_and_cancels_that_booking(
    frozen, monkeypatch
):
    machine, member, staff = world()
    booking_has_read, closure_done = threading.Event(), threading.Event()
    original = selectors.closures_for

    def read_then_pause(**kwargs):
        found = original(**kwargs)
        if not booking_has_read.is_set():
            booking_has_read.set()
            closure_done.wait(GAP)  # the closure runs now, unless the machine's lock holds it
        return found

    monkeypatch.setattr(selectors, "closures_for", read_then_pause)

    def book():
        return services.booking_create(user=member, equipment=machine, start=START, end=END).pk

    def close():
        booking_has_read.wait(10)
        try:
            change = services.closure_create(
                by=staff, equipment=machine, start=CLOSED_FROM, end=CLOSED_UNTIL,
                reason="Panne électrique",
            )  # fmt: skip
            return [b.pk for b in change.cancelled]
        finally:
            closure_done.set()

    booking_id, cancelled = run_both(book, close)

    assert isinstance(booking_id, int), booking_id
    assert cancelled == [booking_id]
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CANCELLED
    assert not live_inside_the_closure(machine).exists()
