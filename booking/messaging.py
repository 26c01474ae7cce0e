"""What the booker is told, through the notifications outbox (docs/contracts.md)."""

import datetime
from typing import Any

from django.utils import timezone

from booking.ics import booking_ics
from booking.models import Booking, BookingEvent
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
        # A REQUEST while the booking stands, a CANCEL once cancelled or rejected (same UID,
        # the SEQUENCE of this revision): caiac.ical.
        "ics": booking_ics(booking),
    }


def announce(booking: Booking, event: str) -> None:
    """``event``: confirmed, pending, approved, rejected or cancelled (a move: announce_move)."""
    key = f"booking:{booking.pk}:{event}"
    message_schedule(
        recipient=booking.booked_by,
        kind=f"booking.{event}",
        dedup_key=key,
        context=booking_context(booking),
        about=booking,
    )


def schedule_reminders(booking: Booking) -> None:
    """The day-before and hour-before reminders of the booking as it is now.

    Each revision (``Booking.sequence``) has its own keys, after the first: a booking moved after
    its day-before reminder went out gets one for its new time, and the invitation a reminder
    carries is always the latest. Pending reminders of an earlier revision are dropped.
    """
    now = timezone.now()
    context = booking_context(booking)
    drop_reminders(booking)
    revision = f":{booking.sequence}" if booking.sequence else ""
    for kind, suffix, hours in REMINDERS:
        due = hours_before(booking.start, hours=hours)
        if due <= now:
            continue  # booked at short notice: the confirmation is the reminder
        message_schedule(
            recipient=booking.booked_by,
            kind=kind,
            dedup_key=f"booking:{booking.pk}:{suffix}{revision}",
            due_at=due,
            send_before=booking.start,
            context=context,
            about=booking,
        )


def drop_reminders(booking: Booking) -> None:
    messages_drop(dedup_prefix=f"booking:{booking.pk}:reminder")


def announce_move(booking: Booking, *, event: BookingEvent) -> None:
    """Everything a move says and re-schedules, in one place: the reminders of the new time
    (those of the old time dropped; keys of the new revision, so one already sent for the old
    time does not stop them), and the booker told with the old and new times and the updated
    invitation — same UID, the next SEQUENCE (the move service called ``booking.revise()``)."""
    if booking.is_live:
        schedule_reminders(booking)
    else:
        drop_reminders(booking)
    context = booking_context(booking)
    context["previous_start"] = event.moved_from_start.isoformat()
    context["previous_end"] = event.moved_from_end.isoformat()
    messages_drop(dedup_prefix=f"booking:{booking.pk}:move-")  # a move not yet told: replaced
    message_schedule(
        recipient=booking.booked_by,
        kind="booking.moved",
        dedup_key=f"booking:{booking.pk}:move-{event.pk}",
        context=context,
        about=booking,
    )


def still_applies(message) -> bool:
    """At send time (caiac.notifications.relevance): a reminder of a booking that is no longer
    live, or no longer at that time, is dropped instead of sent."""
    booking = Booking.objects.filter(pk=message.object_id).only("status", "start").first()
    if booking is None or not booking.is_live:
        return False
    start = (message.context or {}).get("start")
    return bool(start) and datetime.datetime.fromisoformat(start) == booking.start
