"""Celery tasks: thin and idempotent; the rules are in ``trainings.services``."""

from celery import shared_task

from trainings import services


@shared_task(name="trainings.tasks.notify_expiring_certifications")
def notify_expiring_certifications() -> int:
    """Tell holders whose certification expires within 30 days (once per certification)."""
    return services.certifications_expiring_notify()
