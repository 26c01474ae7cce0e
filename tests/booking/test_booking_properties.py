"""Property tests of the booking rules (hypothesis, stateful): whatever sequence of bookings,
moves, cancellations and closures hits a machine, no two live bookings overlap (buffer included),
no live booking sits in a closure, availability offers exactly what booking (and moving) then
accepts, a moved booking frees its old slot, and moving onto a taken slot is a 409.

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
    precondition,
    rule,
    run_state_machine_as_test,
)

from booking import selectors, services
from booking.models import Booking, Closure
from caiac.errors import Conflict, DomainError
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
            cancellation_deadline_hours=0,  # members may move until the start (deadline: elsewhere)
        )

    # --- actions -------------------------------------------------------------------------

    def _offered(self, start, end, *, without=None) -> bool:
        """What availability promises: any [start, end) inside a free interval, between the
        machine's shortest and longest duration (on the grid: every slot drawn here is)."""
        if not STEP <= end - start <= 8 * STEP:
            return False
        day_start = midnight((start.astimezone(CASA).date() - MONDAY).days)
        free = selectors.free_slots(
            equipment=self.machine,
            start=day_start,
            end=day_start + datetime.timedelta(days=1),
            exclude_id=without.pk if without else None,
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

    def _has_live(self, n: int = 1) -> bool:
        return hasattr(self, "machine") and self._live().count() >= n

    @precondition(lambda self: self._has_live())
    @rule(data=st.data(), day=days, slot=slots_of_day, duration=durations, by_staff=st.booleans())
    def move_a_live_booking_anywhere(self, data, day, slot, duration, by_staff):
        """Any slot, on the grid, in range: offered (availability without the booking itself)
        and accepted are the same question."""
        booking = data.draw(st.sampled_from(list(self._live())))
        start = midnight(day) + slot * STEP
        self._move(booking, start, start + duration, by_staff=by_staff)

    @precondition(lambda self: self._has_live())
    @rule(data=st.data(), day=days, by_staff=st.booleans())
    def move_a_live_booking_where_availability_offers(self, data, day, by_staff):
        booking = data.draw(st.sampled_from(list(self._live())))
        free = selectors.free_slots(
            equipment=self.machine,
            start=midnight(day),
            end=midnight(day + 1),
            exclude_id=booking.pk,
        )
        if not free:
            return
        a, b = data.draw(st.sampled_from(free))
        start = a + data.draw(st.integers(min_value=0, max_value=(b - a - STEP) // STEP)) * STEP
        longest = min(b - start, 8 * STEP) // STEP
        end = start + data.draw(st.integers(min_value=1, max_value=longest)) * STEP
        assert self._move(booking, start, end, by_staff=by_staff), (booking, start, end, free)

    @precondition(lambda self: self._has_live())
    @rule(
        data=st.data(),
        steps=st.integers(min_value=-4, max_value=4).filter(bool),
        longer=st.integers(min_value=-2, max_value=2),
        by_staff=st.booleans(),
    )
    def shift_a_live_booking(self, data, steps, longer, by_staff):
        """The usual move: a little earlier or later, a little longer or shorter, over its own
        old time (which must not stand in its way)."""
        booking = data.draw(st.sampled_from(list(self._live())))
        start = booking.start + steps * STEP
        end = max(booking.end + steps * STEP + longer * STEP, start + STEP)
        self._move(booking, start, end, by_staff=by_staff)

    def _move(self, booking, start, end, *, by_staff) -> bool:
        """Move, check that offered == accepted, that a refusal changes nothing and that a
        moved booking keeps its id and frees its old slot for others."""
        if (start, end) == (booking.start, booking.end):
            return True  # not a move (refused as such: tests/booking/test_move.py)
        old_start, old_end = booking.start, booking.end
        offered = self._offered(start, end, without=booking)
        try:
            moved = services.booking_move(
                user=self.staff if by_staff else self.member, booking=booking, start=start, end=end
            )
        except DomainError:
            accepted = False
        else:
            accepted = True
        assert accepted == offered, (booking, start, end, offered, accepted)
        if not accepted:
            booking.refresh_from_db()
            assert (booking.start, booking.end) == (old_start, old_end)  # a refusal changes nothing
            return False
        assert moved.pk == booking.pk and (moved.start, moved.end) == (start, end)
        # Its old slot is offered again, unless the booking's new time (buffer included) is
        # what now blocks it: a new booking's own buffer must end before the next one starts.
        buffer = datetime.timedelta(minutes=self.machine.buffer_minutes)
        blocked_by_new_time = old_start < moved.blocked_until and start < old_end + buffer
        assert self._offered(old_start, old_end) == (not blocked_by_new_time), (
            (old_start, old_end),
            (start, end),
        )
        return True

    @precondition(lambda self: self._has_live(2))
    @rule(data=st.data())
    def move_onto_a_taken_slot(self, data):
        """Moving a booking onto another live booking's time is refused with a 409."""
        booking, other = data.draw(st.permutations(list(self._live())))[:2]
        before = (booking.start, booking.end, booking.status)
        try:
            services.booking_move(
                user=self.member, booking=booking, start=other.start, end=other.end
            )
        except Conflict as exc:
            assert exc.status_code == 409 and exc.code == "slot_unavailable", exc.code
        else:
            raise AssertionError(f"{booking} moved onto {other}")
        booking.refresh_from_db()
        assert (booking.start, booking.end, booking.status) == before

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
def test_any_sequence_of_bookings_moves_cancellations_and_closures_keeps_the_rules(settings_fast):
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
