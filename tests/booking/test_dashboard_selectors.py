"""The figures of the staff dashboard, each in a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest

from booking import selectors, services
from booking.models import Booking, BookingStatus
from caiac.accounts.models import Gender, OrganisationKind
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

FIRST, LAST = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


def _book(user, machine, day, hour, hours=1):
    return services.booking_create(
        user=user,
        equipment=machine,
        start=local(2026, 11, day, hour),
        end=local(2026, 11, day, hour + hours),
    )


def test_utilisation_per_machine_per_week_is_booked_over_open_hours(frozen, member, machine):
    _book(member, machine, 24, 9, hours=3)  # week of Monday 23 Nov: 45 h open, 3 booked
    weeks, rows = selectors.utilisation_by_week(first=FIRST, last=LAST)
    assert weeks[0] == datetime.date(2026, 10, 26) and weeks[-1] == datetime.date(2026, 11, 30)
    row = next(r for r in rows if r.id == machine.pk)
    index = weeks.index(datetime.date(2026, 11, 23))
    assert (row.booked[index], row.open[index]) == (Decimal("3.00"), Decimal("45.00"))
    assert row.utilisation[index] == Decimal("0.067")
    usage = selectors.usage_report(start=local(2026, 11, 23), end=local(2026, 11, 30))
    same = next(r for r in usage["equipment"] if r.id == machine.pk)
    assert (same.hours_booked, same.opening_hours) == (row.booked[index], row.open[index])


def test_dashboard_selectors_read_a_bounded_number_of_queries(
    frozen, member, machine, django_assert_max_num_queries
):
    for day in (24, 25, 26):
        _book(member, EquipmentFactory(), day, 9)
    with django_assert_max_num_queries(4):
        selectors.utilisation_by_week(first=FIRST, last=LAST)
    with django_assert_max_num_queries(1):
        selectors.bookings_by_organisation_kind(first=FIRST, last=LAST)
    with django_assert_max_num_queries(1):
        selectors.bookings_by_month(first=FIRST, last=LAST)


def test_bookings_by_organisation_kind_and_the_no_show_rate(frozen, member, machine, staff):
    startup = OrganisationFactory(kind=OrganisationKind.STARTUP)
    founder = member_of(startup)
    done = _book(member, machine, 23, 9)
    missed = _book(founder, machine, 23, 11)
    _book(founder, machine, 24, 9)
    Booking.objects.filter(pk=done.pk).update(status=BookingStatus.COMPLETED)
    Booking.objects.filter(pk=missed.pk).update(status=BookingStatus.NO_SHOW)
    kinds = {
        row["kind"]: row for row in selectors.bookings_by_organisation_kind(first=FIRST, last=LAST)
    }
    assert kinds["cooperative"]["bookings"] == 1 and kinds["startup"]["bookings"] == 2
    assert kinds["research_lab"]["bookings"] == 0
    [november] = selectors.bookings_by_month(first=FIRST, last=LAST)
    assert (november["completed"], november["no_shows"]) == (1, 1)
    assert november["no_show_rate"] == Decimal("0.500")
    assert november["booked_mad"] == done.price + missed.price


def test_training_participants_per_month_by_gender(frozen, member, other_member):
    from tests.trainings.factories import EnrolmentFactory, SessionFactory
    from trainings import selectors as training_selectors

    member.gender = Gender.WOMAN
    member.save()
    session = SessionFactory(start=local(2026, 11, 10, 9), end=local(2026, 11, 10, 12))
    EnrolmentFactory(session=session, user=member, present=True)
    EnrolmentFactory(session=session, user=other_member, present=True)
    [november] = training_selectors.participants_by_month(first=FIRST, last=LAST)
    assert november == {
        "month": datetime.date(2026, 11, 1), "participants": 2, "women": 1, "men": 0,
        "not_stated": 1,
    }  # fmt: skip
