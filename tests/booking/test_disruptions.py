"""Closures, maintenance and opening-hour changes take care of the live bookings they hit."""

import datetime
from decimal import Decimal

import pytest

from booking import selectors, services
from booking.models import Booking, BookingEvent, BookingStatus, Closure, EquipmentStatus
from booking.services.disruptions import LAB_CANCELLED_KIND
from caiac.errors import Invalid, NotAllowed
from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.rendering import message_render
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 25)


def book(user, machine, start, end, **kw):
    return services.booking_create(user=user, equipment=machine, start=start, end=end, **kw)


@pytest.fixture
def two_bookings(frozen, member, other_member, organisation, machine):
    """Wednesday 25 Nov: fatima (with 2 free lab hours) 09:00-11:00, youssef 14:00-15:00."""
    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        hours=Decimal(2),
        source="Pépinière",
    )
    first = book(member, machine, local(2026, 11, 25, 9, 0), local(2026, 11, 25, 11, 0))
    second = book(other_member, machine, local(2026, 11, 25, 14, 0), local(2026, 11, 25, 15, 0))
    assert first.credit_hours == 2
    return first, second


def _reminders(booking):
    return Message.objects.filter(dedup_key__startswith=f"booking:{booking.pk}:reminder")


def _lab_messages():
    return Message.objects.filter(kind=LAB_CANCELLED_KIND)


def test_a_closure_over_two_bookings_of_two_organisations_cancels_both_and_tells_each_booker(
    two_bookings, staff, machine, organisation, member, other_member
):
    first, second = two_bookings
    assert _reminders(first).filter(status=MessageStatus.PENDING).count() == 2

    change = services.closure_create(
        by=staff,
        equipment=None,
        start=local(2026, 11, 25, 0, 0),
        end=local(2026, 11, 26, 0, 0),
        reason="Coupure d'électricité",
    )

    assert change.instance.pk and not change.dry_run
    assert sorted(b.pk for b in change.cancelled) == sorted([first.pk, second.pk])
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert booking.status_reason == "Coupure d'électricité"
        event = booking.events.last()
        assert (event.from_status, event.to_status, event.actor) == (
            BookingStatus.CONFIRMED,
            BookingStatus.CANCELLED,
            staff,
        )
        assert not _reminders(booking).filter(status=MessageStatus.PENDING).exists()
    assert selectors.lab_credit_balance(organisation=organisation, on=DAY) == 2
    messages = _lab_messages()
    assert sorted(m.recipient_id for m in messages) == sorted([member.pk, other_member.pk])
    assert all(m.status == MessageStatus.PENDING for m in messages)


def test_the_booker_is_told_in_their_language_with_the_reason(two_bookings, staff, other_member):
    other_member.language = "ar"
    other_member.save()
    services.closure_create(
        by=staff,
        start=local(2026, 11, 25, 13, 0),
        end=local(2026, 11, 25, 18, 0),
        reason="Fuite d'eau",
    )
    message = _lab_messages().get()
    assert message.recipient == other_member and message.language == "ar"
    rendered = message_render(message)
    assert "Fuite d'eau" in rendered.body
    assert "Mélangeur planétaire" in rendered.body
    french = message_render(message, language="fr")
    assert "annulé" in (french.subject + french.body).lower()


def test_one_booker_with_two_hit_bookings_gets_one_message(frozen, member, machine, staff):
    book(member, machine, local(2026, 11, 25, 9, 0), local(2026, 11, 25, 10, 0))
    book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    services.equipment_update(by=staff, equipment=machine, status=EquipmentStatus.MAINTENANCE)
    message = _lab_messages().get()
    assert len(message.context["bookings"]) == 2
    assert message.context["cause"] == "maintenance"


def test_a_closure_dry_run_lists_the_bookings_and_writes_nothing(two_bookings, staff, machine):
    first, _second = two_bookings
    messages_before = Message.objects.count()
    events_before = BookingEvent.objects.count()

    change = services.closure_create(
        by=staff,
        equipment=machine,
        start=local(2026, 11, 25, 10, 0),
        end=local(2026, 11, 25, 12, 0),
        reason="Maintenance",
        dry_run=True,
    )

    assert change.dry_run and change.instance.pk is None
    assert [b.pk for b in change.affected] == [first.pk]
    assert change.cancelled == []
    assert not Closure.objects.exists()
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert (Message.objects.count(), BookingEvent.objects.count()) == (
        messages_before,
        events_before,
    )


