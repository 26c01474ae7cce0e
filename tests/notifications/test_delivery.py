import datetime
import smtplib
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from icalendar import Calendar

from caiac.notifications import delivery
from caiac.notifications.delivery import Outcome, message_deliver
from caiac.notifications.models import Delivery, Message, MessageStatus
from caiac.notifications.services import message_resend, preferences_update
from caiac.notifications.tasks import send_due_messages, send_message
from tests.factories import UserFactory
from tests.notifications.conftest import minutes, now

pytestmark = pytest.mark.django_db


def reload(message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_a_due_message_is_emailed_and_marked_sent(member, schedule):
    message = schedule(member)
    assert message_deliver(message_id=message.pk) == Outcome.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    message = reload(message)
    assert (message.status, message.delivery, message.attempts) == ("sent", "email", 1)
    assert message.sent_at is not None


def test_running_the_send_task_twice_sends_one_email(member, schedule):
    message = schedule(member)
    send_message.delay(message.pk)
    send_message.delay(message.pk)
    assert len(mail.outbox) == 1
    assert reload(message).status == MessageStatus.SENT


def test_a_message_not_yet_due_is_not_sent(member, schedule):
    message = schedule(member, due_at=now() + minutes(10))
    assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    assert delivery.send_due() == {}
    assert mail.outbox == []


def test_a_cancelled_message_is_not_sent(member, schedule):
    message = schedule(member)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.CANCELLED)
    assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    assert mail.outbox == []


def test_the_scan_sends_what_is_due_and_leaves_the_rest_for_later(member, schedule):
    due = schedule(member, key="a")
    later = schedule(member, key="b", due_at=now() + minutes(30))
    assert send_due_messages() == 1
    assert reload(due).status == MessageStatus.SENT
    assert reload(later).status == MessageStatus.PENDING
    assert len(mail.outbox) == 1
    assert send_due_messages() == 0  # a second scan finds nothing more to do
    assert len(mail.outbox) == 1


def test_the_scan_sends_the_oldest_due_first(member, schedule):
    newer = schedule(member, key="newer", due_at=now() - minutes(1))
    older = schedule(member, key="older", due_at=now() - minutes(5))
    assert delivery.send_due() == {Outcome.SENT: 2}
    assert [email.extra_headers["Message-ID"] for email in mail.outbox] == [
        f"<caiac.message.{older.pk}@caiac.ma>",
        f"<caiac.message.{newer.pk}@caiac.ma>",
    ]


def test_a_scan_out_of_time_stops_claiming_and_says_more_is_due(member, schedule):
    for n in range(3):
        schedule(member, key=f"burst:{n}")
    outcomes = delivery.send_due(budget_seconds=0)
    assert outcomes == {Outcome.BUSY: 1}
    assert mail.outbox == []
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 3


def test_a_scan_out_of_time_starts_another_scan_at_once(monkeypatch):
    started = []
    monkeypatch.setattr(
        delivery, "send_due", lambda **kw: Counter({Outcome.SENT: 40, Outcome.BUSY: 1})
    )
    monkeypatch.setattr(send_due_messages, "apply_async", lambda **kw: started.append(kw))
    assert send_due_messages() == 40
    assert len(started) == 1


def test_a_scan_that_got_nothing_done_does_not_start_another(monkeypatch):
    started = []
    monkeypatch.setattr(delivery, "send_due", lambda **kw: Counter({Outcome.BUSY: 1}))
    monkeypatch.setattr(send_due_messages, "apply_async", lambda **kw: started.append(kw))
    assert send_due_messages() == 0
    assert started == []


def test_a_reminder_found_after_send_before_is_expired_never_sent_late(member, schedule):
    start = now() + minutes(60)
    message = schedule(member, due_at=now() - minutes(1), send_before=start)
    with time_machine.travel(start + minutes(1)):
        assert delivery.send_due() == {}
        assert reload(message).status == MessageStatus.EXPIRED
        assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    assert mail.outbox == []


