"""The Celery app. Every beat schedule lives here, in one place."""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caiac.settings")

app = Celery("caiac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["caiac.notifications", "caiac.frontdoor", "booking", "trainings", "incubation", "billing"]
)

# The outbox scan sends what is due (caiac/notifications/delivery.py): every 5 s by default, so a
# message leaves within seconds of being due. Each scan expires once the next one is due: scans
# that waited in the queue behind a busy worker are dropped, not run in a row.
_scan_seconds = int(os.environ.get("NOTIFICATIONS_SCAN_SECONDS", "5"))

app.conf.beat_schedule = {
    "notifications-send-due": {
        "task": "caiac.notifications.tasks.send_due_messages",
        "schedule": timedelta(seconds=_scan_seconds),
        "options": {"expires": _scan_seconds},
    },
    # Daily rather than only on the 1st: a missed run (beat down at midnight) is caught up the
    # next day; the grant is idempotent per incubatee, stage and month.
    "incubation-grant-monthly-lab-hours": {
        "task": "incubation.tasks.grant_monthly_lab_hours",
        "schedule": crontab(minute=10, hour=0),
    },
    # Daily, so a missed day is caught up the next; the outbox's dedup key (incubatee, quarter,
    # week since the quarter ended, person) keeps it to one reminder a week each.
    "incubation-remind-missing-kpi-reports": {
        "task": "incubation.tasks.remind_missing_kpi_reports",
        "schedule": crontab(minute=30, hour=9),
    },
    # Daily, in the morning (Casablanca); told once per certification, so a missed day is
    # caught up the next.
    "trainings-notify-expiring-certifications": {
        "task": "trainings.tasks.notify_expiring_certifications",
        "schedule": crontab(minute=0, hour=8),
    },
    # The month's invoices are drafted on the 1st; the daily run catches up a missed 1st and
    # adds late-collected charges (a late check-in) to the still-open draft. Idempotent.
    "billing-draft-monthly-invoices": {
        "task": "billing.tasks.draft_monthly_invoices",
        "schedule": crontab(minute=30, hour=1),
    },
    "billing-remind-overdue-invoices": {
        "task": "billing.tasks.remind_overdue_invoices",
        "schedule": crontab(minute=0, hour=9),
    },
    # Daily: a request whose address was never confirmed is useless once its link has expired,
    # and it keeps a password hash and personal details; a day more or less changes nothing.
    "frontdoor-purge-unconfirmed-join-requests": {
        "task": "caiac.frontdoor.tasks.purge_unconfirmed_join_requests",
        "schedule": crontab(minute=45, hour=3),
    },
}
