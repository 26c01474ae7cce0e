"""Filters for message templates, whose context holds datetimes as ISO 8601 strings."""

import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def local_datetime(value: str | datetime.datetime | None, fmt: str = "DATETIME_FORMAT") -> str:
    """An ISO 8601 string (or aware datetime) shown on the Africa/Casablanca wall clock."""
    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(timezone.localtime(moment), fmt)
