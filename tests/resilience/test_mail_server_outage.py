"""A real SMTP server (aiosmtpd) that is down, then refuses, then accepts: delivered once."""

import datetime
import logging

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from caiac.notifications import delivery
from caiac.notifications.delivery import Outcome
from caiac.notifications.models import Message, MessageStatus
from tests.notifications.conftest import now
from tests.resilience.servers import spare_port

pytestmark = pytest.mark.django_db


class Server:
    """Refuses the next ``refusals`` messages with a 451 (try later), then accepts them."""

    def __init__(self) -> None:
        self.refusals = 0
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.received.append(envelope.content.decode())
        return "250 OK"


@pytest.fixture
def smtp(settings):
    port = spare_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    handler.start, handler.stop = controller.start, controller.stop
    yield handler
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def reload(message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_a_message_refused_then_accepted_is_delivered_once_after_the_configured_backoff(
    smtp, member, schedule, settings
):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    smtp.start()
    smtp.refusals = 1
    message = schedule(member)

    assert delivery.send_due() == {Outcome.RETRY_LATER: 1}
    refused = reload(message)
    assert (refused.status, refused.attempts) == (MessageStatus.PENDING, 1)
    assert "451" in refused.last_error
    assert smtp.received == []

    # Not a scan earlier than the configured minute, and the first scan after it sends.
    with time_machine.travel(refused.next_attempt_at - datetime.timedelta(seconds=5)):
        assert delivery.send_due() == {}
    with time_machine.travel(refused.next_attempt_at):
        assert delivery.send_due() == {Outcome.SENT: 1}
        assert delivery.send_due() == {}
    assert len(smtp.received) == 1
    assert f"Message-ID: <caiac.message.{message.pk}@caiac.ma>" in smtp.received[0]
    sent = reload(message)
    assert (sent.status, sent.attempts, sent.last_error) == (MessageStatus.SENT, 2, "")


def test_while_the_mail_server_is_down_messages_wait_without_spending_attempts(
    smtp, member, schedule, caplog
):
    caplog.set_level(logging.INFO, logger="caiac.notifications.delivery")
    messages = [schedule(member, key=f"down:{n}") for n in range(3)]

    for _ in range(4):  # four scans while nothing listens on the port
        assert delivery.send_due() == {Outcome.WAITING: 1}
    for message in messages:
        waiting = reload(message)
        assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 0)
        assert waiting.last_error.startswith("Mail server unreachable")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "one warning for the outage, not one per scan"

    smtp.start()
    assert delivery.send_due() == {Outcome.SENT: 3}
    assert len(smtp.received) == 3
    assert {reload(m).status for m in messages} == {MessageStatus.SENT}
    assert any(r.getMessage() == "email can be sent again" for r in caplog.records)


def test_a_burst_goes_through_one_smtp_session(smtp, member, schedule):
    smtp.start()
    for n in range(20):
        schedule(member, key=f"burst:{n}")
    assert delivery.send_due() == {Outcome.SENT: 20}
    assert len(smtp.received) == 20
    assert len({text.split("Message-ID: ")[1].split()[0] for text in smtp.received}) == 20


def test_a_configuration_error_is_logged_as_an_error_and_shown_on_the_waiting_rows(
    member, schedule, settings, caplog, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the mail folder should be")
    settings.EMAIL_BACKEND = "caiac.notifications.mail.FileBackend"
    settings.EMAIL_FILE_PATH = str(blocker / "mail")
    messages = [schedule(member, key=f"conf:{n}") for n in range(2)]

    assert delivery.send_due() == {Outcome.WAITING: 1}
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "Email configuration error" in errors[0].getMessage()
    for message in messages:
        waiting = reload(message)
        assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 0)
        assert waiting.last_error.startswith("Email configuration error: ImproperlyConfigured")

    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")  # the operator fixes it
    assert delivery.send_due() == {Outcome.SENT: 2}
    assert {reload(m).last_error for m in messages} == {""}


def test_the_due_time_is_kept_to_within_a_scan_even_after_an_outage(smtp, member, schedule):
    # A reminder due in the future is not sent early because the server came back.
    smtp.start()
    later = schedule(member, key="later", due_at=now() + datetime.timedelta(minutes=5))
    assert delivery.send_due() == {}
    assert reload(later).status == MessageStatus.PENDING


class Logins:
    """aiosmtpd's authenticator: counts the logins, accepts only ``password``."""

    def __init__(self, password: str) -> None:
        self.password, self.attempts = password.encode(), 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.attempts += 1
        return AuthResult(success=auth_data.password == self.password, handled=False)


def test_a_refused_login_is_a_configuration_error_not_retried_every_scan(
    member, schedule, settings, caplog
):
    port = spare_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "halle", "an-old-password"
    settings.EMAIL_TIMEOUT = 5
    handler, logins = Server(), Logins("the-new-password")
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=logins,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        messages = [schedule(member, key=f"login:{n}") for n in range(2)]
        assert delivery.send_due() == {Outcome.WAITING: 1}
        tried = logins.attempts  # smtplib tries each mechanism the server offers, once
        assert tried >= 1
        for _ in range(3):  # three more scans, a few seconds apart in real life
            assert delivery.send_due() == {Outcome.WAITING: 1}
        assert logins.attempts == tried, "a refused password is not tried again at every scan"
        for message in messages:
            waiting = reload(message)
            assert (waiting.status, waiting.attempts) == (MessageStatus.PENDING, 0)
            assert waiting.last_error.startswith(
                "Email configuration error: SMTPAuthenticationError: (535"
            )
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1
        assert handler.received == []

        settings.EMAIL_HOST_PASSWORD = "the-new-password"  # the operator mends it: tried at once
        assert delivery.send_due() == {Outcome.SENT: 2}
        assert len(handler.received) == 2
        assert {reload(m).last_error for m in messages} == {""}
    finally:
        controller.stop()