def test_the_send_task_itself_refuses_a_reminder_past_send_before(member, schedule):
    start = now() + minutes(60)
    message = schedule(member, send_before=start)
    with time_machine.travel(start):
        assert message_deliver(message_id=message.pk) == Outcome.EXPIRED
    assert reload(message).status == MessageStatus.EXPIRED
    assert mail.outbox == []


def test_an_smtp_error_is_retried_with_backoff_then_succeeds(member, schedule, flaky_backend):
    flaky_backend.failures = 1
    message = schedule(member)

    assert message_deliver(message_id=message.pk) == Outcome.RETRY_LATER
    failed_once = reload(message)
    assert failed_once.status == MessageStatus.PENDING
    assert failed_once.attempts == 1
    assert "SMTPServerDisconnected" in failed_once.last_error
    assert failed_once.next_attempt_at > now()
    # Not before the backoff is over, neither by the task nor by the scan.
    assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    with time_machine.travel(failed_once.next_attempt_at - minutes(0.1)):
        assert delivery.send_due() == {}

    # The first scan after the backoff is over sends it: retries keep the configured delays.
    with time_machine.travel(failed_once.next_attempt_at):
        assert delivery.send_due() == {Outcome.SENT: 1}
    assert len(mail.outbox) == 1
    assert reload(message).attempts == 2


def test_each_retry_waits_exactly_the_configured_delay_from_its_failure(
    member, schedule, flaky_backend, settings
):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    flaky_backend.failures = 3
    message = schedule(member)
    failed_at = now()
    waits = []
    for _ in range(3):
        with time_machine.travel(failed_at, tick=False):
            assert delivery.send_due() == {Outcome.RETRY_LATER: 1}
        retry_at = reload(message).next_attempt_at
        waits.append((retry_at - failed_at).total_seconds())
        failed_at = retry_at  # the first scan that may try again
    assert waits == [60, 120, 240]
    with time_machine.travel(failed_at, tick=False):
        assert delivery.send_due() == {Outcome.SENT: 1}
    assert len(mail.outbox) == 1


def test_backoff_doubles_after_each_failure(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    delays = [delivery.retry_delay(attempts=n).total_seconds() for n in (1, 2, 3, 4)]
    assert delays == [60, 120, 240, 480]


@pytest.mark.parametrize("error", [smtplib.SMTPRecipientsRefused, TimeoutError, ConnectionError])
def test_after_the_last_attempt_the_message_is_failed_and_staff_can_resend_it(
    member, staff, schedule, flaky_backend, settings, error
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    flaky_backend.failures = 3
    flaky_backend.error = error if error is not smtplib.SMTPRecipientsRefused else _refused
    message = schedule(member)
    moment = now()
    outcomes = []
    for _ in range(3):
        with time_machine.travel(moment):
            outcomes.append(message_deliver(message_id=message.pk))
        moment += minutes(10)
    assert outcomes == [Outcome.RETRY_LATER, Outcome.RETRY_LATER, Outcome.FAILED]
    failed = reload(message)
    assert failed.status == MessageStatus.FAILED
    assert failed.last_error
    assert mail.outbox == []

    message_resend(message=failed, by=staff)
    assert message_deliver(message_id=message.pk) == Outcome.SENT
    assert len(mail.outbox) == 1
    assert reload(message).status == MessageStatus.SENT


def _refused(text):
    # 450: the mailbox is unavailable for now (a 4xx reply is worth trying again).
    return smtplib.SMTPRecipientsRefused({"x@example.ma": (450, text.encode())})


@pytest.mark.parametrize(
    "error",
    [
        lambda text: smtplib.SMTPRecipientsRefused({"x@example.ma": (550, text.encode())}),
        lambda text: smtplib.SMTPDataError(554, text),
    ],
    ids=["550 recipient refused", "554 data rejected"],
)
def test_a_message_the_server_refuses_for_good_is_failed_at_once_not_retried(
    member, staff, schedule, flaky_backend, error, caplog
):
    flaky_backend.failures = 1
    flaky_backend.error = error
    message = schedule(member)
    assert delivery.send_due() == {Outcome.FAILED: 1}
    failed = reload(message)
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 1)
    assert failed.last_error.startswith("Refused by the mail server: ")
    assert any(r.levelname == "ERROR" for r in caplog.records)
    # Staff read why in the admin and may send it again (once the address is mended).
    message_resend(message=failed, by=staff)
    assert delivery.send_due() == {Outcome.SENT: 1}


@pytest.mark.parametrize(
    "error",
    [
        lambda text: smtplib.SMTPSenderRefused(553, b"sender not owned by user", "lab@caiac.ma"),
        lambda text: smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        lambda text: smtplib.SMTPSenderRefused(530, b"authentication required", "lab@caiac.ma"),
    ],
    ids=["553 sender refused", "535 login refused", "530 authentication required"],
)
def test_a_server_that_refuses_us_for_good_spends_no_attempt_and_is_left_alone(
    member, schedule, flaky_backend, error, caplog
):
    flaky_backend.failures = 10
    flaky_backend.error = error
    messages = [schedule(member, key=f"refused:{n}") for n in range(3)]
    for _ in range(3):
        assert delivery.send_due() == {Outcome.WAITING: 1}
    assert flaky_backend.failures == 9, "one try, not one per scan or per message"
    for message in messages:
        waiting = reload(message)
        assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 0)
        assert waiting.last_error.startswith("Email configuration error: SMTP")
    assert [r.levelname for r in caplog.records if r.levelname == "ERROR"] == ["ERROR"]


