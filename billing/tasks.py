"""Celery tasks: thin and idempotent; the rules are in ``billing.services``."""

from celery import shared_task
from django.utils import timezone

from billing import services


@shared_task(name="billing.tasks.draft_monthly_invoices")
def draft_monthly_invoices() -> int:
    """Draft last month's invoices (and collect what is billable). Running it again, or daily
    to catch up a missed 1st, drafts nothing new: returns the drafts created or added to."""
    year, month = services.previous_month(timezone.localdate())
    return len(services.invoices_draft_month(year=year, month=month))


@shared_task(name="billing.tasks.remind_overdue_invoices")
def remind_overdue_invoices() -> int:
    """One reminder per overdue invoice, owner and due date."""
    return services.overdue_reminders_send()