def test_a_closure_of_another_machine_or_another_day_hits_nothing(two_bookings, staff):
    other_machine = EquipmentFactory()
    change = services.closure_create(
        by=staff,
        equipment=other_machine,
        start=local(2026, 11, 25, 0, 0),
        end=local(2026, 11, 26, 0, 0),
        reason="Maintenance",
    )
    assert change.cancelled == []
    change = services.closure_create(
        by=staff,
        start=local(2026, 11, 25, 11, 0),  # ends exactly where the 11:00 one ends: no overlap
        end=local(2026, 11, 25, 14, 0),
        reason="Réunion",
    )
    assert change.cancelled == []


def test_cancelled_and_completed_bookings_are_not_hit(two_bookings, staff, member):
    first, second = two_bookings
    services.booking_cancel(user=member, booking=first)
    change = services.closure_create(
        by=staff,
        start=local(2026, 11, 25, 0, 0),
        end=local(2026, 11, 26, 0, 0),
        reason="Fermeture",
        dry_run=True,
    )
    assert [b.pk for b in change.affected] == [second.pk]


def test_moving_a_closure_over_a_booking_cancels_it(two_bookings, staff):
    first, _second = two_bookings
    closure = services.closure_create(
        by=staff, start=local(2026, 11, 27, 9, 0), end=local(2026, 11, 27, 12, 0), reason="Audit"
    ).instance
    preview = services.closure_update(
        by=staff,
        closure=closure,
        start=local(2026, 11, 25, 9, 0),
        end=local(2026, 11, 25, 12, 0),
        dry_run=True,
    )
    assert [b.pk for b in preview.affected] == [first.pk]
    closure.refresh_from_db()
    assert closure.start == local(2026, 11, 27, 9, 0)
    change = services.closure_update(
        by=staff, closure=closure, start=local(2026, 11, 25, 9, 0), end=local(2026, 11, 25, 12, 0)
    )
    assert [b.pk for b in change.cancelled] == [first.pk]


def test_maintenance_cancels_the_machines_bookings_not_yet_over(
    two_bookings, staff, machine, organisation
):
    first, second = two_bookings
    other_machine_booking = book(
        second.booked_by,
        EquipmentFactory(),
        local(2026, 11, 25, 9, 0),
        local(2026, 11, 25, 10, 0),
    )
    preview = services.equipment_update(
        by=staff, equipment=machine, status=EquipmentStatus.MAINTENANCE, dry_run=True
    )
    assert sorted(b.pk for b in preview.affected) == sorted([first.pk, second.pk])
    machine.refresh_from_db()
    assert machine.status == EquipmentStatus.AVAILABLE
    assert not _lab_messages().exists()

    change = services.equipment_update(
        by=staff, equipment=machine, status=EquipmentStatus.MAINTENANCE, reason="Joint à changer"
    )

    assert change.instance.status == EquipmentStatus.MAINTENANCE
    assert sorted(b.pk for b in change.cancelled) == sorted([first.pk, second.pk])
    first.refresh_from_db()
    other_machine_booking.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED and first.status_reason == "Joint à changer"
    assert other_machine_booking.status == BookingStatus.CONFIRMED
    assert selectors.lab_credit_balance(organisation=organisation, on=DAY) == 2
    assert _lab_messages().count() == 2
    assert not _reminders(first).filter(status=MessageStatus.PENDING).exists()


def test_retiring_a_machine_cancels_its_bookings_with_the_retired_cause(
    two_bookings, staff, machine
):
    change = services.equipment_update(by=staff, equipment=machine, status=EquipmentStatus.RETIRED)
    assert len(change.cancelled) == 2
    assert {m.context["cause"] for m in _lab_messages()} == {"retired"}


def test_editing_a_machine_without_leaving_service_hits_nothing(two_bookings, staff, machine):
    change = services.equipment_update(by=staff, equipment=machine, name="Mélangeur 2")
    assert change.cancelled == []
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


