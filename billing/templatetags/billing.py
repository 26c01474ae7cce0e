"""Message templates get ISO strings from the outbox context; these read them back and format
them with ``caiac.formatting`` (the one place money and dates are written by language)."""

import datetime

from django import template

from caiac import formatting

register = template.Library()


@register.filter
def mad(value) -> str:
    """``"1200.5"`` → "1 200,50 MAD" (fr), "1 200,50 درهم" (ar), "1,200.50 MAD" (en)."""
    return formatting.money(value)


@register.filter
def day(value) -> str:
    """``"2027-01-01"`` → "1 janvier 2027"."""
    if not value:
        return ""
    date = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return formatting.date(date)


@register.filter
def sees_billing(user) -> bool:
    """The menu's "Invoices": cluster staff and owners of an organisation (one query)."""
    from billing.selectors import owned_organisation_ids
    from caiac import access

    if not access.is_signed_in(user):
        return False
    return access.is_staff(user) or bool(owned_organisation_ids(user))
