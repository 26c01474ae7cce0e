import datetime

import pytest
import time_machine

from booking import services
from booking.models import BookingStatus
from caiac import clock
from caiac.errors import Conflict, Invalid
from caiac.notifications.models import Message
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def early_march():
    with time_machine.travel(local(2026, 3, 1, 10), tick=False) as traveller:
        yield traveller


def test_a_weekly_series_books_free_tuesdays_and_reports_the_clash(
    early_march, member, other_member, machine
):
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 3, 17, 9, 30),
        end=local(2026, 3, 17, 10, 30),
    )
    result = services.booking_series_create(
        user=member,
        equipment=machine,
        start=local(2026, 3, 10, 9, 0),
        end=local(2026, 3, 10, 10, 0),
        weekly_until=datetime.date(2026, 3, 31),
    )
    booked = [b.start for b in result.booked]
    assert booked == [local(2026, 3, 10, 9), local(2026, 3, 24, 9), local(2026, 3, 31, 9)]
    # 09:00 on the wall clock on both sides of the 22 March switch
    assert {b.astimezone(clock.local_tz()).time() for b in booked} == {datetime.time(9, 0)}
    assert booked[0].utcoffset() is not None
    assert [(c.date, c.code) for c in result.clashes] == [
        (datetime.date(2026, 3, 17), "slot_unavailable")
    ]
    # one confirmation for the whole series
    assert Message.objects.filter(recipient=member, kind="booking.confirmed").count() == 1


def test_a_series_that_cannot_book_anything_is_refused(early_march, member, machine):
    with pytest.raises(Conflict) as exc:
        services.booking_series_create(
            user=member, equipment=machine, start=local(2026, 3, 14, 9, 0),  # Saturdays: closed
            end=local(2026, 3, 14, 10, 0), weekly_until=datetime.date(2026, 3, 28),
        )  # fmt: skip
    assert exc.value.code == "slot_unavailable"


def test_a_series_longer_than_a_year_is_refused(early_march, member, machine):
    with pytest.raises(Invalid) as exc:
        services.booking_series_create(
            user=member, equipment=machine, start=local(2026, 3, 10, 9, 0),
            end=local(2026, 3, 10, 10, 0), weekly_until=datetime.date(2027, 6, 1),
        )  # fmt: skip
    assert exc.value.code == "too_many_occurrences"


def test_cancelling_a_series_from_a_date_keeps_the_earlier_occurrences(
    early_march, member, machine
):
    result = services.booking_series_create(
        user=member, equipment=machine, start=local(2026, 3, 10, 9, 0),
        end=local(2026, 3, 10, 10, 0), weekly_until=datetime.date(2026, 3, 31),
    )  # fmt: skip
    outcome = services.booking_series_cancel(
        user=member, series=result.series, from_date=datetime.date(2026, 3, 24)
    )
    assert [clock.local_date(b.start) for b in outcome.cancelled] == [
        datetime.date(2026, 3, 24),
        datetime.date(2026, 3, 31),
    ]
    statuses = list(result.series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "cancelled", "cancelled"]
    services.booking_series_cancel(user=member, series=result.series)
    assert set(result.series.bookings.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
