"""Delivering the outbox: the scan that sends what is due, and the sending of one message.

**The scan sends.** Beat starts ``send_due_messages`` every ``NOTIFICATIONS_SCAN_SECONDS`` (5 s).
It tidies up (expires reminders past ``send_before``, takes back sends whose worker died), then
claims the next due row, sends it, marks it sent, and claims the next one, until nothing is due
or its time budget is spent. Nothing but the scan sits in the broker: a lost queue, a worker
killed or Redis down for an hour loses no message — the rows are still pending and the next scan
takes them. Several scans at once (two worker processes, two machines, the cron command) share
the work: each claim takes the oldest due row that no one else holds (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise the claims).

Exactly once, as far as SMTP allows — **at-least-once with an idempotency key**:

1. *Claim* (one short transaction): lock the row, re-check that it is still pending, due, past
   its backoff and not past ``send_before``, and commit ``status="sending"`` with a fresh attempt
   token. Whoever comes second finds it locked or no longer pending and leaves it.
2. *Send*, outside any transaction (no database lock is held across the network), with a
   Message-ID that is the same for every attempt at this row.
3. *Finish*: one UPDATE, guarded by the token, marks the row sent (retried for a few seconds if
   the database drops at that moment, so a blip does not turn into a second email).

A worker that dies between 1 and 3 leaves the row "sending". Once that is older than
``NOTIFICATIONS_STALE_SENDING_SECONDS`` — longer than the scan's hard time limit, so its sender
is certainly gone — the scan puts it back to pending and sends it again. Before sending, the
backend is asked whether it already holds that Message-ID (our file sink can tell, so there it
is exactly once); an SMTP relay cannot be asked, so a crash in the milliseconds between the
server's "250 OK" and our commit can give a duplicate — with the same Message-ID, which mail
clients collapse. The other choice (at-most-once: mark a stale "sending" row failed) would lose
a reminder whenever a worker dies during the much longer SMTP conversation.

**Faults** (docs/notifications.md says what the operator sees):

- the mail server cannot be reached (connection refused, timeout): nothing is claimed, no
  attempt is spent; one warning per outage, the due rows say why in ``last_error`` and go out
  when the server answers;
- the server refuses one message for now (a 4xx reply), or the connection drops during it: that
  row goes back to pending with ``next_attempt_at`` = now + the configured backoff, the next scan
  after that moment sends it; after ``NOTIFICATIONS_MAX_ATTEMPTS`` it is failed;
- the server refuses one message for good (a 5xx reply about it: every recipient refused, the
  data rejected): that row is failed at once, logged at error level (staff may resend it);
- the mail settings are wrong (``ImproperlyConfigured``, a backend that cannot be imported), or
  the server refuses *us* for good (a 5xx reply to our login, ``SMTPAuthenticationError`` 535, or
  to our sender address, "authentication required" 530, STARTTLS or AUTH not offered): logged at
  error level, the due rows stay pending with the error in ``last_error`` (staff see it in the
  admin), nothing is spent. A refused login is not tried again by the same process for
  ``REFUSED_PAUSE_SECONDS`` (a server that sees the same wrong password every few seconds may
  lock the account), unless the mail settings change;
- a message that cannot be built or sent for a reason of its own (a broken template): that row
  is failed at once, logged with its traceback, and the scan goes on with the others;
- the database drops: the scan stops, logs a warning, and the next scan carries on.
"""

import contextlib
import datetime
import logging
import smtplib
import time
import uuid
from collections import Counter
from enum import StrEnum
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from caiac.notifications import relevance
from caiac.notifications.models import Delivery, Message, MessageStatus, Preference
from caiac.notifications.rendering import email_build

logger = logging.getLogger(__name__)

