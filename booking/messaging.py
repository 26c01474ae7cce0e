"""What the booker is told, through the notifications outbox (docs/contracts.md)."""

from typing import Any

from django.utils import timezone

from booking.models import Booking, BookingEvent
from caiac.notifications.models import MessageStatus
from caiac.notifications.services import message_schedule, messages_drop
from caiac.notifications.timing import hours_before

REMINDERS = (
    ("booking.reminder_24h", "reminder-24h", 24),
    ("booking.reminder_1h", "reminder-1h", 1),
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


def schedule_reminders(booking: Booking, *, revision: str = "") -> None:
    """The reminders before the start. ``revision`` (after a move): a reminder of the old time
    that already went out does not stop the one of the new time (its key gets the revision)."""
    now = timezone.now()
    context = booking_context(booking)
    for kind, suffix, hours in REMINDERS:
        due = hours_before(booking.start, hours=hours)
        if due <= now:
            continue  # booked at short notice: the confirmation is the reminder
        values = {
            "recipient": booking.booked_by,
            "kind": kind,
            "due_at": due,
            "send_before": booking.start,
            "context": context,
            "about": booking,
        }
        message = message_schedule(dedup_key=f"booking:{booking.pk}:{suffix}", **values)
        if revision and message.status in (MessageStatus.SENT, MessageStatus.SENDING):
            message_schedule(dedup_key=f"booking:{booking.pk}:{suffix}:{revision}", **values)


def drop_reminders(booking: Booking) -> None:
    messages_drop(dedup_prefix=f"booking:{booking.pk}:reminder")


def announce_move(booking: Booking, *, event: BookingEvent) -> None:
    """Everything a move says and re-schedules, in one place: the reminders of the old time are
    dropped and those of the new time scheduled (by dedup key), and the booker is told, with the
    old and new times. (An iCalendar update of the attached event belongs here too.)"""
    revision = f"move-{event.pk}"
    drop_reminders(booking)
    if booking.status in ("pending", "confirmed"):
        schedule_reminders(booking, revision=revision)
    context = booking_context(booking)
    context["previous_start"] = event.moved_from_start.isoformat()
    context["previous_end"] = event.moved_from_end.isoformat()
    message_schedule(
        recipient=booking.booked_by,
        kind="booking.moved",
        dedup_key=f"booking:{booking.pk}:{revision}",
        context=context,
        about=booking,
    )
