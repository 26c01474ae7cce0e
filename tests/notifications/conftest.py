import datetime
import smtplib

import pytest
from django.utils import timezone

from caiac.notifications.services import message_schedule
from tests.notifications.backends import FlakyBackend


@pytest.fixture
def schedule():
    """Write an outbox row as another app would (due now unless told)."""

    def make(recipient, *, key="test:1", kind="notifications.announcement", **kwargs):
        kwargs.setdefault("context", {"title": "Atelier", "text": "Bienvenue au labo."})
        return message_schedule(recipient=recipient, kind=kind, dedup_key=key, **kwargs)

    return make


@pytest.fixture
def flaky_backend(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.error = smtplib.SMTPServerDisconnected
    yield FlakyBackend
    FlakyBackend.failures = 0
    FlakyBackend.error = smtplib.SMTPServerDisconnected


@pytest.fixture
def file_sink(settings, tmp_path):
    settings.EMAIL_BACKEND = "caiac.notifications.mail.FileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def now() -> datetime.datetime:
    return timezone.now()
