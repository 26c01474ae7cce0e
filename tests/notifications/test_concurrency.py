"""Two copies of the send task racing for one row (Redis redelivery, or the scan re-enqueueing)."""

import threading

import pytest
from django.core import mail
from django.db import connection

from caiac.notifications.delivery import Outcome, message_deliver
from caiac.notifications.models import Message, MessageStatus

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


def test_a_send_that_finds_the_row_locked_by_a_move_leaves_it_for_the_next_scan(member, schedule):
    from django.db import transaction

    from caiac.notifications import delivery

    message = schedule(member)
    assert delivery.due_scan() == [message.pk]
    locked, release = threading.Event(), threading.Event()

    def mover():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=message.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=mover)
    thread.start()
    assert locked.wait(timeout=10)
    # The mover commits a moment later; the send skips the locked row without waiting for it.
    threading.Timer(0.3, release.set).start()
    try:
        assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    finally:
        release.set()
        thread.join(timeout=10)
    assert mail.outbox == []
    assert delivery.due_scan() == [message.pk]  # handed out again at once, not in 5 minutes
    assert message_deliver(message_id=message.pk) == Outcome.SENT
    assert len(mail.outbox) == 1
