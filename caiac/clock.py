"""Wall-clock arithmetic in Africa/Casablanca, re-derived per date with zoneinfo (all apps).

zoneinfo never raises on a local time the clock skips (spring forward) or shows twice (fall
back): it silently picks an offset. Here a round trip through UTC tells them apart.
"""

import datetime

from django.utils import timezone

UTC = datetime.UTC


def to_utc(moment: datetime.datetime) -> datetime.datetime:
    """The same instant in UTC. Durations between datetimes sharing a ZoneInfo are wall-clock
    ones (an hour off across a clock switch); in UTC they are exact, so services convert first."""
    return moment.astimezone(UTC)


def local_tz() -> datetime.tzinfo:
    return timezone.get_default_timezone()


def is_nonexistent(day: datetime.date, time: datetime.time) -> bool:
    """True when the clock jumps over ``time`` on ``day`` (it never shows on the wall)."""
    naive = datetime.datetime.combine(day, time)
    aware = naive.replace(tzinfo=local_tz())
    return aware.astimezone(UTC).astimezone(local_tz()).replace(tzinfo=None) != naive


def is_ambiguous(day: datetime.date, time: datetime.time) -> bool:
    """True when the wall clock shows ``time`` twice on ``day`` (the clock went back)."""
    naive = datetime.datetime.combine(day, time)
    tz = local_tz()
    return naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(
        tzinfo=tz, fold=1
    ).utcoffset() and not is_nonexistent(day, time)


def wall_clock(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The UTC instant when the Casablanca wall clock shows ``time`` on ``day``.

    A repeated time means its first occurrence. A skipped time (inside a jump forward) is
    moved forward by the jump, which is where the clock resumes counting.
    """
    naive = datetime.datetime.combine(day, time)
    return naive.replace(tzinfo=local_tz(), fold=0).astimezone(UTC)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The UTC instant of local midnight on ``day`` (Morocco switches at 02:00 / 03:00)."""
    return wall_clock(day, datetime.time.min)


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(local_tz()).date()


def local_days(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    """Every local date that [start, end) touches."""
    first, last = local_date(start), local_date(end - datetime.timedelta(microseconds=1))
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


Interval = tuple[datetime.datetime, datetime.datetime]


def merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    """``base`` minus every interval in ``holes`` (both any order)."""
    result: list[Interval] = []
    holes = merge(holes)
    for start, end in merge(base):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def subtract_merged(base: Interval, holes: list[Interval], first: int = 0) -> list[Interval]:
    """One interval minus ``holes``, already merged and sorted (``clock.merge``), looking from
    ``holes[first]`` on: the caller sweeping sorted intervals keeps ``first`` moving forward."""
    start, end = base
    result: list[Interval] = []
    cursor = start
    for index in range(first, len(holes)):
        hole_start, hole_end = holes[index]
        if hole_start >= end:
            break
        if hole_end <= cursor:
            continue
        if hole_start > cursor:
            result.append((cursor, hole_start))
        cursor = hole_end
        if cursor >= end:
            break
    if cursor < end:
        result.append((cursor, end))
    return result


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from ``first``'s to ``last``'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())
