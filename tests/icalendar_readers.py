"""Every .ics the project emits is read by two independent parsers that must agree.

``icalendar`` is what we write with; ``vobject`` is an unrelated implementation (its own
tokenizer, line unfolding and value parsing). What a test asserts is what both read.
"""

import datetime
import email
from email import policy
from email.message import EmailMessage as MimeMessage

import icalendar
import vobject
from django.core.mail import EmailMessage


def _utc(value) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def read_with_icalendar(data: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        "method": str(calendar["method"]) if "method" in calendar else None,
        "events": [
            {
                "uid": str(event["uid"]),
                "sequence": int(event.get("sequence", 0)),
                "status": str(event.get("status", "")),
                "summary": str(event.get("summary", "")),
                "start": _utc(event.decoded("dtstart")),
                "end": _utc(event.decoded("dtend")),
                "organizer": str(event.get("organizer", "")),
            }
            for event in calendar.walk("VEVENT")
        ],
    }


def read_with_vobject(data: bytes) -> dict:
    calendar = vobject.readOne(data.decode("utf-8"))
    events = calendar.contents.get("vevent", [])
    return {
        "method": calendar.method.value if "method" in calendar.contents else None,
        "events": [
            {
                "uid": event.uid.value,
                "sequence": int(event.sequence.value) if "sequence" in event.contents else 0,
                "status": event.status.value if "status" in event.contents else "",
                "summary": event.summary.value if "summary" in event.contents else "",
                "start": _utc(event.dtstart.value),
                "end": _utc(event.dtend.value),
                "organizer": event.organizer.value if "organizer" in event.contents else "",
            }
            for event in events
        ],
    }


def read_calendar(data: bytes) -> dict:
    """``{"method", "events": [{"uid", "sequence", "status", "summary", "start", "end",
    "organizer"}]}``, as both parsers read it (they must agree)."""
    first, second = read_with_icalendar(data), read_with_vobject(data)
    assert first == second, (first, second)
    return first


def mime(message: EmailMessage) -> MimeMessage:
    """The email as a mail client receives it (bytes on the wire, parsed back)."""
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def calendar_parts(message: EmailMessage) -> list[tuple[str, bytes]]:
    """Every calendar part of an email: (its Content-Type, its bytes)."""
    parts = []
    for part in mime(message).walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            parts.append((part["Content-Type"], part.get_payload(decode=True)))
    return parts


def read_invitation(message: EmailMessage) -> dict:
    """The one event an email carries, read by both parsers, checked against the MIME
    header: the text/calendar part's ``method=`` is the body's METHOD, and the attached
    ``invitation.ics`` holds the same bytes."""
    parts = calendar_parts(message)
    assert len(parts) == 2, [content_type for content_type, _ in parts]
    (inline_type, inline), (attached_type, attached) = parts
    assert inline_type.startswith("text/calendar")
    assert attached_type.startswith("application/ics")
    assert inline.replace(b"\r\n", b"\n") == attached.replace(b"\r\n", b"\n")
    calendar = read_calendar(attached)
    params = dict(mime_param.split("=", 1) for mime_param in _params(inline_type))
    assert params.get("method", "").strip('"') == calendar["method"]
    assert len(calendar["events"]) == 1
    return {"method": calendar["method"], **calendar["events"][0]}


def _params(content_type: str) -> list[str]:
    return [p.strip() for p in content_type.split(";")[1:] if "=" in p]
