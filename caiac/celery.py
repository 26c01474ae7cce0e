"""The Celery app. Every beat schedule lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caiac.settings")

app = Celery("caiac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["caiac.notifications", "booking", "trainings", "incubation"])

app.conf.beat_schedule = {
    "notifications-send-due": {
        "task": "caiac.notifications.tasks.send_due_messages",
        "schedule": crontab(),  # every minute
    },
    # Daily rather than only on the 1st: a missed run (beat down at midnight) is caught up the
    # next day; the grant is idempotent per incubatee, stage and month.
    "incubation-grant-monthly-lab-hours": {
        "task": "incubation.tasks.grant_monthly_lab_hours",
        "schedule": crontab(minute=10, hour=0),
    },
}
