"""Money and dates in the reader's language, for billing's messages and documents."""

import datetime
from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def mad(value: str | Decimal | None) -> str:
    """``1200.5`` → "1 200,50 MAD" in French, "1,200.50 MAD" in English."""
    if value in (None, ""):
        return ""
    amount = formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0MAD"


@register.filter
def day(value: str | datetime.date | None) -> str:
    if not value:
        return ""
    date = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(date, "DATE_FORMAT")
