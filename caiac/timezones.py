"""Time-zone data: the pinned ``tzdata`` package, never the system's copy.

Morocco moved to permanent UTC+0 on 2026-09-20 (IANA 2026c). Debian's tzdata on our machines is
older and still says UTC+1, so zoneinfo is told to look only at the Python package.
"""

import os
import time
import zoneinfo
from datetime import datetime
from importlib.metadata import version
from importlib.resources import files

CASABLANCA = "Africa/Casablanca"
# A wall-clock instant whose offset only 2026c+ data gets right.
_PROBE_LOCAL = datetime(2026, 12, 1, 9, 0)
_PROBE_EXPECTED_OFFSET_SECONDS = 0


def use_pinned_tzdata() -> None:
    # An empty search path makes zoneinfo fall back to the ``tzdata`` package.
    zoneinfo.reset_tzpath(to=())
    zoneinfo.ZoneInfo.clear_cache()
    # The C library's local time (log timestamps of runserver, Celery, gunicorn: Django sets
    # TZ=TIME_ZONE and calls tzset) reads TZDIR; without it, logs ran an hour ahead (UTC+1).
    os.environ["TZDIR"] = str(files("tzdata") / "zoneinfo")
    # tzset() skips the re-read when TZ is unchanged (an inherited TZ=Africa/Casablanca, the
    # runserver reloader's child): switch TZ away and back so the new TZDIR is used.
    if hasattr(time, "tzset"):
        inherited = os.environ.get("TZ")
        os.environ["TZ"] = "UTC0"
        time.tzset()
        if inherited is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = inherited
        time.tzset()


def tzdata_version() -> str:
    return version("tzdata")


def casablanca_probe_offset_seconds() -> int:
    tz = zoneinfo.ZoneInfo(CASABLANCA)
    return int(_PROBE_LOCAL.replace(tzinfo=tz).utcoffset().total_seconds())


def tzdata_problems(minimum: str) -> list[str]:
    """What is wrong with the time-zone data in use, as sentences; empty when all is well."""
    problems = []
    have = tzdata_version()
    if _version_tuple(have) < _version_tuple(minimum):
        problems.append(f"tzdata {have} is older than the required {minimum} (IANA 2026c).")
    offset = casablanca_probe_offset_seconds()
    if offset != _PROBE_EXPECTED_OFFSET_SECONDS:
        problems.append(
            f"Africa/Casablanca on 2026-12-01 is UTC{offset / 3600:+.0f}, expected UTC+0: "
            "the time-zone data in use predates IANA 2026c."
        )
    return problems


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())
