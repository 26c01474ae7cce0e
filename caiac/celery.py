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
}