def test_shorter_opening_hours_cancel_only_the_bookings_they_no_longer_cover(
    two_bookings, staff, lab_hours
):
    first, second = two_bookings  # 09:00-11:00 and 14:00-15:00 on a Wednesday
    wednesday = next(r for r in lab_hours if r.weekday == 2)

    preview = services.opening_hours_update(
        by=staff, rule=wednesday, closes_at=datetime.time(13, 0), dry_run=True
    )
    assert [b.pk for b in preview.affected] == [second.pk]
    wednesday.refresh_from_db()
    assert wednesday.closes_at == datetime.time(17, 30)

    change = services.opening_hours_update(by=staff, rule=wednesday, closes_at=datetime.time(13, 0))
    assert [b.pk for b in change.cancelled] == [second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)
    assert _lab_messages().get().context["cause"] == "opening_hours"


def test_a_seasonal_timetable_over_booked_days_lists_what_it_no_longer_covers(two_bookings, staff):
    first, _second = two_bookings
    change = services.opening_hours_create(
        by=staff,
        weekday=2,
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(15, 0),
        valid_from=datetime.date(2026, 11, 25),
        valid_until=datetime.date(2026, 11, 25),
        label="Ramadan",
        dry_run=True,
    )
    assert change.affected == []  # 09:00-11:00 and 14:00-15:00 both inside 09:00-15:00
    change = services.opening_hours_create(
        by=staff,
        weekday=2,
        opens_at=datetime.time(10, 0),
        closes_at=datetime.time(15, 0),
        valid_from=datetime.date(2026, 11, 25),
        valid_until=datetime.date(2026, 11, 25),
        label="Ramadan",
    )
    assert [b.pk for b in change.cancelled] == [first.pk]


def test_a_machines_first_own_rule_replaces_the_lab_hours_for_it(two_bookings, staff, machine):
    change = services.opening_hours_create(
        by=staff,
        equipment=machine,
        weekday=2,
        opens_at=datetime.time(13, 0),
        closes_at=datetime.time(17, 0),
        dry_run=True,
    )
    assert [b.pk for b in change.affected] == [two_bookings[0].pk]


def test_deleting_a_weekday_rule_cancels_that_days_bookings(two_bookings, staff, lab_hours):
    wednesday = next(r for r in lab_hours if r.weekday == 2)
    change = services.opening_hours_delete(by=staff, rule=wednesday, dry_run=True)
    assert len(change.affected) == 2
    change = services.opening_hours_delete(by=staff, rule=wednesday)
    assert len(change.cancelled) == 2


def test_longer_hours_hit_nothing(two_bookings, staff, lab_hours):
    wednesday = next(r for r in lab_hours if r.weekday == 2)
    change = services.opening_hours_update(by=staff, rule=wednesday, opens_at=datetime.time(7, 0))
    assert change.cancelled == []
    OpeningHoursFactory(weekday=5)  # a new Saturday: nothing to hit
    assert (
        services.opening_hours_create(
            by=staff, weekday=6, opens_at=datetime.time(9, 0), closes_at=datetime.time(12, 0)
        ).cancelled
        == []
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda by, m: services.closure_create(
            by=by, start=local(2026, 11, 25, 0, 0), end=local(2026, 11, 26, 0, 0), reason="x"
        ),
        lambda by, m: services.equipment_update(by=by, equipment=m, status="maintenance"),
        lambda by, m: services.opening_hours_create(
            by=by, weekday=6, opens_at=datetime.time(9, 0), closes_at=datetime.time(12, 0)
        ),
    ],
    ids=["closure", "maintenance", "opening-hours"],
)
def test_only_staff_change_the_catalogue(two_bookings, member, machine, call):
    with pytest.raises(NotAllowed):
        call(member, machine)
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}


def test_a_45_minute_minimum_on_a_30_minute_step_is_refused(staff, lab_hours, machine):
    with pytest.raises(Invalid) as exc:
        services.equipment_update(by=staff, equipment=machine, min_duration_minutes=45)
    assert "min_duration_minutes" in exc.value.fields
    with pytest.raises(Invalid):
        services.equipment_create(
            by=staff, name="Étiqueteuse", category="packaging", slot_minutes=30,
            min_duration_minutes=45, max_duration_minutes=120,
        )  # fmt: skip


def test_a_closure_needs_a_reason_for_the_bookers(staff, frozen):
    with pytest.raises(Invalid) as exc:
        services.closure_create(
            by=staff, start=local(2026, 11, 25, 0, 0), end=local(2026, 11, 26, 0, 0), reason=" "
        )
    assert "reason" in exc.value.fields
