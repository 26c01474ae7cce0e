"""Two copies of the send task racing for one row (Redis redelivery, or the scan re-enqueueing)."""

import threading

import pytest
from django.core import mail
from django.db import connection

from caiac.notifications.delivery import Outcome, message_deliver
from caiac.notifications.models import Message, MessageStatus
from tests.notifications.conftest import minutes, now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(target, copies: int) -> list:
    barrier = threading.Barrier(copies)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # reported below, never lost in a thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_concurrent_copies_of_the_send_task_deliver_exactly_one_email(member, schedule):
    message = schedule(member)
    outcomes = run_concurrently(lambda: message_deliver(message_id=message.pk), copies=4)
    assert sorted(outcomes).count(Outcome.SENT) == 1
    assert set(outcomes) <= {Outcome.SENT, Outcome.SKIPPED}
    assert len(mail.outbox) == 1
    message = Message.objects.get(pk=message.pk)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)


def test_many_rows_sent_by_racing_workers_are_each_emailed_once(member, schedule):
    ids = [schedule(member, key=f"race:{n}").pk for n in range(6)]

    def drain():
        return [message_deliver(message_id=message_id) for message_id in ids]

    results = run_concurrently(drain, copies=3)
    assert sum(outcomes.count(Outcome.SENT) for outcomes in results) == 6
    assert sorted(email.extra_headers["Message-ID"] for email in mail.outbox) == sorted(
        f"<caiac.message.{message_id}@caiac.ma>" for message_id in ids
    )


def test_a_scan_skips_a_row_locked_by_a_move_and_sends_it_next_time(member, schedule):
    from django.db import transaction

    from caiac.notifications import delivery

    moving = schedule(member, key="moving", due_at=now() - minutes(2))
    other = schedule(member, key="other", due_at=now() - minutes(1))
    locked, release = threading.Event(), threading.Event()

    def mover():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=moving.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=mover)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        # The scan does not wait for the mover: it sends the next row and stops.
        assert delivery.send_due() == {Outcome.SENT: 1}
        assert message_deliver(message_id=moving.pk) == Outcome.SKIPPED
    finally:
        release.set()
        thread.join(timeout=10)
    assert [email.extra_headers["Message-ID"] for email in mail.outbox] == [
        f"<caiac.message.{other.pk}@caiac.ma>"
    ]
    assert delivery.send_due() == {Outcome.SENT: 1}  # the next scan, seconds later
    assert len(mail.outbox) == 2


def test_a_burst_of_due_messages_is_delivered_exactly_once_by_two_concurrent_scans(
    member, schedule, file_sink, settings, monkeypatch
):
    from caiac.notifications import delivery

    # A sink that takes a moment per message, as a mail server does: both scans are at work
    # at the same time, whichever thread starts first.
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowFileBackend"
    monkeypatch.setenv("SINK_DELAY_SECONDS", "0.02")
    ids = [schedule(member, key=f"burst:{n}").pk for n in range(60)]
    results = run_concurrently(lambda: delivery.send_due(), copies=2)

    assert sum(outcomes[Outcome.SENT] for outcomes in results) == 60
    assert all(set(outcomes) == {Outcome.SENT} for outcomes in results)
    assert all(outcomes[Outcome.SENT] > 0 for outcomes in results), "both scans took part"
    assert sorted(path.name for path in file_sink.glob("*.eml")) == sorted(
        f"caiac.message.{pk}@caiac.ma.eml" for pk in ids
    )
    sent = Message.objects.filter(pk__in=ids, status=MessageStatus.SENT)
    assert sent.count() == 60
    assert set(sent.values_list("attempts", flat=True)) == {1}
