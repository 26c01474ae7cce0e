"""Celery tasks: thin and idempotent; the rules are in ``incubation.services``."""

from celery import shared_task

from incubation import services


@shared_task(name="incubation.tasks.grant_monthly_lab_hours")
def grant_monthly_lab_hours() -> int:
    """Grant this month's free lab hours of every live incubatee (a no-op once granted)."""
    return services.lab_hours_grant_monthly()


@shared_task(name="incubation.tasks.remind_missing_kpi_reports")
def remind_missing_kpi_reports() -> int:
    """Remind incubatees that owe the last quarter's KPI report (once a week each; idempotent)."""
    return services.kpi_campaign_remind()
