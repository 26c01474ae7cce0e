"""Turning an outbox row into words (and an email) in the recipient's language.

Templates: ``messages/<kind>.subject.txt`` and ``messages/<kind>.body.txt`` in the app that sends
the kind, with ``messages/generic.*`` (this app) for any kind that has none. They are plain text:
rendered with autoescape off (the web page escapes on display). Times show on the
Africa/Casablanca wall clock through ``{% load messages %}{{ start|local_datetime }}``.
"""

import datetime
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import select_template
from django.utils import timezone, translation
from icalendar import Calendar, Event

from caiac.notifications.kinds import kind_label
from caiac.notifications.models import Message


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def message_render(message: Message, *, language: str | None = None) -> Rendered:
    """Subject and body of ``message`` in ``language`` (default: the message's own)."""
    language = language or message.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = {
            "recipient": message.recipient,
            "recipient_name": message.recipient.display_name if message.recipient else "",
            "kind": message.kind,
            "kind_label": kind_label(message.kind),
            **(message.context or {}),
        }
        subject = _render(message.kind, "subject", context)
        body = _render(message.kind, "body", context)
    # A subject is one line (a template's trailing newline or a wrapped line must not leak);
    # optional blocks left out of a body leave runs of blank lines, kept to one.
    body = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", body.strip())
    return Rendered(subject=" ".join(subject.split()), body=body + "\n")


def _render(kind: str, part: str, context: dict[str, Any]) -> str:
    template = select_template([f"messages/{kind}.{part}.txt", f"messages/generic.{part}.txt"])
    # The Django template under the backend wrapper, so that autoescape can be turned off.
    return template.template.render(Context(context, autoescape=False))


def message_id_for(message: Message) -> str:
    """The same Message-ID for every attempt at one row: the identity of this delivery."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "caiac.local"
    return f"<caiac.message.{message.pk}@{domain}>"


def email_build(message: Message) -> EmailMessage:
    rendered = message_render(message)
    email = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={
            "Message-ID": message_id_for(message),
            "Content-Language": message.language,
            "Auto-Submitted": "auto-generated",
        },
    )
    ics = (message.context or {}).get("ics")
    if ics:
        email.attach("invitation.ics", ics_build(ics), "text/calendar")  # Django adds the charset
    for attachment in (message.context or {}).get("attachments", []):
        # Files the sending app stored (an issued invoice's PDF), read at send time.
        with default_storage.open(attachment["path"], "rb") as stored:
            email.attach(attachment["filename"], stored.read(), attachment["mimetype"])
    return email


def ics_build(data: dict[str, Any]) -> bytes:
    """A one-event calendar from ``{"uid", "summary", "start", "end", "location"}``.

    Times are written in UTC, so calendar apps place them right whatever their copy of the
    Moroccan time-zone rules says. ``"status": "cancelled"`` makes it a cancellation.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//CAIAC Lab//caiac.ma//")
    calendar.add("version", "2.0")
    cancelled = str(data.get("status", "")).lower() == "cancelled"
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", str(data.get("uid") or "caiac-event"))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("summary", str(data.get("summary", "")))
    event.add("dtstart", _utc(data["start"]))
    if data.get("end"):
        event.add("dtend", _utc(data["end"]))
    if data.get("location"):
        event.add("location", str(data["location"]))
    if cancelled:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _utc(value: str | datetime.datetime) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(datetime.UTC)
