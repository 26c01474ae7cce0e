import email
import re
from email import policy
from pathlib import Path

import pytest
from django.core.management import call_command

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def mailbox(settings, tmp_path):
    """The file email backend the site uses by default, read back as a person's mailbox."""
    settings.EMAIL_BACKEND = "caiac.notifications.mail.FileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SITE_URL = "http://testserver"
    return Mailbox(Path(settings.EMAIL_FILE_PATH))


class Mailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self) -> None:
        """What the worker does every minute: send every due outbox row."""
        call_command("send_due_messages", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        self.deliver()
        if not self.folder.exists():
            return []
        found = []
        for path in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address.lower() in message["To"].lower():
                found.append(message)
        return found

    def last_link_to(self, address: str) -> str:
        messages = self.messages_to(address)
        assert messages, f"no email to {address}"
        body = messages[-1].get_body(preferencelist=("plain",)).get_content()
        links = [link for link in LINK.findall(body) if "/login/" not in link]
        assert links, body
        return links[0].removeprefix("http://testserver")