# What is worth trying again: the SMTP server said no for now, or the network failed (a socket
# timeout is an OSError), or the send ran into its soft time limit. Anything else is a bug in
# this message (a template) and fails the row at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)
DATABASE_ERRORS = (OperationalError, InterfaceError)
CONFIGURATION_ERROR = "Email configuration error"
REFUSED_PERMANENTLY = "Refused by the mail server"
SERVER_UNREACHABLE = "Mail server unreachable"
# How often a lasting outage (mail server, configuration) is logged again by one process.
REPORT_EVERY_SECONDS = 300
# How long one process leaves a mail server alone after it refused our login or sender for good.
REFUSED_PAUSE_SECONDS = 300
# Rows claimed per transaction by a scan. A worker killed mid-batch leaves these "sending" until
# the stale delay; only the one in flight can have reached the server.
CLAIM_BATCH = 20


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_DELIVERED = "already_delivered"
    IN_APP_ONLY = "in_app_only"
    EXPIRED = "expired"
    DROPPED = "dropped"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    SKIPPED = "skipped"
    BUSY = "busy"
    WAITING = "waiting"  # the mail server or the configuration is at fault: nothing spent


def messages_due(*, now: datetime.datetime) -> QuerySet[Message]:
    return Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


# --- the scan ---------------------------------------------------------------------------------


def send_due(*, budget_seconds: float | None = None) -> Counter[Outcome]:
    """Tidy up, then send due messages one by one until none is left or the budget is spent.

    Returns how many rows ended which way; ``Outcome.BUSY`` counts once when the budget ran out
    with messages still due (the caller may start another scan at once).
    """
    outcomes: Counter[Outcome] = Counter()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    try:
        housekeeping()
        if not messages_due(now=timezone.now()).exists():
            return outcomes
        with Mailer() as mailer:
            while True:
                if _past(deadline):
                    if messages_due(now=timezone.now()).exists():
                        outcomes[Outcome.BUSY] += 1
                    break
                if not mailer.ready():
                    outcomes[Outcome.WAITING] += 1
                    break
                claimed = _claim_batch()
                if claimed is None:
                    break
                settled, to_send = claimed
                outcomes.update(settled)
                _send_batch(mailer, to_send, deadline=deadline, outcomes=outcomes)
    except DATABASE_ERRORS as exc:
        # PostgreSQL restarting: stop here; the rows are as the database last saw them and the
        # next scan carries on. Drop the broken connection so that it reconnects.
        logger.warning("outbox scan stopped, the database is unavailable: %s", exc)
        _forget_connection()
    return outcomes


@transaction.atomic
def housekeeping(*, now: datetime.datetime | None = None) -> None:
    """Expire due reminders past ``send_before``; take back sends whose worker is gone."""
    now = now or timezone.now()
    messages_due(now=now).filter(send_before__lte=now).update(
        status=MessageStatus.EXPIRED, next_attempt_at=None
    )
    _recover_stale_sending(now=now)


def _recover_stale_sending(*, now: datetime.datetime) -> None:
    stale = Message.objects.filter(
        status=MessageStatus.SENDING,
        sending_since__lte=now
        - datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_SENDING_SECONDS),
    )
    note = "The worker was lost while sending; outcome unknown."
    cleared = {"send_token": "", "sending_since": None, "last_error": note}
    last_attempt = stale.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS)
    for message_id in last_attempt.values_list("id", flat=True):
        logger.error("message %s: worker lost on the last attempt; marked failed", message_id)
    last_attempt.update(status=MessageStatus.FAILED, **cleared)
    for message_id in stale.values_list("id", flat=True):
        logger.warning("message %s: its worker was lost while sending; sending again", message_id)
    stale.update(status=MessageStatus.PENDING, **cleared)


@transaction.atomic
def _claim_batch() -> tuple[Counter[Outcome], list[tuple[Message, str]]] | None:
    """Claim up to ``CLAIM_BATCH`` of the oldest due rows that no one else holds, in one
    transaction (a claim per message would spend most of a burst on commits)."""
    now = timezone.now()
    messages = list(
        _locked(messages_due(now=now).order_by("due_at", "id")).select_related("recipient")[
            :CLAIM_BATCH
        ]
    )
    if not messages:
        return None
    disabled = dict(
        Preference.objects.filter(user_id__in={m.recipient_id for m in messages}).values_list(
            "user_id", "email_disabled"
        )
    )
    settled: Counter[Outcome] = Counter()
    to_claim = []
    for message in messages:
        outcome = _settle_without_email(
            message, now=now, disabled=disabled.get(message.recipient_id)
        )
        if outcome is None:
            to_claim.append(message)
        else:
            settled[outcome] += 1
    token = uuid.uuid4().hex  # one claim, one token: each row's finish is still its own UPDATE
    Message.objects.filter(pk__in=[m.pk for m in to_claim]).update(
        status=MessageStatus.SENDING,
        send_token=token,
        sending_since=now,
        attempts=F("attempts") + 1,
    )
    for message in to_claim:
        message.status, message.send_token, message.sending_since = "sending", token, now
        message.attempts += 1
    return settled, [(message, token) for message in to_claim]


