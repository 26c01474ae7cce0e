"""Celery tasks: thin wrappers over caiac.notifications.delivery.

No message is ever a Celery task of its own or an ETA: the outbox (due_at, next_attempt_at) is
the schedule, and the scan below, started by beat every ``NOTIFICATIONS_SCAN_SECONDS``, sends
what is due. Only scans travel through the broker; a lost one is replaced a few seconds later.
"""

import logging

from celery import shared_task
from django.conf import settings

from caiac.notifications import delivery

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True,
    # A scan is worth nothing once the next one is due: acknowledged on receipt (never
    # redelivered after a crash: beat sends a fresh one), dropped if it waited past its period.
    acks_late=False,
    soft_time_limit=settings.NOTIFICATIONS_SCAN_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATIONS_SCAN_TIME_LIMIT,
)
def send_due_messages() -> int:
    outcomes = delivery.send_due(budget_seconds=settings.NOTIFICATIONS_SCAN_BUDGET_SECONDS)
    done = sum(n for outcome, n in outcomes.items() if outcome is not delivery.Outcome.BUSY)
    if outcomes[delivery.Outcome.BUSY] and done:
        # A burst: more is due than one budget sends. Another scan at once (beside the ones
        # beat starts) keeps every worker process sending until the burst is through.
        try:
            send_due_messages.apply_async(expires=settings.NOTIFICATIONS_SCAN_SECONDS)
        except Exception as exc:  # broker gone: beat's next scan carries on
            logger.warning("could not start a follow-up scan: %s", exc)
    return done


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT,
    soft_time_limit=max(settings.NOTIFICATIONS_SEND_TIME_LIMIT - 5, 1),
)
def send_message(message_id: int) -> str:
    """One message now (if due); the scan does the same for every due row."""
    return delivery.message_deliver(message_id=message_id)
