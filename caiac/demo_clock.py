"""Demo data that happened earlier: replay a service call as of a past moment.

The services refuse to book or schedule in the past (as they must), so a demo that wants this
morning's bookings, or a session that ended an hour ago with its attendance still to take,
makes them *as they would have been made* a few days before: the same services, the same rules,
only ``timezone.now()`` answers the earlier moment. For ``seed_demo`` only, never for real data.
"""

import contextlib
import datetime
from collections.abc import Iterator
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def replay_at(moment: datetime.datetime) -> Iterator[None]:
    with mock.patch.object(timezone, "now", return_value=moment):
        yield
