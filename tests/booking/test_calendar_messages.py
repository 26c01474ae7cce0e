"""Booking emails carry iTIP messages (RFC 5546) that calendar apps act on, read by two parsers."""

import datetime

import pytest
from django.core import mail

from booking import services
from booking.models import Booking
from caiac.notifications.delivery import message_deliver
from caiac.notifications.models import Message, MessageStatus
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.icalendar_readers import read_invitation

pytestmark = pytest.mark.django_db


def deliver(key_prefix: str) -> list:
    """Send every message under a key prefix (due or not) and return the emails, in order."""
    sent = []
    for message in Message.objects.filter(dedup_key__startswith=key_prefix).order_by("id"):
        Message.objects.filter(pk=message.pk).update(due_at=message.created_at)
        before = len(mail.outbox)
        message_deliver(message_id=message.pk)
        sent += mail.outbox[before:]
    return sent


def move(booking: Booking, *, start, end) -> Booking:
    return services.booking_move(user=booking.booked_by, booking=booking, start=start, end=end)


def test_create_move_cancel_is_request_request_cancel_with_one_uid_and_a_rising_sequence(
    frozen, member, machine
):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    (created,) = deliver(f"booking:{booking.pk}:confirmed")
    move(booking, start=local(2026, 11, 27, 14), end=local(2026, 11, 27, 15))
    (moved,) = deliver(f"booking:{booking.pk}:move-")
    services.booking_cancel(user=member, booking=booking)
    (cancelled,) = deliver(f"booking:{booking.pk}:cancelled")

    events = [read_invitation(email) for email in (created, moved, cancelled)]
    assert [(e["method"], e["status"], e["sequence"]) for e in events] == [
        ("REQUEST", "CONFIRMED", 0),
        ("REQUEST", "CONFIRMED", 1),
        ("CANCEL", "CANCELLED", 2),
    ]
    assert {e["uid"] for e in events} == {f"booking-{booking.pk}@caiac-lab"}
    assert events[0]["start"] == datetime.datetime(2026, 11, 26, 9, tzinfo=datetime.UTC)
    assert events[1]["start"] == datetime.datetime(2026, 11, 27, 14, tzinfo=datetime.UTC)
    assert all(e["organizer"] == "mailto:noreply@caiac.ma" for e in events)


def test_a_move_moves_the_reminders_to_the_new_time_with_the_new_revision(frozen, member, machine):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    move(booking, start=local(2026, 11, 27, 14), end=local(2026, 11, 27, 15))
    reminders = Message.objects.filter(dedup_key__startswith=f"booking:{booking.pk}:reminder")
    pending = reminders.filter(status=MessageStatus.PENDING)
    assert {m.dedup_key for m in pending} == {
        f"booking:{booking.pk}:reminder-24h:1",
        f"booking:{booking.pk}:reminder-1h:1",
    }
    assert reminders.filter(status=MessageStatus.CANCELLED).count() == 2
    day_before = pending.get(kind="booking.reminder_24h")
    assert day_before.due_at == local(2026, 11, 26, 14)
    assert day_before.context["ics"]["sequence"] == 1


def test_a_pending_booking_is_tentative_then_confirmed_when_approved(
    frozen, lab_hours, member, staff
):
    machine = EquipmentFactory(requires_approval=True)
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    (pending,) = deliver(f"booking:{booking.pk}:pending")
    services.booking_approve(user=staff, booking=booking)
    (approved,) = deliver(f"booking:{booking.pk}:approved")
    first, second = read_invitation(pending), read_invitation(approved)
    assert (first["method"], first["status"], first["sequence"]) == ("REQUEST", "TENTATIVE", 0)
    assert (second["method"], second["status"], second["sequence"]) == ("REQUEST", "CONFIRMED", 1)
    # The reminders now carry the confirmed event too.
    reminder = Message.objects.get(
        kind="booking.reminder_24h", object_id=booking.pk, status=MessageStatus.PENDING
    )
    assert (reminder.context["ics"]["status"], reminder.context["ics"]["sequence"]) == (
        "CONFIRMED",
        1,
    )


def test_a_rejected_booking_is_a_cancel_not_an_invitation(frozen, lab_hours, member, staff):
    machine = EquipmentFactory(requires_approval=True)
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    services.booking_reject(user=staff, booking=booking, reason="Machine needed for an audit")
    (rejected,) = deliver(f"booking:{booking.pk}:rejected")
    event = read_invitation(rejected)
    assert (event["method"], event["status"], event["sequence"]) == ("CANCEL", "CANCELLED", 1)
    assert event["uid"] == f"booking-{booking.pk}@caiac-lab"


@pytest.mark.parametrize("kind", ["reminder_24h", "reminder_1h"])
def test_every_booking_reminder_carries_the_current_invitation(frozen, member, machine, kind):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    (email,) = deliver(f"booking:{booking.pk}:{kind.replace('_', '-')}")
    event = read_invitation(email)
    assert (event["method"], event["status"], event["sequence"]) == ("REQUEST", "CONFIRMED", 0)


def test_the_reminder_of_a_booking_cancelled_behind_the_outbox_is_dropped_at_send_time(
    frozen, member, machine
):
    """Even if a cancellation forgot to drop it, a reminder is checked when it is due."""
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    assert deliver(f"booking:{booking.pk}:reminder") == []
    statuses = set(
        Message.objects.filter(dedup_key__startswith=f"booking:{booking.pk}:reminder").values_list(
            "status", flat=True
        )
    )
    assert statuses == {MessageStatus.CANCELLED}
