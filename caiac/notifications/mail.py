"""Email backends of our own. The outbox asks a backend ``already_delivered(email)`` when it has
one: a sink that can answer turns a re-send after a crash into a no-op (docs/notifications.md)."""

import os
import re
import uuid
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


class FileBackend(DjangoFileBackend):
    """The development sink: one ``.eml`` file per message, named after its Message-ID.

    Django's file backend appends to one file per connection with a time-stamped name, so the
    same message sent twice is two entries no one can tell apart. Here a message is written to a
    temporary name and renamed into place (atomic), so a reader never sees half a message, and the
    sink knows whether it already holds a given Message-ID.
    """

    def open(self) -> bool:
        return False  # no shared stream to open: each message gets its own file

    def close(self) -> None:
        pass

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for email in email_messages:
                path = self._path_for(email)
                temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
                temporary.write_bytes(email.message().as_bytes(linesep="\n"))
                os.replace(temporary, path)
                sent += 1
        return sent

    def already_delivered(self, email: EmailMessage) -> bool:
        return self._path_for(email).exists()

    def _path_for(self, email: EmailMessage) -> Path:
        message_id = email.extra_headers.get("Message-ID") or f"<{uuid.uuid4().hex}@local>"
        return Path(self.file_path) / (_UNSAFE.sub("_", message_id.strip("<>")) + ".eml")
