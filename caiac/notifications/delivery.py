"""Delivering the outbox: the due-scan (beat, every minute) and the sending of one message.

Exactly once, as far as SMTP allows — the choice is **at-least-once with an idempotency key**:

1. *Claim* (one short transaction): lock the row (``SELECT ... FOR UPDATE SKIP LOCKED`` on
   PostgreSQL; on SQLite the IMMEDIATE transaction serialises writers), re-check that it is still
   pending, due and not past ``send_before``, and commit ``status="sending"`` with a fresh attempt
   token. A second copy of the task (Redis redelivers unacknowledged tasks; the scan re-enqueues)
   finds the row locked or no longer pending and does nothing.
2. *Send*, outside any transaction (SMTP may take seconds; no database lock is held across the
   network), with a Message-ID that is the same for every attempt at this row.
3. *Finish*: one UPDATE, guarded by the token, marks the row sent.

A worker that dies between 1 and 3 leaves the row "sending". Once that is older than
``NOTIFICATIONS_STALE_SENDING_SECONDS`` (longer than the send's hard time limit, so its sender is
certainly gone) the scan puts it back to pending and it is sent again. Before sending, the backend
is asked whether it already holds that Message-ID (our file sink can tell, so there it is exactly
once); an SMTP relay cannot be asked, so a crash in the milliseconds between the server's "250 OK"
and our commit can give a duplicate — with the same Message-ID, which mail clients collapse. The
other choice (at-most-once: mark a stale "sending" row failed) would lose a reminder whenever a
worker dies during the much longer SMTP conversation; a lost reminder costs more than a rare
duplicate.
"""

import datetime
import logging
import smtplib
import uuid
from enum import StrEnum

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from caiac.notifications.models import Delivery, Message, MessageStatus, Preference
from caiac.notifications.rendering import email_build

logger = logging.getLogger(__name__)

# What is worth trying again: the SMTP server said no for now, or the network failed (a socket
# timeout is an OSError), or the send ran into its soft time limit. Anything else is a bug and
# fails the row at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)
SCAN_BATCH = 500


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_DELIVERED = "already_delivered"
    IN_APP_ONLY = "in_app_only"
    EXPIRED = "expired"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    SKIPPED = "skipped"
    BUSY = "busy"


def messages_due(*, now: datetime.datetime) -> QuerySet[Message]:
    return Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


@transaction.atomic
def due_scan(*, now: datetime.datetime | None = None) -> list[int]:
    """Expire what is too late, recover dead sends, and return the ids to send now.

    Rows just handed out are stamped ``enqueued_at`` and not handed out again for
    ``NOTIFICATIONS_REENQUEUE_SECONDS``: the task may still be in the queue. If it was lost (a
    worker killed on the filesystem broker, or Redis keeping it unacknowledged) the row is simply
    handed out again later; sending is idempotent, so a duplicate task costs one query.
    """
    now = now or timezone.now()
    Message.objects.filter(status=MessageStatus.PENDING, send_before__lte=now).update(
        status=MessageStatus.EXPIRED, next_attempt_at=None
    )
    _recover_stale_sending(now=now)
    reenqueue_before = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_REENQUEUE_SECONDS)
    ids = list(
        messages_due(now=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=reenqueue_before))
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:SCAN_BATCH]
    )
    Message.objects.filter(id__in=ids).update(enqueued_at=now)
    return ids


def _recover_stale_sending(*, now: datetime.datetime) -> None:
    stale = Message.objects.filter(
        status=MessageStatus.SENDING,
        sending_since__lte=now
        - datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_SENDING_SECONDS),
    )
    note = "The worker was lost while sending; outcome unknown."
    cleared = {"send_token": "", "sending_since": None, "enqueued_at": None, "last_error": note}
    for message_id in stale.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).values_list(
        "id", flat=True
    ):
        logger.error("message %s: worker lost on the last attempt; marked failed", message_id)
    stale.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED, **cleared
    )
    stale.update(status=MessageStatus.PENDING, **cleared)


