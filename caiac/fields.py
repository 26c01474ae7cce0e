"""The API's one way to read dates, date-times and ids (every app's serializers use these).

Parsing never raises past validation: an impossible value (minute 99, month 13, hour 24, an
offset of a day or more, a sub-minute offset, year 0020 or 9999) is a 400 on its field, never a
500 later on from arithmetic or time-zone conversion. Years are kept to ``MIN_YEAR..MAX_YEAR``:
far enough for any lab booking or funder report, and clear of both ends of ``datetime`` and of
the local-mean-time offsets (-00:30:20) that Africa/Casablanca had before 1913.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MIN_YEAR = 2000
MAX_YEAR = 2100

# PostgreSQL's ``integer`` (Django's IntegerField / AutoField): the portable bound of an API
# integer, whatever the database (SQLite would accept 64 bits and then PostgreSQL refuse).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
ID_MAX = 2**63 - 1  # ids are BigAutoField

_YEAR_MESSAGE = _("Give a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


def _parse_datetime(value: str) -> datetime.datetime | None:
    try:
        return parse_datetime(value.strip())
    except (ValueError, TypeError, OverflowError):
        return None  # out-of-range parts (minute 99, month 13, offset +25:00) read as invalid


def _parse_date(value: str) -> datetime.date | None:
    try:
        return parse_date(value.strip())
    except (ValueError, TypeError, OverflowError):
        return None


class WallClockDateTimeField(serializers.DateTimeField):
    """ISO 8601. With an offset, that instant. Without one, read on the Casablanca wall clock —
    and refused when a clock switch skips or repeats that local time, because zoneinfo would
    silently pick one of the two readings instead of raising. Returned in UTC."""

    default_error_messages = {
        "invalid": _("Enter a valid ISO 8601 date-time, e.g. 2026-12-15T09:30:00+00:00."),
        "ambiguous": _(
            "This local time is skipped or repeated by a clock change: give the offset."
        ),
        "offset": _("Give a time-zone offset in whole minutes, less than 24 hours."),
        "year": _YEAR_MESSAGE,
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime.datetime):  # from Python callers, not from JSON
            parsed = value
        elif isinstance(value, str):
            parsed = _parse_datetime(value)
        else:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail("year")
        offset = parsed.utcoffset()
        if offset is not None:
            if offset.microseconds or offset.seconds % 60 or abs(offset) >= datetime.timedelta(1):
                self.fail("offset")
            return parsed.astimezone(datetime.UTC)
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        early, late = parsed.replace(tzinfo=zone, fold=0), parsed.replace(tzinfo=zone, fold=1)
        if early.utcoffset() != late.utcoffset():
            self.fail("ambiguous")
        return early.astimezone(datetime.UTC)


class BoundedDateField(serializers.DateField):
    """ISO 8601 date (YYYY-MM-DD) in ``MIN_YEAR..MAX_YEAR``: date arithmetic cannot overflow."""

    default_error_messages = {
        "invalid": _("Enter a valid date, YYYY-MM-DD."),
        "year": _YEAR_MESSAGE,
    }

    def to_internal_value(self, value):
        if isinstance(value, datetime.datetime):
            self.fail("datetime")
        if isinstance(value, datetime.date):
            parsed = value
        elif isinstance(value, str) and len(value.strip()) == 10:
            parsed = _parse_date(value)
        else:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail("year")
        return parsed


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"})
class WallClockTimeField(serializers.TimeField):
    """A Casablanca wall-clock time of day, HH:MM[:SS] (OpenAPI's ``format: time`` would demand
    an offset, which a weekly opening rule has not: it is re-derived per date)."""


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (YYYY-MM-DD, local midnight) or an ISO 8601 date-time with offset",
    }
)
class DateOrDateTimeField(serializers.Field):
    """A query bound: a local date (its midnight; ``end_of_day``: the next midnight) or a
    date-time with an offset. Returns an aware UTC datetime."""

    default_error_messages = {
        "invalid": _("Enter a date or an ISO 8601 date-time."),
        "offset": _("Give the time-zone offset."),
    }

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        from caiac.clock import wall_clock

        if not isinstance(value, str):
            self.fail("invalid")
        if len(value.strip()) == 10:
            day = BoundedDateField().run_validation(value)
            return wall_clock(day + datetime.timedelta(days=int(self.end_of_day)), datetime.time(0))
        parsed = _parse_datetime(value)
        if parsed is None:
            self.fail("invalid")
        if parsed.tzinfo is None:
            self.fail("offset")
        return WallClockDateTimeField().run_validation(value)

    def to_representation(self, value):
        return value.isoformat()


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object's id: a JSON integer (or a string of digits), never ``1.5`` or ``true``
    (Django would read 1.5 as 1 and book machine 1). Unknown ids are a 400 on the field."""

    default_error_messages = {
        "incorrect_type": _("Give the id as an integer, not {data_type}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not (data.isascii() and data.strip().isdigit()):
                self.fail("incorrect_type", data_type="str")
            data = int(data)
        if not 1 <= data <= ID_MAX:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class IntegerField(serializers.IntegerField):
    """An integer the database can hold: bounded to PostgreSQL's ``integer`` unless narrower."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)
