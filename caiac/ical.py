"""iCalendar (RFC 5545) and iTIP (RFC 5546) objects, in one place for every app.

Apps describe an event as a plain JSON-able dict (``EventData``) — booking and trainings build
them, the outbox stores them in a message's context, feeds and emails turn them into iCalendar
here. What the standards ask of us, and what calendar apps actually rely on:

- **UID** is the identity of a booking or session for life (``booking-42@caiac-lab``): every
  later update or cancellation carries the same one, so the calendar replaces the event.
- **SEQUENCE** grows with every change of time, place or status (stored on the row); a client
  ignores an update whose SEQUENCE is lower than the one it holds.
- **STATUS**: a VEVENT has only TENTATIVE, CONFIRMED and CANCELLED (RFC 5545 §3.8.1.11).
- **ORGANIZER** is the lab (``CALENDAR_ORGANIZER_EMAIL``); an iTIP message names its recipient as
  the ATTENDEE (``RSVP=FALSE``: nobody needs to reply).
- **METHOD**: emails are iTIP messages — REQUEST for a new or changed event, CANCEL for one that
  is cancelled or rejected (same UID, higher SEQUENCE). Feeds are published calendars and carry
  no METHOD at all (RFC 5545 §3.7.2: a calendar without METHOD is not a scheduling message).
- Times are written in UTC, so clients place them right whatever their copy of the Moroccan
  time-zone rules says (Morocco's clock moved three times in 2026).
"""

import datetime
from email.utils import parseaddr
from typing import Any, TypedDict

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//CAIAC Lab//Halle Technologique//FR"
TENTATIVE, CONFIRMED, CANCELLED = "TENTATIVE", "CONFIRMED", "CANCELLED"
REQUEST, CANCEL = "REQUEST", "CANCEL"


class EventData(TypedDict, total=False):
    uid: str  # required
    sequence: int
    status: str  # TENTATIVE | CONFIRMED | CANCELLED (any case)
    summary: str
    description: str
    start: str  # ISO 8601
    end: str
    location: str
    categories: list[str]
    updated: str  # ISO 8601: the row's last change (feeds: DTSTAMP and LAST-MODIFIED)


def method_for(data: EventData) -> str:
    """REQUEST for an event that stands, CANCEL for one that does not (iTIP)."""
    return CANCEL if status_of(data) == CANCELLED else REQUEST


def status_of(data: EventData) -> str:
    status = str(data.get("status") or CONFIRMED).upper()
    return status if status in (TENTATIVE, CONFIRMED, CANCELLED) else CONFIRMED


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.CALENDAR_ORGANIZER_EMAIL)
    value = vCalAddress(f"mailto:{address}")
    value.params["CN"] = vText(name or settings.CALENDAR_ORGANIZER_NAME)
    return value


def attendee(*, email: str, name: str = "", status: str = CONFIRMED) -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    if name:
        value.params["CN"] = vText(name)
    value.params["ROLE"] = vText("REQ-PARTICIPANT")
    value.params["PARTSTAT"] = vText("TENTATIVE" if status == TENTATIVE else "ACCEPTED")
    value.params["RSVP"] = vText("FALSE")
    return value


def new_calendar(*, method: str | None = None, name: str = "", refresh_minutes: int = 0):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # what Google, Apple and Outlook read
    if refresh_minutes:
        interval = datetime.timedelta(minutes=refresh_minutes)
        calendar.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", interval)
    return calendar


def event(data: EventData, *, stamp: datetime.datetime | None = None, **extra: Any) -> Event:
    """A VEVENT from ``data``. ``stamp``: DTSTAMP (an email: when it was written; a feed: the
    event's last change, so that an unchanged feed is byte-for-byte the same)."""
    item = Event()
    item.add("uid", data["uid"])
    updated = _utc(data["updated"]) if data.get("updated") else None
    item.add("dtstamp", _utc(stamp) if stamp else updated or _now())
    if updated:
        item.add("last-modified", updated)
    item.add("sequence", int(data.get("sequence") or 0))
    item.add("dtstart", _utc(data["start"]))
    if data.get("end"):
        item.add("dtend", _utc(data["end"]))
    item.add("summary", str(data.get("summary") or ""))
    if data.get("description"):
        item.add("description", str(data["description"]))
    if data.get("location"):
        item.add("location", str(data["location"]))
    if data.get("categories"):
        item.add("categories", list(data["categories"]))
    item.add("status", status_of(data))
    # A cancelled event no longer takes time in anyone's free/busy.
    item.add("transp", "TRANSPARENT" if status_of(data) == CANCELLED else "OPAQUE")
    item.add("organizer", organizer())
    for name, value in extra.items():
        item.add(name.replace("_", "-"), value)
    return item


def itip_message(data: EventData, *, to_email: str = "", to_name: str = "") -> tuple[str, bytes]:
    """The METHOD and the bytes of the one-event iTIP message an email carries."""
    method = method_for(data)
    calendar = new_calendar(method=method)
    extra = {}
    if to_email:
        extra["attendee"] = attendee(email=to_email, name=to_name, status=status_of(data))
    calendar.add_component(event(data, stamp=_now(), **extra))
    return method, calendar.to_ical()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _utc(value: str | datetime.datetime) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(datetime.UTC).replace(microsecond=0)
