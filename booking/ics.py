"""Bookings (and the training sessions beside them) as iCalendar: events for emails, feeds.

- One UID per booking for life (``booking-42@caiac-lab``); SEQUENCE is ``Booking.sequence``,
  one more at every change of time or status.
- STATUS: pending → TENTATIVE; confirmed → CONFIRMED; cancelled and rejected → CANCELLED.
  Completed and no-show bookings stay CONFIRMED: a VEVENT has no other status (RFC 5545
  §3.8.1.11) and the machine *was* held for that time (a no-show is still charged); their
  DESCRIPTION says which it was, and they carry the category.
- Feeds (``feed_calendar``) are published calendars: no METHOD, every event as it is now, and a
  cancelled or rejected booking (a cancelled session, a cancelled enrolment) stays in the feed
  as STATUS:CANCELLED for ``KEEP_CANCELLED`` (30 days) after the cancellation, so that a
  subscribed calendar that polls in the meantime drops it rather than keeping a stale copy;
  after that it simply leaves the feed. A feed covers 90 days back and 400 days ahead.
"""

import datetime
import hashlib

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking.models import (
    COUNTED_STATUSES,
    Booking,
    BookingKind,
    BookingStatus,
    FeedKind,
    FeedToken,
)
from caiac import access, ical
from caiac.accounts.models import Membership
from trainings import ics as training_ics
from trainings import selectors as training_selectors

PAST = datetime.timedelta(days=90)
AHEAD = datetime.timedelta(days=400)
KEEP_CANCELLED = datetime.timedelta(days=30)
REFRESH_MINUTES = 60
GONE = (BookingStatus.CANCELLED, BookingStatus.REJECTED)


def booking_uid(booking: Booking | int) -> str:
    pk = booking.pk if isinstance(booking, Booking) else booking
    return f"booking-{pk}@caiac-lab"


def booking_status(booking: Booking) -> str:
    if booking.status == BookingStatus.PENDING:
        return ical.TENTATIVE
    if booking.status in GONE:
        return ical.CANCELLED
    return ical.CONFIRMED


def booking_ics(
    booking: Booking, *, sequence: int | None = None, summary: str = ""
) -> ical.EventData:
    """The booking as an event (JSON values), at its current SEQUENCE unless told. Emails keep
    it in their context and write it out as a REQUEST or a CANCEL (``caiac.ical``)."""
    equipment = booking.equipment
    data: ical.EventData = {
        "uid": booking_uid(booking),
        "sequence": booking.sequence if sequence is None else sequence,
        "status": booking_status(booking),
        "summary": summary or equipment.name,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "location": equipment.location,
        "updated": booking.updated_at.isoformat(),
    }
    outcome = _outcome(booking)
    if outcome:
        data["description"] = outcome
        data["categories"] = [outcome]
    return data


def _outcome(booking: Booking) -> str:
    if booking.status == BookingStatus.COMPLETED:
        return _("Completed: the machine was used.")
    if booking.status == BookingStatus.NO_SHOW:
        return _("No-show: the machine was not used.")
    return ""


# --- feeds ----------------------------------------------------------------------------------


def _shown_bookings(now: datetime.datetime):
    """Bookings a feed shows: in the window, counted, or cancelled within KEEP_CANCELLED."""
    return (
        Booking.objects.filter(kind=BookingKind.MEMBER, end__gt=now - PAST, start__lt=now + AHEAD)
        .filter(Q(status__in=COUNTED_STATUSES) | Q(updated_at__gte=now - KEEP_CANCELLED))
        .select_related("equipment", "organisation")
        .order_by("start", "id")
    )


def feed_bookings(feed: FeedToken, *, now: datetime.datetime | None = None):
    now = now or timezone.now()
    qs = _shown_bookings(now)
    if feed.kind == FeedKind.USER:
        qs = qs.filter(booked_by=feed.user)
        if not access.is_staff(feed.user):
            # Only organisations the person still belongs to: leaving one takes its bookings
            # out of their personal calendar.
            qs = qs.filter(organisation_id__in=access.organisation_ids_of(feed.user))
        return qs
    if feed.kind == FeedKind.ORGANISATION:
        return qs.filter(organisation=feed.organisation)
    return qs.filter(equipment=feed.equipment)


def _session_events(feed: FeedToken, now: datetime.datetime) -> list[ical.EventData]:
    window = {"start": now - PAST, "end": now + AHEAD, "cancelled_since": now - KEEP_CANCELLED}
    events: dict[str, ical.EventData] = {}
    if feed.kind == FeedKind.USER:
        for enrolment in training_selectors.calendar_enrolments(user_ids=[feed.user_id], **window):
            data = training_ics.participant_event(enrolment.session, enrolment)
            events[data["uid"]] = data
        for session in training_selectors.calendar_sessions_of_trainer(trainer=feed.user, **window):
            data = training_ics.trainer_event(session)
            events[data["uid"]] = data  # giving it beats attending it
    elif feed.kind == FeedKind.ORGANISATION:
        people = list(
            Membership.objects.filter(organisation=feed.organisation).values_list(
                "user_id", flat=True
            )
        )  # the organisation's people today: someone who left takes their sessions along
        by_session: dict[int, list] = {}
        for enrolment in training_selectors.calendar_enrolments(user_ids=people, **window):
            by_session.setdefault(enrolment.session_id, []).append(enrolment)
        for enrolments in by_session.values():
            data = training_ics.group_event(enrolments[0].session, enrolments)
            events[data["uid"]] = data
    else:
        holds = (
            Booking.objects.filter(
                kind=BookingKind.TRAINING,
                equipment=feed.equipment,
                end__gt=now - PAST,
                start__lt=now + AHEAD,
            )
            .filter(~Q(status__in=GONE) | Q(updated_at__gte=now - KEEP_CANCELLED))
            .select_related("session", "session__course", "equipment")
        )
        for hold in holds:
            data = training_ics.group_event(hold.session, [])
            events[data["uid"]] = data
    return list(events.values())


def feed_calendar(feed: FeedToken, *, now: datetime.datetime | None = None) -> bytes:
    """The whole feed. Nothing in it depends on the moment it is read (DTSTAMP is each event's
    last change), so an unchanged feed is the same bytes and its ETag holds."""
    now = now or timezone.now()
    with translation.override(feed.user.language):
        calendar = ical.new_calendar(name=_feed_name(feed), refresh_minutes=REFRESH_MINUTES)
        staff, own_orgs = access.is_staff(feed.user), set(access.organisation_ids_of(feed.user))
        events = []
        for booking in feed_bookings(feed, now=now):
            visible = staff or booking.organisation_id in own_orgs
            who = booking.organisation.name if visible else _("Booked")
            events.append(booking_ics(booking, summary=f"{booking.equipment.name} · {who}"))
        events += _session_events(feed, now)
    for data in sorted(events, key=lambda e: (e["start"], e["uid"])):
        calendar.add_component(ical.event(data))
    return calendar.to_ical()


def feed_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _feed_name(feed: FeedToken) -> str:
    if feed.kind == FeedKind.ORGANISATION:
        return f"CAIAC Lab · {feed.organisation.name}"
    if feed.kind == FeedKind.EQUIPMENT:
        return f"CAIAC Lab · {feed.equipment.name}"
    return f"CAIAC Lab · {feed.user.display_name}"
