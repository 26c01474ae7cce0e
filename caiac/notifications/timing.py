"""When a reminder is due. Durations are exact; wall-clock anchors are re-derived per date.

The platform's rule for "the reminder 24 h before" (booking and trainings write it as
``start - 24 h``) is **exactly 24 hours before**: a fixed notice period, whatever the clock does.
Across Morocco's switch to permanent UTC+0 on 2026-09-20 a 10:00 booking that day is reminded at
11:00 on the 19th (10:00 UTC) — still a full day's notice; the email shows the booking's own wall
clock time, 10:00. ``hours_before`` says this.

``day_before`` is for messages anchored on a time of day ("at 09:00 three days before a milestone"):
the same wall-clock time on an earlier local date, so 25 or 23 hours a day across a switch.
"""

import datetime

from caiac import clock


def hours_before(start: datetime.datetime, *, hours: int = 24) -> datetime.datetime:
    """Exactly ``hours`` hours before ``start`` (absolute time: clock changes do not matter)."""
    # To UTC first: Python subtracts a timedelta from a ZoneInfo-aware datetime on its wall
    # clock (10:00 Casablanca minus 24 h is 10:00 the day before, 25 real hours across a switch).
    return start.astimezone(datetime.UTC) - datetime.timedelta(hours=hours)


def day_before(start: datetime.datetime, *, days: int = 1) -> datetime.datetime:
    """The instant, ``days`` local days before ``start``, at the same wall-clock time."""
    local = start.astimezone(clock.local_tz())
    # A skipped wall time lands just after the gap, a repeated one on its first occurrence:
    # both still before ``start`` (see caiac.clock.wall_clock).
    return clock.wall_clock(
        local.date() - datetime.timedelta(days=days), local.timetz().replace(tzinfo=None)
    )
