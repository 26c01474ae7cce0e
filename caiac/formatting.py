"""Money, numbers, dates and time ranges as the current language writes them.

One place for pages (through the ``{% load ui %}`` filters), messages, emails and exports. Django
does the work (``formats``, ``dateformat``, ``number_format`` and the per-language modules in
``caiac/formats/``); this module only picks the format and isolates mixed-direction text, so an
Arabic page shows "09:00-10:00" and "2026-Q3" the right way round.

Functions returning HTML (``*_html``) escape what they wrap and return a ``SafeString``.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, formats, timezone
from django.utils.html import escape, format_html
from django.utils.numberformat import format as number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NBSP = "\xa0"
EN_DASH = "\u2013"

_DEFAULTS = {
    "DAY_FORMAT": "D j M Y",
    "DAY_SHORT_FORMAT": "D j M",
    "DAY_LONG_FORMAT": "l j F Y",
    "WEEKDAY_FORMAT": "l",
}


def _format(name: str) -> str:
    """A Django format (``DATE_FORMAT``...) or one of ours (``DAY_FORMAT``...) for the language."""
    if name not in _DEFAULTS:
        return formats.get_format(name)
    for module in formats.get_format_modules(get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    return _DEFAULTS[name]


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# --- numbers ----------------------------------------------------------------------------------


def number(value, decimals: int | None = None) -> str:
    """ "1 200,5" in French and Arabic, "1,200.5" in English; ``decimals`` fixes the places."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if decimals is None and amount == amount.to_integral_value():
        decimals = 0
    return number_format(
        amount,
        decimal_sep=formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=formats.get_format("NUMBER_GROUPING"),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def money(value) -> str:
    """ "1 200,00 MAD" (fr), "1 200,00 درهم" (ar), "MAD 1,200.00" is never used: "1,200.00 MAD"."""
    amount = _decimal(value)
    if amount is None:
        return ""
    # Translators: an amount in Moroccan dirhams (spaces become no-break spaces).
    return (_("%(amount)s MAD") % {"amount": number(amount, 2)}).replace(" ", NBSP)


def hours(value) -> str:
    """Lab hours: "1,5 h", "2 h"."""
    amount = _decimal(value)
    if amount is None:
        return ""
    amount = amount.quantize(Decimal("0.01")).normalize()
    # Translators: a number of hours, e.g. "1,5 h" (spaces become no-break spaces).
    return (_("%(hours)s h") % {"hours": number(amount)}).replace(" ", NBSP)


def percent(value, decimals: int = 0) -> str:
    """A share (0.42) as a percentage: "42 %" in French and Arabic (no-break space), "42%" in
    English."""
    share = _decimal(value)
    if share is None:
        return ""
    figure = number((share * 100).quantize(Decimal(1).scaleb(-decimals)), decimals or None)
    return f"{figure}%" if (get_language() or "").startswith("en") else f"{figure}{NBSP}%"


# --- dates and times --------------------------------------------------------------------------


def date(value, fmt: str = "DATE_FORMAT") -> str:
    """A date (or datetime, on the Casablanca wall clock) in a named or literal format."""
    if value in (None, ""):
        return ""
    return dateformat.format(_local(value), _format(fmt))


def day(value) -> str:
    """ "jeu 14 mai 2026" / "الخميس 14 مايو 2026" / "Thu 14 May 2026"."""
    return date(value, "DAY_FORMAT")


def day_short(value) -> str:
    """The day without the year, for calendar columns: "jeu 14 mai"."""
    return date(value, "DAY_SHORT_FORMAT")


def when_long(value) -> str:
    """For prose (emails, notifications): "dimanche 20 septembre 2026, 10:00"."""
    if value in (None, ""):
        return ""
    return _("%(day)s, %(time)s") % {"day": date(value, "DAY_LONG_FORMAT"), "time": time(value)}


def time(value) -> str:
    """24-hour wall-clock time in every language: "09:00"."""
    if value in (None, ""):
        return ""
    return dateformat.time_format(_local(value), _format("TIME_FORMAT"))


def when(value) -> str:
    """A moment with its day: "jeu 14 mai 2026, 09:00"."""
    if value in (None, ""):
        return ""
    # Translators: a day followed by a time, e.g. "jeu 14 mai 2026, 09:00".
    return _("%(day)s, %(time)s") % {"day": day(value), "time": time(value)}


def time_range(start, end) -> str:
    """ "09:00-10:00" (plain text; wrap in an LTR isolate when inside right-to-left text)."""
    return f"{time(start)}{EN_DASH}{time(end)}"


def date_range(start, end, fmt: str = "DATE_FORMAT") -> str:
    """ "9 février 2027 - 8 mars 2027", "7 - 13 décembre 2026"; one date when both are the
    same day."""
    first, last = date(start, fmt), date(end, fmt)
    if first == last:
        return first
    same_year = getattr(start, "year", None) == getattr(end, "year", None)
    if fmt == "DATE_FORMAT" and same_year and start.month == end.month:
        first = str(start.day)  # "7 - 13 décembre 2026"
    elif fmt == "DATE_FORMAT" and same_year:
        first = date(start, "MONTH_DAY_FORMAT")  # "30 novembre - 6 décembre 2026"
    return f"{first} {EN_DASH} {last}"


def span(start, end, *, long: bool = False) -> str:
    """A booking or session: "jeu 14 mai 2026, 09:00-10:00", or both ends when days differ.
    ``long`` for prose: "jeudi 14 mai 2026, 09:00-10:00"."""
    s, e = _local(start), _local(end)
    if s.date() == e.date():
        the_day = date(s, "DAY_LONG_FORMAT") if long else day(s)
        return _("%(day)s, %(time)s") % {"day": the_day, "time": time_range(s, e)}
    if long:
        return f"{when_long(s)} {EN_DASH} {when_long(e)}"
    return f"{when(s)} {EN_DASH} {when(e)}"


# --- mixed-direction text (HTML) -----------------------------------------------------------------


def isolate(value) -> str:
    """Plain text's ``<bdi>`` (a form label, an option): first-strong isolate (FSI ... PDI)
    around a name, so "GIZ (PPE)" inside Arabic keeps its brackets."""
    return f"\u2068{value}\u2069" if value not in (None, "") else ""


def isolate_html(value) -> SafeString:
    """``<bdi>`` around text whose direction is its own (a Latin name inside Arabic, or the
    reverse): the surrounding punctuation stays where it belongs."""
    if value in (None, ""):
        return SafeString("")
    return format_html("<bdi>{}</bdi>", value)


def ltr_html(value) -> SafeString:
    """Left-to-right isolate for codes, URLs, periods ("2026-Q3"), e-mail addresses, times."""
    if value in (None, ""):
        return SafeString("")
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def time_range_html(start, end) -> SafeString:
    """A time range, left to right, never broken at its dash on a narrow screen."""
    return format_html('<bdi dir="ltr" class="text-nowrap">{}</bdi>', time_range(start, end))


def span_html(start, end) -> SafeString:
    s, e = _local(start), _local(end)
    if s.date() == e.date():
        return mark_safe(
            _("%(day)s, %(time)s") % {"day": escape(day(s)), "time": time_range_html(s, e)}
        )
    pattern = _("%(day)s, %(time)s")
    first = pattern % {"day": escape(day(s)), "time": ltr_html(time(s))}
    last = pattern % {"day": escape(day(e)), "time": ltr_html(time(e))}
    return mark_safe(f"{first} {EN_DASH} {last}")


def period_html(start, end) -> SafeString:
    """A closure or any stretch of time: whole days (midnight to midnight) read as days, "ven 1
    jan. 2027" or "21 - 23 décembre 2026", not as "... 00:00 - ... 00:00" ending on
    the day after; anything else as ``span_html``."""
    s, e = _local(start), _local(end)
    midnight = datetime.time(0, 0)
    if s.time() != midnight or e.time() != midnight or e <= s:
        return span_html(start, end)
    last = (e - datetime.timedelta(days=1)).date()
    if last == s.date():
        return isolate_html(day(s))
    return isolate_html(date_range(s.date(), last))
