"""iCalendar feeds of bookings (RFC 5545) for calendar apps."""

import datetime

import icalendar
from django.utils import timezone

from booking.models import COUNTED_STATUSES, Booking, FeedKind, FeedToken
from caiac import access

PAST = datetime.timedelta(days=90)
AHEAD = datetime.timedelta(days=400)


def feed_bookings(feed: FeedToken):
    now = timezone.now()
    qs = Booking.objects.filter(
        status__in=COUNTED_STATUSES, end__gt=now - PAST, start__lt=now + AHEAD
    ).select_related("equipment", "organisation")
    if feed.kind == FeedKind.USER:
        return qs.filter(booked_by=feed.user)
    if feed.kind == FeedKind.ORGANISATION:
        return qs.filter(organisation=feed.organisation)
    return qs.filter(equipment=feed.equipment)


def feed_calendar(feed: FeedToken, bookings) -> bytes:
    """The feed; a machine feed names organisations only for staff or their own members."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CAIAC Lab//Halle Technologique//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _feed_name(feed))
    own_orgs = set(access.organisation_ids_of(feed.user))
    staff = access.is_staff(feed.user)
    for booking in bookings:
        event = icalendar.Event()
        event.add("uid", f"booking-{booking.pk}@caiac-lab")
        event.add("dtstamp", booking.updated_at)
        event.add("dtstart", booking.start)
        event.add("dtend", booking.end)
        visible = staff or booking.organisation_id in own_orgs
        who = booking.organisation.name if visible else "Booked"
        event.add("summary", f"{booking.equipment.name} · {who}")
        if booking.equipment.location:
            event.add("location", booking.equipment.location)
        event.add("status", "TENTATIVE" if booking.status == "pending" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def _feed_name(feed: FeedToken) -> str:
    if feed.kind == FeedKind.ORGANISATION:
        return f"CAIAC Lab · {feed.organisation.name}"
    if feed.kind == FeedKind.EQUIPMENT:
        return f"CAIAC Lab · {feed.equipment.name}"
    return f"CAIAC Lab · {feed.user.display_name}"
