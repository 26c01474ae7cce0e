import pytest
from django.template.loader import render_to_string
from django.utils import translation

from booking.messaging import booking_context
from caiac.notifications.models import Message
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db

KINDS = ["confirmed", "pending", "approved", "rejected", "cancelled", "reminder_24h", "reminder_1h"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_booking_message_renders_with_the_casablanca_wall_clock(
    frozen, member, machine, kind
):
    from booking import services

    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    booking.status_reason = "Machine reserved for a training"
    context = booking_context(booking)
    with translation.override("en"):
        subject = render_to_string(f"messages/booking.{kind}.subject.txt", context).strip()
        body = render_to_string(f"messages/booking.{kind}.body.txt", context)
    assert "\n" not in subject and machine.name in subject
    assert "09:00" in subject  # 09:00 on the Casablanca wall clock, 24-hour in every language
    assert machine.name in body
    if kind == "rejected":
        assert "Machine reserved for a training" in body


def test_the_message_context_carries_the_ics_event(frozen, member, machine):
    from booking import services

    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    message = Message.objects.get(dedup_key=f"booking:{booking.pk}:confirmed")
    assert message.recipient == member
    assert message.context["ics"] == {
        "uid": f"booking-{booking.pk}@caiac-lab",
        "summary": machine.name,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "location": machine.location,
    }
