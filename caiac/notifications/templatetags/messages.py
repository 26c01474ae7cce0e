"""Filters for message templates (emails and in-app notifications), whose context holds
datetimes as ISO 8601 strings and amounts as strings. Plain text, formatted for the message's
language by ``caiac.formatting`` like the pages."""

import datetime

from django import template

from caiac import formatting

register = template.Library()


def _moment(value: str | datetime.datetime) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


@register.filter
def local_datetime(value: str | datetime.datetime | None, fmt: str = "") -> str:
    """An ISO 8601 string (or aware datetime) on the Africa/Casablanca wall clock: "jeudi 14
    mai 2026, 09:00" by default, or a named format (``"TIME_FORMAT"``, ``"DATE_FORMAT"``...)."""
    if not value:
        return ""
    moment = _moment(value)
    if not fmt:
        return formatting.when_long(moment)
    if fmt == "TIME_FORMAT":
        return formatting.time(moment)
    return formatting.date(moment, fmt)


@register.filter
def local_span(start: str | datetime.datetime | None, end: str | datetime.datetime | None) -> str:
    """ "jeudi 14 mai 2026, 09:00-12:00" (both ends when the days differ)."""
    if not start or not end:
        return ""
    return formatting.span(_moment(start), _moment(end), long=True)


@register.filter
def money(value) -> str:
    """ "1 200,00 MAD" in the message's language."""
    return formatting.money(value)


@register.filter
def hours(value) -> str:
    return formatting.hours(value)
