# The outbox fixtures of the notification tests (schedule a message, the file sink).
from tests.notifications.conftest import file_sink, schedule  # noqa: F401
