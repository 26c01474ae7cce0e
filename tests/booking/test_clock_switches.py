"""Morocco's 2026 clock switches: 08:30 opening is 08:30 on the wall clock on both sides."""

import datetime

import pytest
import time_machine

from booking import selectors, services
from booking.models import Booking
from caiac import clock
from caiac.errors import Invalid
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

# (frozen before, Friday before, Monday after, UTC offset hours before, after)
SWITCHES = [
    pytest.param(
        local(2026, 2, 10, 12),
        datetime.date(2026, 2, 13),
        datetime.date(2026, 2, 16),
        1,
        0,
        id="ramadan-back-to-utc0",
    ),
    pytest.param(
        local(2026, 3, 16, 12),
        datetime.date(2026, 3, 20),
        datetime.date(2026, 3, 23),
        0,
        1,
        id="after-ramadan-forward-to-utc1",
    ),
    pytest.param(
        local(2026, 9, 14, 12),
        datetime.date(2026, 9, 18),
        datetime.date(2026, 9, 21),
        1,
        0,
        id="permanent-utc0-2026c",
    ),
]


def utc(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


@pytest.mark.parametrize(("now", "friday", "monday", "before", "after"), SWITCHES)
def test_opening_hours_stay_on_the_wall_clock_across_the_switch(
    machine, now, friday, monday, before, after
):
    with time_machine.travel(now, tick=False):
        free = selectors.free_slots(
            equipment=machine,
            start=utc(friday, 0, 0) - datetime.timedelta(hours=2),
            end=utc(monday, 23, 0),
        )
    assert free == [
        (utc(friday, 8 - before, 30), utc(friday, 17 - before, 30)),
        (utc(monday, 8 - after, 30), utc(monday, 17 - after, 30)),
    ]
    assert all(s.astimezone(clock.local_tz()).time() == datetime.time(8, 30) for s, _e in free)


@pytest.mark.parametrize(("now", "friday", "monday", "before", "after"), SWITCHES)
def test_booking_at_opening_works_on_both_sides_and_the_old_offset_is_refused(
    member, machine, now, friday, monday, before, after
):
    with time_machine.travel(now, tick=False):
        for day, offset in ((friday, before), (monday, after)):
            start = utc(day, 8 - offset, 30)
            booking = services.booking_create(
                user=member, equipment=machine, start=start, end=start + datetime.timedelta(hours=1)
            )
            assert booking.start.astimezone(clock.local_tz()).strftime("%H:%M") == "08:30"
        # 08:30 with the offset of the other side of the switch is 07:30 or 09:30 local time.
        stale = utc(monday, 8 - before, 30)
        if stale < utc(monday, 8 - after, 30):
            with pytest.raises(Invalid) as exc:
                services.booking_create(
                    user=member,
                    equipment=machine,
                    start=stale,
                    end=stale + datetime.timedelta(hours=1),
                )
            assert exc.value.code == "outside_opening_hours"
    assert Booking.objects.count() == 2


def test_skipped_and_repeated_local_times_are_detected():
    assert clock.is_nonexistent(datetime.date(2026, 3, 22), datetime.time(2, 30))
    assert not clock.is_nonexistent(datetime.date(2026, 3, 22), datetime.time(8, 30))
    assert clock.is_ambiguous(datetime.date(2026, 2, 15), datetime.time(2, 30))
    assert clock.is_ambiguous(datetime.date(2026, 9, 20), datetime.time(1, 30))
    assert not clock.is_ambiguous(datetime.date(2026, 9, 21), datetime.time(1, 30))


def test_a_ramadan_timetable_replaces_the_default_hours_on_its_dates(member, lab_hours, machine):
    from tests.booking.factories import lab_open_weekdays

    lab_open_weekdays(
        opens=datetime.time(9, 0), closes=datetime.time(15, 0),
        valid_from=datetime.date(2026, 2, 18), valid_until=datetime.date(2026, 3, 19),
    )  # fmt: skip
    with time_machine.travel(local(2026, 2, 10, 12), tick=False):
        free = selectors.free_slots(
            equipment=machine, start=local(2026, 2, 17), end=local(2026, 2, 19)
        )
        assert free == [
            (local(2026, 2, 17, 8, 30), local(2026, 2, 17, 17, 30)),
            (local(2026, 2, 18, 9, 0), local(2026, 2, 18, 15, 0)),
        ]
        with pytest.raises(Invalid) as exc:
            services.booking_create(
                user=member,
                equipment=machine,
                start=local(2026, 2, 18, 8, 30),
                end=local(2026, 2, 18, 9, 30),
            )
        assert exc.value.code == "outside_opening_hours"


def test_reminder_is_a_full_24_hours_before_a_booking_the_day_of_the_switch(member, machine):
    # Sunday 20 September 2026 is the day Morocco moves to permanent UTC+0; open that Sunday.
    from tests.booking.factories import OpeningHoursFactory

    OpeningHoursFactory(weekday=6, opens_at=datetime.time(8, 30), closes_at=datetime.time(17, 30))
    start = local(2026, 9, 20, 10, 0)  # a ZoneInfo start, as the forms and the API parse it
    with time_machine.travel(local(2026, 9, 14, 12), tick=False):
        booking = services.booking_create(
            user=member, equipment=machine, start=start, end=local(2026, 9, 20, 11, 0)
        )
    from caiac.notifications.models import Message

    reminder = Message.objects.get(dedup_key=f"booking:{booking.pk}:reminder-24h")
    assert reminder.due_at == datetime.datetime(2026, 9, 19, 10, 0, tzinfo=UTC)  # 11:00 local
    assert booking.end - booking.start == datetime.timedelta(hours=1)
