"""Turning an outbox row into words (and an email) in the recipient's language.

Templates: ``messages/<kind>.subject.txt`` and ``messages/<kind>.body.txt`` in the app that sends
the kind, with ``messages/generic.*`` (this app) for any kind that has none. They are plain text:
rendered with autoescape off (the web page escapes on display). Times show on the
Africa/Casablanca wall clock through ``{% load messages %}{{ start|local_datetime }}``.
"""

import functools
import re
from dataclasses import dataclass
from email.header import Header
from email.message import Message as EmailMessageBase
from email.utils import format_datetime, parseaddr
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from caiac import clock, formatting, ical
from caiac.notifications.kinds import kind_label
from caiac.notifications.models import Message
from caiac.notifications.unsubscribe import unsubscribe_url


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
        if translation.get_language_bidi():
            context = _isolate_names(context)
        subject = _render(message.kind, "subject", context)
        body = _render(message.kind, "body", context)
    # A subject is one line (a template's trailing newline or a wrapped line must not leak);
    # optional blocks left out of a body leave runs of blank lines, kept to one.
    body = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", body.strip())
    return Rendered(subject=" ".join(subject.split()), body=body + "\n")


# Names people typed (a machine, a course, an organisation...) are mostly Latin: inside an Arabic
# sentence their direction must be their own, or the punctuation around them jumps to the wrong
# side. Plain text has no <bdi>: Unicode's first-strong isolate (FSI ... PDI) does the same.
NAME_KEYS = frozenset(
    {"call", "city", "cohort", "course", "equipment", "inviter", "location", "machine", "name",
     "organisation", "place", "project", "reason", "recipient_name", "title", "trainer", "what"}
)  # fmt: skip


def _isolate_names(context: dict[str, Any]) -> dict[str, Any]:
    return {
        key: formatting.isolate(value) if key in NAME_KEYS and isinstance(value, str) else value
        for key, value in context.items()
    }


def _render(kind: str, part: str, context: dict[str, Any]) -> str:
    template = select_template([f"messages/{kind}.{part}.txt", f"messages/generic.{part}.txt"])
    # The Django template under the backend wrapper, so that autoescape can be turned off.
    return template.template.render(Context(context, autoescape=False))


def message_id_for(message: Message) -> str:
    """The same Message-ID for every attempt at one row: the identity of this delivery."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "caiac.local"
    return f"<caiac.message.{message.pk}@{domain}>"


class _Email(EmailMultiAlternatives):
    """Django's multipart email, with ``method=`` on the text/calendar part's Content-Type:
    Outlook and Gmail only treat a calendar part as an invitation (or a cancellation) when the
    MIME header says which iTIP method it carries, as RFC 6047 asks."""

    calendar_method = ""

    def message(self, *args, **kwargs):
        # Django encodes a non-ASCII subject without knowing the header's name, so the first
        # encoded word is folded onto a line of its own ("Subject: \n =?utf-8?q?R=C3=A9..."),
        # which several clients show as a subject starting with a space. Encode it knowing it,
        # once: Django is handed an empty subject meanwhile (the encoding is most of the cost
        # of building a message: Python's email package measures each word character by
        # character).
        subject = self.subject
        if subject.isascii():
            return super().message(*args, **kwargs)
        self.subject = ""
        try:
            message = super().message(*args, **kwargs)
        finally:
            self.subject = subject
        del message["Subject"]
        # Past Django's own __setitem__, which would encode the words a second time.
        EmailMessageBase.__setitem__(message, "Subject", _encoded_subject(subject))
        return message

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype)
        if mimetype == "text/calendar" and self.calendar_method:
            part.set_param("method", self.calendar_method, requote=False)
        return part


@functools.lru_cache(maxsize=512)
def _encoded_subject(subject: str) -> str:
    # An announcement goes out to hundreds of people with the same subject: encoded once.
    return Header(subject, "utf-8", header_name="Subject").encode()


def email_build(message: Message) -> EmailMultiAlternatives:
    """The email of an outbox row: a text part and the same words as HTML (the recipient's
    language and direction), and, for a message about an event, the iTIP message (RFC 6047):
    a ``text/calendar; method=...`` alternative that mail clients turn into an invitation or a
    cancellation, and the same bytes as ``invitation.ics`` for clients that only show files."""
    rendered = message_render(message)
    language = message.language or settings.LANGUAGE_CODE
    headers = {
        "Message-ID": message_id_for(message),
        "Date": format_datetime(timezone.localtime(timezone.now(), clock.local_tz())),
        "Content-Language": language,
        "Auto-Submitted": "auto-generated",
    }
    unsubscribe = unsubscribe_url(message)
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer = _footer(language, unsubscribe)
    email = _Email(
        subject=rendered.subject,
        body=rendered.body + footer.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers=headers,
    )
    email.attach_alternative(_html(rendered, language=language, footer=footer), "text/html")
    ics = (message.context or {}).get("ics")
    if ics:
        name = message.recipient.display_name if message.recipient else ""
        method, calendar = ical.itip_message(ics, to_email=message.address, to_name=name)
        email.calendar_method = method
        email.attach_alternative(calendar.decode(), "text/calendar")
        email.attach("invitation.ics", calendar, "application/ics")
    for attachment in (message.context or {}).get("attachments", []):
        # Files the sending app stored (an issued invoice's PDF), read at send time.
        with default_storage.open(attachment["path"], "rb") as stored:
            email.attach(attachment["filename"], stored.read(), attachment["mimetype"])
    return email


@dataclass(frozen=True)
class _Footer:
    text: str
    preferences: str
    unsubscribe: str
    note: str


def _footer(language: str, unsubscribe: str) -> _Footer:
    preferences = settings.SITE_URL + reverse("frontend:notifications-preferences")
    note = _footer_note(language)
    return _Footer(
        text=f"\n-- \n{note}\n{preferences}\n",
        preferences=preferences,
        unsubscribe=unsubscribe,
        note=note,
    )


@functools.lru_cache(maxsize=16)
def _footer_note(language: str) -> str:
    with translation.override(language):
        return str(_("Choose which emails you receive:"))


def _html(rendered: Rendered, *, language: str, footer: _Footer) -> str:
    with translation.override(language):
        return render_to_string(
            "notifications/email.html",
            {
                "subject": rendered.subject,
                "body": rendered.body,
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "footer": footer,
            },
        )


def ics_build(data: dict[str, Any]) -> bytes:
    """The one-event iTIP message for ``data`` (``caiac.ical.EventData``), without attendee."""
    return ical.itip_message(data)[1]
