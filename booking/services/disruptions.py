"""Live bookings that a staff change of the catalogue hits: a closure, a machine going into
maintenance or retired, opening hours that no longer cover them.

The catalogue services (``booking.services.catalogue``) first list them (``dry_run``: nothing is
written), then, in the transaction of the change, cancel them with the reason: status
``cancelled``, one ``BookingEvent`` each, their free lab hours given back (spent hours only count
for bookings that are not cancelled), their reminders dropped, and one message to each booker in
their language listing their cancelled bookings.
"""

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import messaging
from booking.models import LIVE_STATUSES, Booking, BookingEvent, BookingStatus
from caiac.accounts.models import User
from caiac.notifications.services import message_schedule

LAB_CANCELLED_KIND = "booking.cancelled_by_lab"

T = TypeVar("T")


class Cause(models.TextChoices):
    CLOSURE = "closure", _("The lab or the machine is closed then.")
    MAINTENANCE = "maintenance", _("The machine goes into maintenance.")
    RETIRED = "retired", _("The machine is withdrawn from service.")
    OPENING_HOURS = "opening_hours", _("The new opening hours no longer cover it.")


@dataclass
class CatalogueChange(Generic[T]):
    """A change of the catalogue and the live bookings it hits.

    ``instance``: the saved object; on a dry run, the object as it would be (unsaved for a new
    one, untouched in the database otherwise). ``affected``: the live bookings it hits,
    cancelled unless ``dry_run``.
    """

    instance: T
    affected: list[Booking]
    dry_run: bool

    @property
    def cancelled(self) -> list[Booking]:
        return [] if self.dry_run else self.affected


def cancel_hit_bookings(
    *, by: User, bookings: list[Booking], cause: str, reason: str = ""
) -> list[Booking]:
    """Cancel ``bookings`` inside the caller's transaction (see the module docstring).

    Rows are re-read under a lock and only those still live are cancelled; returns them."""
    if not bookings:
        return []
    given = (reason or "").strip()
    reason = given or str(Cause(cause).label)
    locked = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(pk__in=[b.pk for b in bookings], status__in=LIVE_STATUSES)
        .select_related("equipment", "organisation", "booked_by")
        .order_by("start", "id")
    )
    if not locked:
        return []
    now = timezone.now()
    events = [
        BookingEvent(
            booking=booking,
            actor=by,
            from_status=booking.status,
            to_status=BookingStatus.CANCELLED,
            reason=reason[:500],
            cause=cause,
        )
        for booking in locked
    ]
    Booking.objects.filter(pk__in=[b.pk for b in locked]).update(
        status=BookingStatus.CANCELLED, status_reason=reason[:500], updated_at=now
    )
    BookingEvent.objects.bulk_create(events)
    for booking in locked:
        booking.status = BookingStatus.CANCELLED
        booking.status_reason = reason[:500]
        messaging.drop_reminders(booking)
    _tell_bookers(locked, cause=cause, reason=given)
    return locked


def _tell_bookers(bookings: list[Booking], *, cause: str, reason: str) -> None:
    batch = uuid.uuid4().hex[:12]
    by_booker: dict[int, list[Booking]] = {}
    for booking in bookings:
        by_booker.setdefault(booking.booked_by_id, []).append(booking)
    for booker_id, own in by_booker.items():
        message_schedule(
            recipient=own[0].booked_by,
            kind=LAB_CANCELLED_KIND,
            dedup_key=f"lab-cancellation:{batch}:user:{booker_id}",
            about=own[0],
            context={
                "cause": cause,
                "reason": reason,
                "bookings": [
                    {
                        "booking_id": b.pk,
                        "equipment": b.equipment.name,
                        "organisation": b.organisation.name,
                        "start": b.start.isoformat(),
                        "end": b.end.isoformat(),
                        "credit_hours": str(b.credit_hours),
                    }
                    for b in own
                ],
            },
        )
