from pathlib import Path

from django.conf import settings

from caiac.celery import app
from caiac.notifications.tasks import send_due_messages, send_message


def test_the_embedded_broker_has_its_folders_or_redis_is_the_broker():
    # kombu's filesystem transport does not create its folders; a worker started without them
    # dies at once and the embedded default would send nothing.
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    else:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert Path(options["data_folder_in"]).is_dir()
        assert Path(options["processed_folder"]).is_dir()


def test_beat_scans_the_outbox_every_few_seconds_and_each_scan_expires_with_its_period():
    entry = app.conf.beat_schedule["notifications-send-due"]
    assert entry["task"] == "caiac.notifications.tasks.send_due_messages"
    assert entry["schedule"].total_seconds() == settings.NOTIFICATIONS_SCAN_SECONDS <= 5
    assert entry["options"]["expires"] == settings.NOTIFICATIONS_SCAN_SECONDS


def test_a_row_is_taken_back_only_once_every_task_that_may_hold_it_is_dead():
    scan, one = send_due_messages, send_message
    assert not scan.acks_late  # never redelivered: beat sends a fresh scan
    assert scan.soft_time_limit < scan.time_limit < settings.NOTIFICATIONS_STALE_SENDING_SECONDS
    assert one.acks_late and one.reject_on_worker_lost
    assert one.time_limit == settings.NOTIFICATIONS_SEND_TIME_LIMIT
    assert one.time_limit < settings.NOTIFICATIONS_STALE_SENDING_SECONDS
    # "Seconds, not minutes": a row whose worker died is sent again within about a minute.
    assert settings.NOTIFICATIONS_STALE_SENDING_SECONDS <= 60