def test_a_temporary_refusal_of_our_login_is_retried_like_any_transient_error(
    member, schedule, flaky_backend
):
    flaky_backend.failures = 1
    flaky_backend.error = lambda text: smtplib.SMTPAuthenticationError(454, b"try again later")
    message = schedule(member)
    assert delivery.send_due() == {Outcome.RETRY_LATER: 1}
    assert reload(message).attempts == 1


def test_a_kind_turned_off_by_email_is_kept_in_the_app_without_email(member, schedule):
    preferences_update(user=member, email_disabled=["notifications.announcement"])
    message = schedule(member)
    other = schedule(member, key="other", kind="booking.confirmed")
    assert message_deliver(message_id=message.pk) == Outcome.IN_APP_ONLY
    assert message_deliver(message_id=other.pk) == Outcome.SENT
    message = reload(message)
    assert (message.status, message.delivery) == (MessageStatus.SENT, Delivery.IN_APP_PREFERENCE)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<caiac.message.{other.pk}@caiac.ma>"


def test_a_person_without_an_email_address_gets_the_message_in_the_app_only(schedule):
    user = UserFactory(username="sans-mail", email="")
    message = schedule(user)
    assert message_deliver(message_id=message.pk) == Outcome.IN_APP_ONLY
    assert reload(message).delivery == Delivery.IN_APP_NO_ADDRESS
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "month"), [("fr", "septembre"), ("ar", "سبتمبر"), ("en", "September")]
)
def test_the_email_is_in_the_recipients_language(schedule, language, month):
    user = UserFactory(username=f"u-{language}", language=language)
    start = "2026-09-20T10:00:00+00:00"
    message = schedule(user, context={"title": "Distillation", "text": "…", "start": start})
    message_deliver(message_id=message.pk)
    email = mail.outbox[0]
    assert email.extra_headers["Content-Language"] == language
    assert month in email.body  # Django's own translations; ours come with locale/


def test_an_ics_attachment_goes_with_a_message_that_has_an_event(member, schedule):
    ics = {
        "uid": "booking-42@caiac.ma",
        "summary": "Distillateur d'huiles essentielles",
        "start": "2026-12-03T09:00:00+00:00",
        "end": "2026-12-03T11:30:00+00:00",
        "location": "Halle Technologique, Agadir",
    }
    message = schedule(member, context={"title": "Réservation", "text": "Rappel", "ics": ics})
    message_deliver(message_id=message.pk)
    (name, content, mimetype), *_ = mail.outbox[0].attachments
    assert name.endswith(".ics")
    assert mimetype == "application/ics"  # and inline as text/calendar; method=REQUEST
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["uid"]) == "booking-42@caiac.ma"
    assert event.decoded("dtstart") == datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
    assert str(event["location"]) == "Halle Technologique, Agadir"


