"""Celery tasks: thin and idempotent; the rules are in ``incubation.services``."""

from celery import shared_task

from incubation import services


@shared_task(name="incubation.tasks.grant_monthly_lab_hours")
def grant_monthly_lab_hours() -> int:
    """Grant this month's free lab hours of every live incubatee (a no-op once granted)."""
    return services.lab_hours_grant_monthly()
