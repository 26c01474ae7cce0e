import datetime
import zoneinfo

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class WallClockDateTimeField(serializers.DateTimeField):
    """ISO 8601. With an offset, that instant. Without one, read on the Casablanca wall clock —
    and refused when a clock switch skips or repeats that local time, because zoneinfo would
    silently pick one of the two readings instead of raising."""

    default_error_messages = {
        "ambiguous": _("This local time is skipped or repeated by a clock change: give the offset.")
    }

    def to_internal_value(self, value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is None:
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            early, late = parsed.replace(tzinfo=zone, fold=0), parsed.replace(tzinfo=zone, fold=1)
            if early.utcoffset() != late.utcoffset():
                self.fail("ambiguous")
            return early.astimezone(datetime.UTC)
        return super().to_internal_value(value).astimezone(datetime.UTC)
