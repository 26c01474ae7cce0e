"""Celery tasks: thin wrappers over caiac.notifications.delivery.

No message is ever scheduled as a Celery ETA: the outbox (due_at, next_attempt_at) is the
schedule and the beat scan below, every minute, is the only thing that enqueues sends. A task lost
with a dead worker is harmless: its row is still pending and the scan hands it out again.
"""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from caiac.notifications import delivery


@shared_task(ignore_result=True)
def send_due_messages() -> int:
    with transaction.atomic():
        ids = delivery.due_scan()
        # Enqueued once the scan's stamps are committed, never before.
        transaction.on_commit(lambda: [send_message.delay(message_id) for message_id in ids])
    return len(ids)


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT,
    soft_time_limit=max(settings.NOTIFICATIONS_SEND_TIME_LIMIT - 10, 1),
)
def send_message(message_id: int) -> str:
    return delivery.message_deliver(message_id=message_id)