def _send_batch(
    mailer: "Mailer",
    claimed: list[tuple[Message, str]],
    *,
    deadline: float | None,
    outcomes: Counter[Outcome],
) -> None:
    done = 0
    try:
        for message, token in claimed:
            if done and _past(deadline):
                break
            if not mailer.ready():
                break
            outcome = _send_claimed(mailer, message, token)
            done += 1
            if outcome is Outcome.WAITING:
                break  # the server refused us, not the message: the scan says so once
            outcomes[outcome] += 1
    finally:
        # Out of time, the mail server gone, or the database: what was claimed and not tried
        # goes back as it was, for the next scan (a dead worker leaves it to the stale delay).
        _release(claimed[done:])


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _release(claimed: list[tuple[Message, str]]) -> None:
    if not claimed:
        return
    with contextlib.suppress(*DATABASE_ERRORS):
        Message.objects.filter(
            pk__in=[message.pk for message, _token in claimed],
            status=MessageStatus.SENDING,
            send_token=claimed[0][1],
        ).update(
            status=MessageStatus.PENDING,
            send_token="",
            sending_since=None,
            attempts=F("attempts") - 1,
        )


# --- one message ------------------------------------------------------------------------------


def message_deliver(*, message_id: int) -> Outcome:
    """Deliver one outbox row at most once per claim; safe to call any number of times."""
    with Mailer() as mailer:
        if not mailer.ready():
            return Outcome.WAITING
        claimed = _claim(message_id)
        if claimed is Outcome.BUSY:
            # Someone else holds the row: another copy of this task, a scan, or a service
            # moving the reminder; the scan takes it next time if it is still due.
            return Outcome.SKIPPED
        if isinstance(claimed, Outcome):
            return claimed
        return _send_claimed(mailer, *claimed)


@transaction.atomic
def _claim(message_id: int) -> tuple[Message, str] | Outcome:
    message = _locked(Message.objects.filter(pk=message_id)).select_related("recipient").first()
    if message is None:
        return Outcome.BUSY if Message.objects.filter(pk=message_id).exists() else Outcome.SKIPPED
    now = timezone.now()
    if (
        message.status != MessageStatus.PENDING
        or message.due_at > now
        or (message.next_attempt_at is not None and message.next_attempt_at > now)
    ):
        return Outcome.SKIPPED
    return _take(message, now=now)


def _locked(messages: QuerySet[Message]) -> QuerySet[Message]:
    # On PostgreSQL a second claimer skips a row being claimed instead of waiting for it, and
    # only the message row is locked (not its recipient); SQLite has no row locks
    # (select_for_update is ignored) and its IMMEDIATE transaction makes claims one at a time.
    features = connection.features
    options: dict[str, Any] = {"skip_locked": features.has_select_for_update_skip_locked}
    if features.has_select_for_update_of:
        options["of"] = ("self",)
    return messages.select_for_update(**options)


def _settle_without_email(
    message: Message, *, now: datetime.datetime, disabled: list[str] | None
) -> Outcome | None:
    """Inside a claim, ``message`` locked, pending and due: expire it, or deliver it in the app
    only; ``None`` when it is to be emailed."""
    if message.send_before is not None and message.send_before <= now:
        message.status = MessageStatus.EXPIRED
        message.save(update_fields=["status"])
        return Outcome.EXPIRED
    if not relevance.still_applies(message):
        # It no longer applies (caiac.notifications.relevance): dropped, never sent.
        message.status = MessageStatus.CANCELLED
        message.last_error = relevance.DROPPED_NOTE
        message.save(update_fields=["status", "last_error"])
        return Outcome.DROPPED
    in_app_reason = _in_app_only_reason(message, disabled or [])
    if in_app_reason:
        # Still a notification in the app (status sent, sent_at now); no email, and why.
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.delivery = in_app_reason
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "delivery", "last_error"])
        return Outcome.IN_APP_ONLY
    return None


