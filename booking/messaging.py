"""What the booker is told, through the notifications outbox (docs/contracts.md)."""

import datetime
from typing import Any

from django.utils import timezone

from booking.models import Booking
from caiac.notifications.services import message_schedule, messages_drop

REMINDERS = (
    ("booking.reminder_24h", "reminder-24h", datetime.timedelta(hours=24)),
    ("booking.reminder_1h", "reminder-1h", datetime.timedelta(hours=1)),
)


def booking_context(booking: Booking) -> dict[str, Any]:
    equipment = booking.equipment
    return {
        "booking_id": booking.pk,
        "equipment": equipment.name,
        "location": equipment.location,
        "organisation": booking.organisation.name,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "status": booking.status,
        "price": str(booking.price),
        "credit_hours": str(booking.credit_hours),
        "reason": booking.status_reason,
        "ics": {
            "uid": f"booking-{booking.pk}@caiac-lab",
            "summary": equipment.name,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "location": equipment.location,
        },
    }


def announce(booking: Booking, event: str) -> None:
    """``event``: confirmed, pending, approved, rejected or cancelled."""
    message_schedule(
        recipient=booking.booked_by,
        kind=f"booking.{event}",
        dedup_key=f"booking:{booking.pk}:{event}",
        context=booking_context(booking),
        about=booking,
    )


def schedule_reminders(booking: Booking) -> None:
    now = timezone.now()
    context = booking_context(booking)
    for kind, suffix, before in REMINDERS:
        due = booking.start - before
        if due <= now:
            continue  # booked at short notice: the confirmation is the reminder
        message_schedule(
            recipient=booking.booked_by,
            kind=kind,
            dedup_key=f"booking:{booking.pk}:{suffix}",
            due_at=due,
            send_before=booking.start,
            context=context,
            about=booking,
        )


def drop_reminders(booking: Booking) -> None:
    messages_drop(dedup_prefix=f"booking:{booking.pk}:reminder")
