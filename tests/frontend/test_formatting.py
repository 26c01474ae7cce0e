"""Money, numbers, dates and times as each language writes them (caiac.formatting, ui tags)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from caiac import formatting
from caiac.clock import wall_clock

MORNING = wall_clock(datetime.date(2026, 12, 8), datetime.time(9, 0))
NOON = wall_clock(datetime.date(2026, 12, 8), datetime.time(12, 30))
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"1{NBSP}200,00{NBSP}MAD"),
        ("ar", f"1{NBSP}200,00{NBSP}درهم"),
        ("en", f"1,200.00{NBSP}MAD"),
    ],
)
def test_money_uses_the_languages_separators(language, expected):
    with translation.override(language):
        assert formatting.money(Decimal("1200")) == expected


def test_hours_drop_useless_decimals():
    with translation.override("fr"):
        assert formatting.hours(Decimal("1.50")) == f"1,5{NBSP}h"
        assert formatting.hours(Decimal("4.00")) == f"4{NBSP}h"


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_times_are_24_hour_in_every_language(language):
    afternoon = wall_clock(datetime.date(2026, 12, 8), datetime.time(15, 5))
    with translation.override(language):
        assert formatting.time(afternoon) == "15:05"
        assert "15:05" in formatting.date(afternoon, "DATETIME_FORMAT")
        assert "15:05" in formatting.date(afternoon, "SHORT_DATETIME_FORMAT")


@pytest.mark.parametrize(
    ("language", "day"),
    [("fr", "mar 8 déc. 2026"), ("ar", "الثلاثاء 8 ديسمبر 2026"), ("en", "Tue 8 Dec 2026")],
)
def test_days_carry_month_names_in_the_language_and_its_order(language, day):
    with translation.override(language):
        assert formatting.day(MORNING) == day


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_short_dates_are_never_in_the_us_order(language):
    with translation.override(language):
        assert formatting.date(datetime.date(2026, 11, 29), "SHORT_DATE_FORMAT") == "29/11/2026"


def test_a_time_range_is_isolated_left_to_right_so_arabic_keeps_its_order():
    with translation.override("ar"):
        html = Template("{% load ui %}{{ a|span:b }}").render(Context({"a": MORNING, "b": NOON}))
    ltr_range = '<bdi dir="ltr" class="text-nowrap">09:00\u201312:30</bdi>'
    assert html == f"الثلاثاء 8 ديسمبر 2026، {ltr_range}"


def test_isolating_filters_escape_what_they_wrap():
    html = Template("{% load ui %}{{ name|bdi }} {{ period|ltr }}").render(
        Context({"name": "<b>Atlas</b>", "period": "2026-Q3"})
    )
    assert html == '<bdi>&lt;b&gt;Atlas&lt;/b&gt;</bdi> <bdi dir="ltr">2026-Q3</bdi>'


def test_status_badge_colours_by_status_and_keeps_the_raw_value():
    html = Template('{% load ui %}{% status_badge "pending" "En attente" %}').render(Context())
    assert 'class="badge text-bg-warning status-pending"' in html
    assert 'data-status="pending"' in html and ">En attente<" in html


DEC = datetime.date(2026, 12, 7), datetime.date(2026, 12, 13)
DASH = "\u2013"


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("fr", DEC, f"7 {DASH} 13 décembre 2026"),
        ("ar", DEC, f"7 {DASH} 13 ديسمبر 2026"),
        ("en", DEC, f"7 {DASH} 13 December 2026"),
        (
            "fr",
            (datetime.date(2026, 11, 30), datetime.date(2026, 12, 6)),
            f"30 novembre {DASH} 6 décembre 2026",
        ),
    ],
)
def test_a_week_names_its_month_once(language, days, expected):
    with translation.override(language):
        assert formatting.date_range(*days) == expected


def _midnight(year: int, month: int, day: int) -> datetime.datetime:
    return wall_clock(datetime.date(year, month, day), datetime.time(0, 0))


def test_a_closure_of_whole_days_reads_as_its_days_not_as_midnight_to_midnight():
    with translation.override("fr"):
        one_day = formatting.period_html(_midnight(2027, 1, 1), _midnight(2027, 1, 2))
        three_days = formatting.period_html(_midnight(2026, 12, 21), _midnight(2026, 12, 24))
        # Hours of a day stay hours, as a booking's span shows them.
        hours = formatting.period_html(MORNING, NOON)
    assert one_day == "<bdi>ven 1 jan. 2027</bdi>"
    assert three_days == "<bdi>21 \u2013 23 décembre 2026</bdi>"
    assert hours == formatting.span_html(MORNING, NOON)
