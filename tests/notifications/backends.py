"""Email backends for the tests: a server that fails on demand, and a slow sink for the worker."""

import os
import smtplib
import time

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from caiac.notifications.mail import FileBackend


class FlakyBackend(LocmemBackend):
    """Refuses the next ``failures`` sends with an SMTP error, then delivers to mail.outbox."""

    failures = 0
    error: type[Exception] = smtplib.SMTPServerDisconnected

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise FlakyBackend.error("Connection unexpectedly closed")
        return super().send_messages(messages)


class SlowFileBackend(FileBackend):
    """The file sink, taking ``SINK_DELAY_SECONDS`` per message like a real SMTP conversation."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SINK_DELAY_SECONDS", "0.5")))
        return super().send_messages(email_messages)