def test_a_message_without_an_event_has_no_attachment(member, schedule):
    message_deliver(message_id=schedule(member).pk)
    assert mail.outbox[0].attachments == []


def test_an_unknown_kind_falls_back_to_the_generic_template(member, schedule):
    message = schedule(
        member, kind="lab.something_new", context={"subject": "Porte ouverte", "text": "Venez!"}
    )
    message_deliver(message_id=message.pk)
    assert mail.outbox[0].subject == "Porte ouverte"
    assert "Venez!" in mail.outbox[0].body
    assert "&#x27;" not in mail.outbox[0].body


def test_plain_text_is_not_html_escaped(member, schedule):
    message = schedule(member, context={"title": "L'atelier", "text": "Huile d'argan & co"})
    message_deliver(message_id=message.pk)
    assert "L'atelier" in mail.outbox[0].subject
    assert "Huile d'argan & co" in mail.outbox[0].body


def test_a_send_killed_midway_is_recovered_and_sent_once(member, schedule, settings):
    settings.NOTIFICATIONS_STALE_SENDING_SECONDS = 180
    message = schedule(member)
    # A worker claimed the row and died before finishing (nothing reached the server).
    claimed = delivery._claim(message.pk)
    assert not isinstance(claimed, Outcome)
    assert reload(message).status == MessageStatus.SENDING
    assert delivery.send_due() == {}  # a live send is not interfered with
    assert message_deliver(message_id=message.pk) == Outcome.SKIPPED

    # Once the claim is older than any sender can live, the next scan sends it again.
    with time_machine.travel(now() + datetime.timedelta(seconds=181)):
        assert delivery.send_due() == {Outcome.SENT: 1}
    assert len(mail.outbox) == 1


def dropping_once(real, *, when=lambda *args, **kwargs: True):
    """``real``, except that its first call (for which ``when`` holds) raises what a lost
    database connection raises."""

    def flaky(*args, **kwargs):
        if not flaky.dropped and when(*args, **kwargs):
            flaky.dropped = True
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    flaky.dropped = False
    return flaky


@pytest.mark.django_db(transaction=True)  # a dropped connection is closed, as in production
@pytest.mark.parametrize("where", ["claiming", "building the email", "marking it sent"])
def test_a_database_error_during_a_scan_leaves_the_message_sent_exactly_once(
    member, schedule, monkeypatch, where
):
    message = schedule(member)
    if where == "claiming":
        flaky = dropping_once(delivery.relevance.still_applies)
        monkeypatch.setattr(delivery.relevance, "still_applies", flaky)
    elif where == "building the email":
        flaky = dropping_once(delivery.email_build)
        monkeypatch.setattr(delivery, "email_build", flaky)
    else:  # the email is out; the UPDATE that marks the row sent meets the dropped connection
        flaky = dropping_once(
            QuerySet.update, when=lambda qs, **values: values.get("status") == MessageStatus.SENT
        )
        monkeypatch.setattr(QuerySet, "update", flaky)
        monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)

    delivery.send_due()
    assert flaky.dropped
    delivery.send_due()  # the next scan
    delivery.send_due()  # and one more: nothing is left to send

    assert len(mail.outbox) == 1
    sent = reload(message)
    assert (sent.status, sent.attempts) == (MessageStatus.SENT, 1)


def test_a_crash_after_the_sink_took_the_mail_does_not_send_it_twice(member, schedule, file_sink):
    message = schedule(member)
    # The worker handed the email to the sink, then died before committing "sent".
    claimed_message, _token = delivery._claim(message.pk)
    from django.core.mail import get_connection

    from caiac.notifications.rendering import email_build

    get_connection().send_messages([email_build(claimed_message)])
    assert len(list(file_sink.glob("*.eml"))) == 1

    with time_machine.travel(now() + minutes(10)):
        assert delivery.send_due() == {Outcome.ALREADY_DELIVERED: 1}
    assert len(list(file_sink.glob("*.eml"))) == 1
    assert reload(message).status == MessageStatus.SENT


