"""When a reminder is due, on the Africa/Casablanca wall clock.

"The day before" means the same wall-clock time on the previous local day (a 10:00 session is
announced at 10:00 the day before), not exactly 24 hours earlier: across a clock change the two
differ by an hour (e.g. 2026-09-20, Morocco's move to permanent UTC+0, makes it 25 hours).
"An hour before" is exactly 60 minutes before, whatever the clock does.
"""

import datetime
import zoneinfo

from django.conf import settings


def day_before(start: datetime.datetime, *, days: int = 1) -> datetime.datetime:
    """The instant, ``days`` local days before ``start``, at the same wall-clock time."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(tz)
    wall = (local.replace(tzinfo=None) - datetime.timedelta(days=days)).replace(tzinfo=tz)
    # zoneinfo does not raise on wall times a switch skips or repeats. fold=0 resolves a
    # repeated time to its first occurrence and a skipped one with the offset before the switch,
    # which lands just after the gap (an hour later on the clock): both still before ``start``.
    return wall.astimezone(datetime.UTC)


def hours_before(start: datetime.datetime, *, hours: int = 1) -> datetime.datetime:
    return (start - datetime.timedelta(hours=hours)).astimezone(datetime.UTC)