def _take(message: Message, *, now: datetime.datetime) -> tuple[Message, str] | Outcome:
    """Inside the claim's transaction, ``message`` locked, pending and due: claim it."""
    disabled = (
        Preference.objects.filter(user_id=message.recipient_id)
        .values_list("email_disabled", flat=True)
        .first()
    )
    settled = _settle_without_email(message, now=now, disabled=disabled)
    if settled is not None:
        return settled
    token = uuid.uuid4().hex
    message.status = MessageStatus.SENDING
    message.send_token = token
    message.sending_since = now
    message.attempts += 1
    message.save(update_fields=["status", "send_token", "sending_since", "attempts"])
    return message, token


def _in_app_only_reason(message: Message, disabled: list[str]) -> str:
    if message.to_email:
        return ""  # to an address: emailed whatever anyone's preferences say
    if not message.recipient.email:
        return Delivery.IN_APP_NO_ADDRESS
    if message.kind in disabled:
        return Delivery.IN_APP_PREFERENCE
    return ""


def smtp_codes(exc: BaseException) -> list[int]:
    """The SMTP reply codes an error carries (one per refused recipient); none for a network
    error, a timeout or a dropped connection."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return [code for code, _text in exc.recipients.values() if isinstance(code, int)]
    code = getattr(exc, "smtp_code", None)
    return [code] if isinstance(code, int) else []


def is_permanent(exc: BaseException) -> bool:
    """A 5xx reply (RFC 5321 §4.2.1): the server will answer the same next time."""
    codes = smtp_codes(exc)
    return bool(codes) and all(500 <= code <= 599 for code in codes)


def refuses_us(exc: BaseException) -> bool:
    """A refusal about our side, whatever the message: our login, our sender address, a
    feature our settings ask for. Only the operator can mend it; no message is to blame."""
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # STARTTLS or AUTH not offered
        return True
    if 530 in smtp_codes(exc):  # "authentication required", at whatever step it comes
        return True
    ours = (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused, smtplib.SMTPHeloError)
    return isinstance(exc, ours) and is_permanent(exc)


def _send_claimed(mailer: "Mailer", message: Message, token: str) -> Outcome:
    try:
        email = email_build(message)
        if mailer.already_delivered(email):
            _finish(message.pk, token)
            return Outcome.ALREADY_DELIVERED
        mailer.send(email)
    except TRANSIENT_ERRORS as exc:
        if refuses_us(exc):
            # Not this message's fault: its claim goes back untouched, nothing is spent.
            _release([(message, token)])
            mailer.refused(exc)
            return Outcome.WAITING
        if is_permanent(exc):
            _fail(message.pk, token, exc, note=REFUSED_PERMANENTLY)
            return Outcome.FAILED
        return _retry_or_fail(message.pk, token, exc)
    except DATABASE_ERRORS:
        # Building the email read the database and it dropped: the row stays "sending" and
        # comes back after the stale delay, like a worker that died here.
        raise
    except Exception as exc:
        _fail(message.pk, token, exc)
        return Outcome.FAILED
    _finish(message.pk, token)
    return Outcome.SENT


def _finish(message_id: int, token: str) -> None:
    # One statement, guarded by the token: only the claim that sent the email marks it sent.
    # The email is out: if the database drops right now, keep trying for a few seconds rather
    # than leave the row "sending" (which would send it a second time after the stale delay).
    for pause in (0.5, 1, 2, 4, None):
        try:
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
        except DATABASE_ERRORS as exc:
            if pause is None:
                raise
            logger.warning(
                "message %s sent but not yet marked so (%s); trying again", message_id, exc
            )
            _forget_connection()
            time.sleep(pause)
            continue
        if not updated:
            logger.error("message %s: sent, but its claim had been taken back", message_id)
        return


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
        message.next_attempt_at = timezone.now() + retry_delay(attempts=message.attempts)
        logger.warning("message %s: attempt %s failed: %s", message_id, message.attempts, exc)
        outcome = Outcome.RETRY_LATER
    message.save()
    return outcome


def _fail(message_id: int, token: str, exc: BaseException, *, note: str = "") -> None:
    if note:  # the server's answer says it all; no traceback
        logger.error("message %s: %s, marked failed: %s", message_id, note.lower(), exc)
    else:
        logger.error("message %s cannot be sent; marked failed", message_id, exc_info=exc)
    last_error = f"{note}: {_describe(exc)}"[:2000] if note else _describe(exc)
    Message.objects.filter(pk=message_id, status=MessageStatus.SENDING, send_token=token).update(
        status=MessageStatus.FAILED, send_token="", sending_since=None, last_error=last_error
    )


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """Exponential backoff after the ``attempts``-th failure: base, 2 base, 4 base, ..."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return datetime.timedelta(seconds=base * 2 ** (attempts - 1))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _forget_connection() -> None:
    with contextlib.suppress(*DATABASE_ERRORS):
        connection.close()


