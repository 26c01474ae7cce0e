"""Property tests of the booking rules (hypothesis, stateful): whatever sequence of bookings,
cancellations and closures hits a machine, no two live bookings overlap (buffer included), no
live booking sits in a closure, and availability offers exactly what booking then accepts.

Runs in both CI passes: on SQLite (the service serialises the check and the insert) and on
PostgreSQL (the exclusion constraint holds the line)."""

import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from booking import selectors, services
from booking.models import Booking, Closure
from caiac.errors import DomainError
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import OrganisationFactory, StaffFactory, member_of

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")
MONDAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=CASA)
STEP = datetime.timedelta(minutes=30)
DAYS = 7  # a week: five open days and a closed weekend

days = st.integers(min_value=0, max_value=DAYS - 1)
slots_of_day = st.integers(min_value=0, max_value=47)  # 00:00 .. 23:30, every 30 minutes
durations = st.integers(min_value=1, max_value=8).map(lambda n: n * STEP)  # the machine's range


def midnight(day: int) -> datetime.datetime:
    return datetime.datetime.combine(MONDAY + datetime.timedelta(days=day), datetime.time(0), CASA)


class BookingMachine(RuleBasedStateMachine):
    """One machine (slots of 30 minutes, 30 minutes to 4 hours), the lab open weekdays
    08:30-17:30, a member who books and staff who cancel and close."""

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()  # every example starts from the same empty lab
        lab_open_weekdays()
        self.staff = StaffFactory(username="nadia")
        self.member = member_of(OrganisationFactory(name="Coopérative Amalou"), username="fatima")

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    @initialize(buffer=st.sampled_from([0, 15, 30]))
    def a_machine(self, buffer):
        self.machine = EquipmentFactory(
            name="Émulsionneur sous vide",
            slot_minutes=30,
            min_duration_minutes=30,
            max_duration_minutes=240,
            buffer_minutes=buffer,
            lead_time_minutes=0,
        )

    # --- actions -------------------------------------------------------------------------

    def _offered(self, start, end) -> bool:
        day_start = midnight((start.astimezone(CASA).date() - MONDAY).days)
        free = selectors.free_slots(
            equipment=self.machine, start=day_start, end=day_start + datetime.timedelta(days=1)
        )
        return any(a <= start and end <= b for a, b in free)

    def _book(self, start, end) -> bool:
        try:
            services.booking_create(user=self.member, equipment=self.machine, start=start, end=end)
        except DomainError:
            return False
        return True

    @rule(day=days, slot=slots_of_day, duration=durations)
    def book_any_slot(self, day, slot, duration):
        """Offered and accepted are the same question: any slot, on the grid, in range."""
        start = midnight(day) + slot * STEP
        offered = self._offered(start, start + duration)
        accepted = self._book(start, start + duration)
        assert accepted == offered, (start, duration, offered, accepted)

    @rule(day=days, data=st.data())
    def book_what_availability_offers(self, day, data):
        free = selectors.free_slots(
            equipment=self.machine, start=midnight(day), end=midnight(day + 1)
        )
        if not free:
            return
        a, b = data.draw(st.sampled_from(free))
        starts = (b - a - STEP) // STEP  # every grid start leaving room for 30 minutes
        start = a + data.draw(st.integers(min_value=0, max_value=starts)) * STEP
        longest = min(b - start, 8 * STEP) // STEP
        duration = data.draw(st.integers(min_value=1, max_value=longest)) * STEP
        assert self._book(start, start + duration), (start, duration, free)

    @rule(data=st.data())
    def cancel_a_live_booking(self, data):
        live = list(self._live())
        if live:
            booking = data.draw(st.sampled_from(live))
            services.booking_cancel(user=self.staff, booking=booking, reason="Annulé")

    @rule(day=days, slot=slots_of_day, length=st.integers(min_value=1, max_value=12),
          whole_lab=st.booleans())  # fmt: skip
    def close(self, day, slot, length, whole_lab):
        start = midnight(day) + slot * STEP
        services.closure_create(
            by=self.staff,
            start=start,
            end=start + length * STEP,
            reason="Maintenance",
            equipment=None if whole_lab else self.machine,
        )

    # --- what must always hold ------------------------------------------------------------

    def _live(self):
        return Booking.objects.filter(
            equipment=getattr(self, "machine", None), status__in=["pending", "confirmed"]
        ).order_by("start")

    @invariant()
    def live_bookings_never_overlap_buffer_included(self):
        live = list(self._live())
        for earlier, later in itertools.pairwise(live):
            assert earlier.blocked_until <= later.start, (earlier, later)
            assert earlier.blocked_until - earlier.end == datetime.timedelta(
                minutes=self.machine.buffer_minutes
            )

    @invariant()
    def no_live_booking_sits_in_a_closure(self):
        for booking in self._live():
            hit = Closure.objects.filter(start__lt=booking.end, end__gt=booking.start).filter(
                Q(equipment__isnull=True) | Q(equipment=booking.equipment)
            )
            assert not hit.exists(), (booking, list(hit))


@pytest.mark.django_db
def test_any_sequence_of_bookings_cancellations_and_closures_keeps_the_rules(settings_fast):
    with time_machine.travel(NOW, tick=False):
        run_state_machine_as_test(
            BookingMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=15,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )


@pytest.fixture
def settings_fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
