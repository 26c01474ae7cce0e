"""Writing to the outbox. Other apps call these inside their own transactions."""

import datetime
import logging
import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid, NotFound
from caiac.notifications.kinds import ANNOUNCEMENT, KIND_PATTERN
from caiac.notifications.models import Message, MessageStatus, Preference
from caiac.notifications.selectors import notifications_for_user

logger = logging.getLogger(__name__)


@transaction.atomic
def message_schedule(
    *,
    recipient: User | None = None,
    kind: str,
    dedup_key: str,
    due_at: datetime.datetime | None = None,
    context: dict[str, Any] | None = None,
    about: models.Model | None = None,
    send_before: datetime.datetime | None = None,
    to_email: str = "",
    language: str = "",
) -> Message:
    """Create the message, or move a still-pending one with the same key. A sent one stays.

    To a person (``recipient``), in their language; or to an address (``to_email``, with
    ``language``), emailed only — see ``Message``.
    """
    if (recipient is None) == (not to_email):
        raise ValueError("A message goes to a recipient or to an address, not both or neither.")
    values = {
        "recipient": recipient,
        "to_email": to_email,
        "kind": kind,
        "language": language
        or (recipient.language if recipient is not None else "")
        or settings.LANGUAGE_CODE,
        "due_at": due_at or timezone.now(),
        "send_before": send_before,
        "context": context or {},
        "content_type": ContentType.objects.get_for_model(about) if about is not None else None,
        "object_id": about.pk if about is not None else None,
    }
    message = Message.objects.select_for_update().filter(dedup_key=dedup_key).first()
    if message is None:
        return Message.objects.create(dedup_key=dedup_key, **values)
    # Only what went out (sent) or is going out right now (sending) stays as it is; a failed,
    # cancelled or expired row is a new message at the new time.
    if message.status not in (MessageStatus.SENT, MessageStatus.SENDING):
        for field, value in values.items():
            setattr(message, field, value)
        message.status = MessageStatus.PENDING
        # A moved message starts afresh: a new moment, so no backoff carries over.
        message.next_attempt_at = None
        message.attempts = 0
        message.last_error = ""
        message.save()
    return message


@transaction.atomic
def messages_drop(*, dedup_prefix: str) -> int:
    """Cancel every still-pending message whose key starts with ``dedup_prefix``."""
    # A row being sent right now ("sending") is past the point of no return and is left alone.
    return Message.objects.filter(
        dedup_key__startswith=dedup_prefix, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED, next_attempt_at=None)


def notification_mark_read(*, user: User, message: Message) -> Message:
    """Mark one of the user's own notifications read (reading twice keeps the first time)."""
    if message.recipient_id != user.pk:
        raise NotFound()
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def notifications_mark_all_read(*, user: User) -> int:
    return notifications_for_user(user=user, unread=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, user: User, email_disabled: list[str]) -> Preference:
    """Which kinds the user does not want by email (they still see them in the app)."""
    bad = [kind for kind in email_disabled if not re.match(KIND_PATTERN, kind)]
    if bad:
        raise Invalid(
            _("Unknown kind of message."),
            code="unknown_kind",
            fields={"email_disabled": [_("Unknown kind: %(kind)s") % {"kind": bad[0]}]},
        )
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    preference.email_disabled = sorted(set(email_disabled))
    preference.save()
    return preference


@transaction.atomic
def message_resend(*, message: Message, by: User) -> Message:
    """Staff give a failed message another round of attempts; the scan sends it."""
    access.require_staff(by)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise Conflict(
            _("Only a message that failed can be sent again."), code="notification_not_failed"
        )
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = None
    # Sent now even if it was a reminder whose moment has passed: a person asked for it.
    message.send_before = None
    message.due_at = min(message.due_at, timezone.now())
    message.save()
    logger.info("message %s re-queued by %s", message.pk, by)
    return message


@transaction.atomic
def announcement_send(
    *,
    author: User,
    recipients: list[User],
    title: str,
    text: str,
    due_at: datetime.datetime | None = None,
) -> list[Message]:
    """Staff tell people something: one ``notifications.announcement`` message each."""
    access.require_staff(author)
    if not recipients:
        raise Invalid(
            _("Choose at least one recipient."),
            code="no_recipients",
            fields={"recipients": [_("Choose at least one recipient.")]},
        )
    batch = uuid.uuid4().hex[:12]
    return [
        message_schedule(
            recipient=recipient,
            kind=ANNOUNCEMENT,
            dedup_key=f"announcement:{batch}:user:{recipient.pk}",
            due_at=due_at,
            context={"title": title, "text": text, "author": author.display_name},
        )
        for recipient in recipients
    ]