def test_a_worker_lost_on_the_last_attempt_leaves_the_message_failed(member, schedule, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    message = schedule(member)
    delivery._claim(message.pk)
    with time_machine.travel(now() + minutes(10)):
        delivery.housekeeping()
    failed = reload(message)
    assert failed.status == MessageStatus.FAILED
    assert "outcome unknown" in failed.last_error


def test_a_template_error_fails_the_message_at_once_instead_of_leaving_it_sending(
    member, schedule, monkeypatch, caplog
):
    message = schedule(member)

    def broken(message):
        raise ValueError("bad context")

    monkeypatch.setattr(delivery, "email_build", broken)
    assert message_deliver(message_id=message.pk) == Outcome.FAILED
    failed = reload(message)
    assert failed.status == MessageStatus.FAILED
    assert failed.last_error == "ValueError: bad context"
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_one_bad_message_does_not_stop_the_rest_of_its_batch(member, schedule, monkeypatch):
    from caiac.notifications import rendering

    bad = schedule(member, key="bad", due_at=now() - minutes(2))
    good = [schedule(member, key=f"good:{n}", due_at=now() - minutes(1)) for n in range(3)]

    def build(message):
        if message.pk == bad.pk:
            raise KeyError("a template that reads what is not there")
        return rendering.email_build(message)

    monkeypatch.setattr(delivery, "email_build", build)
    assert delivery.send_due() == {Outcome.FAILED: 1, Outcome.SENT: 3}
    assert reload(bad).status == MessageStatus.FAILED
    assert {reload(m).status for m in good} == {MessageStatus.SENT}


def test_resending_a_message_that_did_not_fail_is_a_conflict(member, staff, schedule):
    from caiac.errors import Conflict

    message = schedule(member)
    with pytest.raises(Conflict) as excinfo:
        message_resend(message=message, by=staff)
    assert excinfo.value.code == "notification_not_failed"


def test_the_file_sink_holds_one_file_per_message_named_after_its_message_id(
    member, schedule, file_sink
):
    first = schedule(member, key="a")
    second = schedule(member, key="b")
    message_deliver(message_id=first.pk)
    message_deliver(message_id=second.pk)
    names = sorted(path.name for path in file_sink.iterdir())
    assert names == [
        f"caiac.message.{first.pk}@caiac.ma.eml",
        f"caiac.message.{second.pk}@caiac.ma.eml",
    ]
    assert f"To: {member.email}" in (file_sink / names[0]).read_text()


def test_the_ics_part_names_its_charset_once(member, schedule):
    ics = {
        "uid": "booking-43@caiac.ma",
        "summary": "Autoclave",
        "start": "2026-12-03T09:00:00+00:00",
        "end": "2026-12-03T10:00:00+00:00",
        "location": "Hall A",
    }
    message = schedule(member, context={"title": "Réservation", "text": "Rappel", "ics": ics})
    message_deliver(message_id=message.pk)
    raw = mail.outbox[0].message().as_string()
    (header,) = [
        line for line in raw.splitlines() if line.startswith("Content-Type: text/calendar")
    ]
    assert header.lower().count("charset") == 1, header


def test_rows_claimed_but_not_tried_when_the_budget_ends_go_back_untouched(
    member, schedule, monkeypatch
):
    ids = [schedule(member, key=f"batch:{n}").pk for n in range(5)]
    sent = []
    send = delivery._send_claimed
    monkeypatch.setattr(delivery, "_send_claimed", lambda *a: sent.append(1) or send(*a))
    # The budget runs out once the first email of the batch is sent.
    monkeypatch.setattr(delivery, "_past", lambda deadline: bool(sent))
    outcomes = delivery.send_due(budget_seconds=10)
    assert outcomes[Outcome.SENT] == 1
    rows = Message.objects.filter(pk__in=ids).order_by("due_at", "id")
    assert [row.status for row in rows].count(MessageStatus.SENT) == 1
    left = rows.exclude(status=MessageStatus.SENT)
    assert {(row.status, row.attempts, row.send_token) for row in left} == {
        (MessageStatus.PENDING, 0, "")
    }