# --- the mail connection ----------------------------------------------------------------------


class Mailer:
    """One connection to the mail backend, opened before anything is claimed, reused for a
    whole scan (one SMTP session for a burst, not one per message) and reopened after a
    failure. When it cannot be had, nothing is claimed: the fault is the server's or the
    configuration's, not the messages', so no attempt is spent on it."""

    def __init__(self) -> None:
        self._backend = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._discard()

    def ready(self) -> bool:
        if self._backend is not None:
            return True
        if _refusal_pause_active():
            # Rows that came due meanwhile (or were in the refused batch) say why they wait.
            messages_due(now=timezone.now()).exclude(last_error=_refusal["text"]).update(
                last_error=_refusal["text"]
            )
            return False
        try:
            backend = get_connection()
            backend.open()
        except TRANSIENT_ERRORS as exc:
            if refuses_us(exc) or is_permanent(exc):
                self.refused(exc)
            else:
                _outage(SERVER_UNREACHABLE, exc, level=logging.WARNING)
            return False
        except Exception as exc:  # ImproperlyConfigured, an import error: the settings
            _outage(CONFIGURATION_ERROR, exc, level=logging.ERROR)
            return False
        self._backend = backend
        _outage_over()
        return True

    def refused(self, exc: BaseException) -> None:
        """The server refused our login or sender for good: say it loudly, leave it alone."""
        self._discard()
        _outage(CONFIGURATION_ERROR, exc, level=logging.ERROR)
        _refusal["text"] = f"{CONFIGURATION_ERROR}: {_describe(exc)}"[:2000]
        _refusal["settings"] = _mail_settings()
        _refusal["until"] = time.monotonic() + REFUSED_PAUSE_SECONDS

    def already_delivered(self, email: EmailMessage) -> bool:
        already = getattr(self._backend, "already_delivered", None)
        return already is not None and already(email)

    def send(self, email: EmailMessage) -> None:
        try:
            self._backend.send_messages([email])
        except BaseException:
            self._discard()  # a session that failed mid-message is not reused
            raise

    def _discard(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # closing a broken connection may fail too; it is gone anyway
                logger.debug("closing the mail connection failed", exc_info=True)


_reported: dict[str, float] = {}
_refusal: dict[str, Any] = {"settings": None, "until": 0.0, "text": ""}


def _mail_settings() -> tuple:
    return tuple(
        getattr(settings, name, None)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "DEFAULT_FROM_EMAIL",
        )
    )


def _refusal_pause_active() -> bool:
    """After a refusal of our login or sender, the same settings are not tried again for a
    while; changed settings (the operator's fix) are tried at once."""
    if _refusal["settings"] != _mail_settings():
        return False
    return time.monotonic() < _refusal["until"]


def _outage(what: str, exc: BaseException, *, level: int) -> None:
    """Say it once (again every few minutes while it lasts), and on the waiting rows."""
    text = f"{what}: {_describe(exc)}"[:2000]
    last = _reported.get(text)
    if last is None or time.monotonic() - last >= REPORT_EVERY_SECONDS:
        _reported.clear()
        _reported[text] = time.monotonic()
        logger.log(level, "%s; due messages wait in the outbox, nothing is lost", text)
    # Staff see why in the admin (and the "failed" list stays for what really failed).
    messages_due(now=timezone.now()).exclude(last_error=text).update(last_error=text)


def forget_outages() -> None:
    """This process forgets outages and refusals it knew of (tests start from nothing)."""
    _reported.clear()
    _refusal["settings"], _refusal["until"] = None, 0.0


def _outage_over() -> None:
    _refusal["settings"], _refusal["until"] = None, 0.0
    if _reported:
        _reported.clear()
        logger.info("email can be sent again")
