"""Formats and small components for every page: ``{% load ui %}``.

Filters (text): ``money``, ``number``, ``hours``, ``day``, ``day_short``, ``time24``, ``when``,
``datef`` (a named Django format). Filters (HTML, isolated for right-to-left pages):
``timerange``, ``span``, ``period``, ``daterange``, ``bdi``, ``ltr``.
Tags: ``{% status_badge obj %}``.
See docs/frontend.md.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from caiac import formatting

register = template.Library()


@register.filter
def money(value):
    """``{{ booking.price|money }}`` → "1 200,00 MAD", isolated (``<bdi>``): in Arabic the
    amount reads "1 200,00 درهم" even beside a Latin name."""
    return formatting.isolate_html(formatting.money(value))


@register.filter
def percent(value, decimals=0) -> str:
    """``{{ 0.425|percent }}`` → "43 %" (fr, ar), "43%" (en); ``percent:1`` → "42,5 %"."""
    return formatting.percent(value, int(decimals or 0))


@register.filter
def number(value, decimals=None) -> str:
    """``{{ value|number }}`` or ``{{ value|number:2 }}`` with the language's separators."""
    return formatting.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def hours(value):
    """``{{ booking.credit_hours|hours }}`` → "1,5 h" (isolated, like money)."""
    return formatting.isolate_html(formatting.hours(value))


@register.filter
def day(value) -> str:
    """``{{ booking.start|day }}`` → "jeu 14 mai 2026" (wall clock of Casablanca)."""
    return formatting.day(value)


@register.filter
def day_short(value) -> str:
    return formatting.day_short(value)


@register.filter
def time24(value) -> str:
    """``{{ booking.start|time24 }}`` → "09:00" in every language."""
    return formatting.time(value)


@register.filter
def when(value) -> str:
    """``{{ message.due_at|when }}`` → "jeu 14 mai 2026, 09:00"."""
    return formatting.when(value)


@register.filter
def datef(value, fmt="DATE_FORMAT") -> str:
    """``{{ value|datef }}`` (14 mai 2026), ``{{ value|datef:"SHORT_DATE_FORMAT" }}``..."""
    return formatting.date(value, fmt)


@register.filter
def timerange(start, end):
    """``{{ booking.start|timerange:booking.end }}`` → "09:00-10:00" in a left-to-right
    ``<bdi>`` that does not wrap."""
    return formatting.time_range_html(start, end)


@register.filter
def span(start, end):
    """``{{ booking.start|span:booking.end }}`` → "jeu 14 mai 2026, 09:00-10:00" (isolated)."""
    return formatting.span_html(start, end)


@register.filter
def period(start, end):
    """``{{ closure.start|period:closure.end }}``: whole days as days ("ven 1 jan. 2027",
    "21 - 23 décembre 2026"), otherwise like ``span``."""
    return formatting.period_html(start, end)


@register.filter
def daterange(start, end):
    """``{{ rule.valid_from|daterange:rule.valid_until }}`` → "9 février 2027 - 8 mars 2027"."""
    return formatting.isolate_html(formatting.date_range(start, end))


@register.filter
def bdi(value):
    """``{{ organisation.name|bdi }}``: text that keeps its own direction inside the page's."""
    return formatting.isolate_html(value)


@register.filter
def ltr(value):
    """``{{ kpi.period|ltr }}``, URLs, e-mail addresses, codes: always left to right."""
    return formatting.ltr_html(value)


# Colour of a status badge, by status value (bookings, enrolments, sessions, applications...).
STATUS_COLOURS = {
    "pending": "warning",
    "waitlisted": "warning",
    "submitted": "info",
    "draft": "light",
    "confirmed": "success",
    "enrolled": "success",
    "admitted": "success",
    "completed": "secondary",
    "scheduled": "primary",
    "done": "success",
    "cancelled": "secondary",
    "rejected": "danger",
    "declined": "danger",
    "no_show": "danger",
    "overdue": "danger",
    "issued": "primary",
    "paid": "success",
    "credited": "secondary",
    "available": "success",  # machines
    "maintenance": "warning",
    "retired": "secondary",
}


@register.simple_tag
def status_badge(status: str, label: str = "", *, extra: str = ""):
    """``{% status_badge booking.status booking.get_status_display %}``: a coloured badge that
    also carries the raw status (``data-status``) for tests and scripts."""
    colour = STATUS_COLOURS.get(status, "secondary")
    return format_html(
        '<span class="badge text-bg-{} status-{}{}" data-status="{}">{}</span>',
        colour,
        status,
        f" {extra}" if extra else "",
        status,
        label or status,
    )


@register.simple_tag(takes_context=True)
def nav_item(
    context, url_name: str, label: str, *, exact: bool = False, badge: str = "", more: bool = False
):
    """``{% nav_item "frontend:booking-catalogue" _("Machines") %}``: a menu entry, marked as
    the current page (``aria-current``) when the path is at or under its address. ``more=True``
    renders it as an entry of the "More" menu (a dropdown item on wide screens)."""
    url = reverse(url_name)
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url if exact else path == url or (url != "/" and path.startswith(url))
    return format_html(
        '<li{}><a class="{}{}" href="{}"{}>{}{}</a></li>',
        "" if more else mark_safe(' class="nav-item"'),
        "dropdown-item" if more else "nav-link",
        " active" if current else "",
        url,
        mark_safe(' aria-current="page"') if current else "",
        label,
        badge,
    )
