from pathlib import Path

from django.conf import settings

from caiac.celery import app
from caiac.notifications.tasks import send_message


def test_the_embedded_broker_has_its_folders_or_redis_is_the_broker():
    # kombu's filesystem transport does not create its folders; a worker started without them
    # dies at once and the embedded default would send nothing.
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    else:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert Path(options["data_folder_in"]).is_dir()
        assert Path(options["processed_folder"]).is_dir()


def test_beat_scans_the_outbox_and_the_send_task_acks_late_with_a_time_limit():
    entry = app.conf.beat_schedule["notifications-send-due"]
    assert entry["task"] == "caiac.notifications.tasks.send_due_messages"
    task = send_message
    assert task.acks_late and task.reject_on_worker_lost
    assert task.time_limit == settings.NOTIFICATIONS_SEND_TIME_LIMIT
    assert task.time_limit < settings.NOTIFICATIONS_STALE_SENDING_SECONDS
