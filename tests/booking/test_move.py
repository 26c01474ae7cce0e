"""Moving a booking: POST /api/v1/bookings/{id}/move/ {"start", "end"} (and booking_move)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from booking import services
from booking.models import Booking, BookingEvent, BookingStatus, LabCreditUse
from caiac.notifications.models import Message, MessageStatus
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/move/"


def body(start, end) -> dict:
    return {"start": start.isoformat(), "end": end.isoformat()}


@pytest.fixture
def booked(frozen, member, machine):
    """Thursday 26 November 2026, 09:00-10:00 (frozen: Monday 23, 07:00)."""
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


def test_a_member_moves_their_booking_and_gets_the_same_booking_at_the_new_time(
    client_for, member, booked
):
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 27, 14), local(2026, 11, 27, 16)), format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == booked.pk
    assert parse_datetime(data["start"]) == local(2026, 11, 27, 14)
    assert parse_datetime(data["end"]) == local(2026, 11, 27, 16)
    assert data["status"] == "confirmed"
    assert data["price"] == "200.00"  # two hours at the member rate, recomputed
    assert Booking.objects.count() == 1


def test_the_move_is_kept_in_the_bookings_history(client_for, member, booked):
    client_for(member).post(
        url(booked), body(local(2026, 11, 27, 14), local(2026, 11, 27, 15)), format="json"
    )
    event = BookingEvent.objects.filter(booking=booked).last()
    assert event.actor == member
    assert (event.moved_from_start, event.moved_from_end) == (
        local(2026, 11, 26, 9),
        local(2026, 11, 26, 10),
    )
    events = client_for(member).get(f"/api/v1/bookings/{booked.pk}/").json()["events"]
    assert parse_datetime(events[-1]["moved_from_start"]) == local(2026, 11, 26, 9)


def test_the_reminders_follow_the_new_time_and_the_booker_is_told(client_for, member, booked):
    client_for(member).post(
        url(booked), body(local(2026, 11, 27, 14), local(2026, 11, 27, 15)), format="json"
    )
    day_before = Message.objects.get(dedup_key=f"booking:{booked.pk}:reminder-24h")
    hour_before = Message.objects.get(dedup_key=f"booking:{booked.pk}:reminder-1h")
    assert day_before.status == hour_before.status == MessageStatus.PENDING
    assert day_before.due_at == local(2026, 11, 26, 14)
    assert hour_before.due_at == local(2026, 11, 27, 13)
    told = Message.objects.get(recipient=member, kind="booking.moved")
    assert told.context["previous_start"] == "2026-11-26T09:00:00+00:00"
    assert told.context["start"] == "2026-11-27T14:00:00+00:00"


def test_a_reminder_already_sent_does_not_stop_the_reminder_of_the_new_time(
    client_for, member, booked
):
    Message.objects.filter(dedup_key=f"booking:{booked.pk}:reminder-24h").update(
        status=MessageStatus.SENT, sent_at=local(2026, 11, 23, 7)
    )
    client_for(member).post(
        url(booked), body(local(2026, 12, 3, 9), local(2026, 12, 3, 10)), format="json"
    )
    again = Message.objects.filter(
        dedup_key__startswith=f"booking:{booked.pk}:reminder-24h:move-", status="pending"
    )
    assert [m.due_at for m in again] == [local(2026, 12, 2, 9)]


def test_free_lab_hours_are_given_back_then_spent_again_for_the_new_length(
    client_for, member, organisation, booked
):
    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 12, 31),
        hours=Decimal("3"),
        source="Incubation stage",
    )
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 13)), format="json"
    )
    assert response.status_code == 200
    # The original hour was booked before the credit existed: all 3 free hours go to the move.
    assert response.json()["credit_hours"] == "3.00"
    assert response.json()["price"] == "100.00"
    assert sum(u.hours for u in LabCreditUse.objects.filter(booking=booked)) == Decimal("3")


@pytest.mark.parametrize(
    ("start", "end", "status", "code"),
    [
        ((2026, 11, 27, 7), (2026, 11, 27, 8), 400, "outside_opening_hours"),
        ((2026, 11, 27, 9, 10), (2026, 11, 27, 10, 10), 400, "off_slot_step"),
        ((2026, 11, 27, 10), (2026, 11, 27, 9), 400, "invalid"),
        ((2026, 11, 23, 6), (2026, 11, 23, 9), 400, "in_the_past"),
        ((2027, 6, 1, 9), (2027, 6, 1, 10), 400, "beyond_horizon"),
        ((2026, 11, 27, 9), (2026, 11, 27, 15), 400, "too_long"),
    ],
)
def test_every_rule_of_booking_applies_with_the_same_codes(
    client_for, member, booked, start, end, status, code
):
    response = client_for(member).post(url(booked), body(local(*start), local(*end)), format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    booked.refresh_from_db()
    assert booked.start == local(2026, 11, 26, 9)


def test_moving_onto_another_booking_is_a_409(client_for, member, other_member, machine, booked):
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 11, 27, 9),
        end=local(2026, 11, 27, 11),
    )
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 27, 10), local(2026, 11, 27, 12)), format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "slot_unavailable"


def test_moving_over_its_own_time_is_allowed(client_for, member, booked):
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 26, 9, 30), local(2026, 11, 26, 10, 30)), format="json"
    )
    assert response.status_code == 200


def test_a_closure_refuses_the_move(client_for, member, machine, booked):
    ClosureFactory(equipment=machine, start=local(2026, 11, 27, 0), end=local(2026, 11, 28, 0))
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "machine_closed"


def test_a_machine_needing_a_certification_the_booker_lost_is_a_403(
    frozen, client_for, member, lab_hours
):
    from trainings.models import Certification, Course

    course = Course.objects.create(title="Autoclave safety")
    machine = EquipmentFactory(required_course=course)
    certification = Certification.objects.create(
        user=member,
        course=course,
        issued_at=local(2026, 11, 1, 9),
        expires_at=local(2026, 11, 30, 0),
    )
    assert certification
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    response = client_for(member).post(
        url(booking), body(local(2026, 12, 1, 9), local(2026, 12, 1, 10)), format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "certification_required"


def test_another_organisations_booking_is_not_found(client_for, other_member, booked):
    response = client_for(other_member).post(
        url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
    )
    assert response.status_code == 404


def test_anonymous_is_401(api_client, booked):
    response = api_client.post(
        url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
    )
    assert response.status_code == 401


def test_a_cancelled_booking_cannot_move(client_for, member, booked):
    services.booking_cancel(user=member, booking=booked)
    response = client_for(member).post(
        url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"


def test_members_move_until_the_cancellation_deadline_staff_at_any_time(
    client_for, member, staff, booked
):
    with time_machine.travel(local(2026, 11, 25, 10), tick=False):  # 23 h before: too late
        late = client_for(member).post(
            url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
        )
        assert late.status_code == 400 and late.json()["code"] == "move_deadline_passed"
        by_staff = client_for(staff).post(
            url(booked), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
        )
        assert by_staff.status_code == 200


def test_a_members_move_on_a_machine_needing_approval_waits_for_approval_again(
    frozen, client_for, member, staff, lab_hours
):
    machine = EquipmentFactory(requires_approval=True)
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    services.booking_approve(user=staff, booking=booking)
    response = client_for(member).post(
        url(booking), body(local(2026, 11, 27, 9), local(2026, 11, 27, 10)), format="json"
    )
    assert response.json()["status"] == BookingStatus.PENDING
    again = client_for(staff).post(
        url(booking), body(local(2026, 11, 27, 10), local(2026, 11, 27, 11)), format="json"
    )
    assert again.json()["status"] == BookingStatus.PENDING  # staff moves keep the status


def test_the_price_follows_the_rate_of_the_new_day(frozen, client_for, lab_hours):
    organisation = OrganisationFactory(
        is_cluster_member=True, membership_expires_on=datetime.date(2026, 11, 30)
    )
    member = member_of(organisation)
    machine = EquipmentFactory()
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    assert booking.price == Decimal("100.00")
    response = client_for(member).post(
        url(booking), body(local(2026, 12, 1, 9), local(2026, 12, 1, 10)), format="json"
    )
    assert response.json()["price"] == "200.00"
    assert response.json()["member_rate"] is False