def message_deliver(*, message_id: int) -> Outcome:
    """Deliver one outbox row at most once per claim; safe to call any number of times."""
    claimed = _claim(message_id)
    if claimed is Outcome.BUSY:
        # Someone else holds the row: another copy of this task (then this update waits for
        # its claim and matches nothing) or a service moving the reminder (then the row stays
        # pending and the next scan hands it out at once instead of after the re-enqueue delay).
        Message.objects.filter(pk=message_id, status=MessageStatus.PENDING).update(enqueued_at=None)
        return Outcome.SKIPPED
    if isinstance(claimed, Outcome):
        return claimed
    message, token = claimed
    try:
        email = email_build(message)
        with get_connection() as backend:
            already = getattr(backend, "already_delivered", None)
            if already is not None and already(email):
                _finish(message_id, token)
                return Outcome.ALREADY_DELIVERED
            backend.send_messages([email])
    except TRANSIENT_ERRORS as exc:
        return _retry_or_fail(message_id, token, exc)
    except Exception as exc:
        _fail(message_id, token, exc)
        raise
    _finish(message_id, token)
    return Outcome.SENT


def _lock_options() -> dict[str, bool]:
    # On PostgreSQL a second copy of the task skips a row being claimed instead of waiting for
    # it; SQLite has no row locks (select_for_update is ignored) and its IMMEDIATE transaction
    # makes the whole claim one writer at a time.
    return {"skip_locked": connection.features.has_select_for_update_skip_locked}


@transaction.atomic
def _claim(message_id: int) -> tuple[Message, str] | Outcome:
    message = Message.objects.select_for_update(**_lock_options()).filter(pk=message_id).first()
    if message is None:
        return Outcome.BUSY if Message.objects.filter(pk=message_id).exists() else Outcome.SKIPPED
    now = timezone.now()
    if (
        message.status != MessageStatus.PENDING
        or message.due_at > now
        or (message.next_attempt_at is not None and message.next_attempt_at > now)
    ):
        return Outcome.SKIPPED
    if message.send_before is not None and message.send_before <= now:
        message.status = MessageStatus.EXPIRED
        message.save(update_fields=["status"])
        return Outcome.EXPIRED
    in_app_reason = _in_app_only_reason(message)
    if in_app_reason:
        # Still a notification in the app (status sent, sent_at now); no email, and why.
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.delivery = in_app_reason
        message.save(update_fields=["status", "sent_at", "delivery"])
        return Outcome.IN_APP_ONLY
    token = uuid.uuid4().hex
    message.status = MessageStatus.SENDING
    message.send_token = token
    message.sending_since = now
    message.attempts += 1
    message.save(update_fields=["status", "send_token", "sending_since", "attempts"])
    return message, token


def _in_app_only_reason(message: Message) -> str:
    if message.to_email:
        return ""  # to an address: emailed whatever anyone's preferences say
    if not message.recipient.email:
        return Delivery.IN_APP_NO_ADDRESS
    disabled = (
        Preference.objects.filter(user_id=message.recipient_id)
        .values_list("email_disabled", flat=True)
        .first()
    )
    if disabled and message.kind in disabled:
        return Delivery.IN_APP_PREFERENCE
    return ""


def _finish(message_id: int, token: str) -> None:
    # One statement, guarded by the token: only the claim that sent the email marks it sent.
    updated = Message.objects.filter(
        pk=message_id, status=MessageStatus.SENDING, send_token=token
    ).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        delivery=Delivery.EMAIL,
        send_token="",
        sending_since=None,
        next_attempt_at=None,
        last_error="",
    )
    if not updated:
        logger.error("message %s: sent, but its claim had been taken back", message_id)


@transaction.atomic
def _retry_or_fail(message_id: int, token: str, exc: BaseException) -> Outcome:
    message = (
        Message.objects.select_for_update()
        .filter(pk=message_id, status=MessageStatus.SENDING, send_token=token)
        .first()
    )
    if message is None:
        return Outcome.SKIPPED
    message.send_token = ""
    message.sending_since = None
    message.last_error = _describe(exc)
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        logger.error("message %s failed after %s attempts: %s", message_id, message.attempts, exc)
        outcome = Outcome.FAILED
    else:
        message.status = MessageStatus.PENDING
        message.enqueued_at = None
        message.next_attempt_at = timezone.now() + retry_delay(attempts=message.attempts)
        logger.warning("message %s: attempt %s failed: %s", message_id, message.attempts, exc)
        outcome = Outcome.RETRY_LATER
    message.save()
    return outcome


def _fail(message_id: int, token: str, exc: BaseException) -> None:
    logger.exception("message %s cannot be sent", message_id)
    Message.objects.filter(pk=message_id, status=MessageStatus.SENDING, send_token=token).update(
        status=MessageStatus.FAILED, send_token="", sending_since=None, last_error=_describe(exc)
    )


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """Exponential backoff after the ``attempts``-th failure: base, 2 base, 4 base, ..."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=base * 2 ** (attempts - 1))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
