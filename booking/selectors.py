"""Reads that need thought: opening windows, free slots, scoped lists, credit balances."""

import bisect
import datetime
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    DecimalField,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import (
    COUNTED_STATUSES,
    LIVE_STATUSES,
    Booking,
    BookingKind,
    BookingSeries,
    BookingStatus,
    Closure,
    Equipment,
    EquipmentStatus,
    FeedToken,
    LabCredit,
    LabCreditUse,
    Line,
    OpeningHours,
)
from caiac import access, clock
from caiac.accounts.models import User
from caiac.clock import Interval
from caiac.errors import NotFound
from trainings.models import Course

# --- Catalogue ------------------------------------------------------------------------------


def equipment_list(
    *,
    category: str | None = None,
    line: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Equipment]:
    qs = Equipment.objects.select_related("required_course").order_by("name")
    if category:
        # "conditioning" is what the lab calls packaging; accept either word.
        qs = qs.filter(category="packaging" if category == "conditioning" else category)
    if line:
        qs = qs.filter(line__in=[line, Line.BOTH]) if line != Line.BOTH else qs.filter(line=line)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(location__icontains=search)
        )
    return qs


# --- Opening windows and free slots ---------------------------------------------------------


def opening_rules_for(equipment: Equipment) -> list[OpeningHours]:
    """The rules that apply to a machine: its own if it has any, else the lab's."""
    # Raw SQL: half the cost of the ORM building the same query, on every calendar view.
    rules = list(
        OpeningHours.objects.raw(
            "SELECT * FROM booking_openinghours"
            " WHERE equipment_id = %s OR equipment_id IS NULL ORDER BY opens_at",
            [equipment.pk],
        )
    )
    own = [r for r in rules if r.equipment_id == equipment.pk]
    return own or [r for r in rules if r.equipment_id is None]


def _rules_on(rules: list[OpeningHours], day: datetime.date) -> list[OpeningHours]:
    def covers(rule: OpeningHours) -> bool:
        return (rule.valid_from is None or rule.valid_from <= day) and (
            rule.valid_until is None or day <= rule.valid_until
        )

    # A dated set (a Ramadan timetable) covering the day replaces the default set that day.
    dated = [r for r in rules if r.is_dated and covers(r)]
    chosen = dated or [r for r in rules if not r.is_dated]
    return [r for r in chosen if r.weekday == day.weekday()]


def opening_windows(
    *,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    rules: list[OpeningHours] | None = None,
) -> list[Interval]:
    """Open [start, end) windows (UTC) of the days the range touches, wall clock re-derived
    per date. Each window's start anchors the slot grid of that window."""
    rules = opening_rules_for(equipment) if rules is None else rules
    windows: list[Interval] = []
    for day in clock.local_days(start, end):
        for rule in _rules_on(rules, day):
            opens, closes = (
                clock.wall_clock(day, rule.opens_at),
                clock.wall_clock(day, rule.closes_at),
            )
            if closes > opens:
                windows.append((opens, closes))
    return [w for w in clock.merge(windows) if w[1] > start and w[0] < end]


def closures_for(
    *, equipment: Equipment, start: datetime.datetime, end: datetime.datetime
) -> list[Closure]:
    return list(
        Closure.objects.filter(
            Q(equipment=equipment) | Q(equipment__isnull=True), start__lt=end, end__gt=start
        )
    )


def live_booking_blocks(
    *,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    exclude_id: int | None = None,
) -> list[Interval]:
    qs = Booking.objects.filter(
        equipment=equipment, status__in=LIVE_STATUSES, start__lt=end, blocked_until__gt=start
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.values_list("start", "blocked_until"))


def _snap_up(moment: datetime.datetime, anchor: datetime.datetime, step: datetime.timedelta):
    steps = -((anchor - moment) // step)  # ceiling division on timedeltas
    return anchor + max(steps, 0) * step


def _snap_down(moment: datetime.datetime, anchor: datetime.datetime, step: datetime.timedelta):
    return anchor + ((moment - anchor) // step) * step


def booking_bounds(
    equipment: Equipment, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """Earliest start (lead time) and latest end (horizon) a booking made ``now`` may have."""
    return (
        now + datetime.timedelta(minutes=equipment.lead_time_minutes),
        now + datetime.timedelta(days=equipment.horizon_days),
    )


def free_slots(
    *,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
    exclude_id: int | None = None,
) -> list[Interval]:
    """Bookable intervals in [start, end): every [s, e) inside one of them, on the slot grid,
    between the minimum and maximum duration, can be booked now (``exclude_id``: as if that
    booking were not there, to move it).

    Opening hours, closures, the machine's status, live bookings (a new booking's own buffer
    must also end before the next one starts), lead time and horizon are applied.
    """
    reach = _free_reach(equipment, start, end, now or timezone.now())
    if reach is None:
        return []
    closures = closures_for(equipment=equipment, start=reach.span_start, end=reach.span_end)
    blocks = live_booking_blocks(
        equipment=equipment, start=reach.query_start, end=reach.query_end, exclude_id=exclude_id
    )
    return _free_in(equipment, reach, holes=_holes(equipment, closures=closures, blocks=blocks))


@dataclass
class _Reach:
    """What ``free_slots`` looks at: the opening windows within [low, high) (lead time and
    horizon applied) and the range whose bookings and closures can cut into them."""

    low: datetime.datetime
    high: datetime.datetime
    windows: list[Interval]
    span_start: datetime.datetime
    span_end: datetime.datetime
    query_start: datetime.datetime  # the span widened by the machine's buffer
    query_end: datetime.datetime


def _free_reach(
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
    rules: list[OpeningHours] | None = None,
) -> _Reach | None:
    if equipment.status != EquipmentStatus.AVAILABLE:
        return None
    earliest, latest = booking_bounds(equipment, now)
    low, high = max(start, earliest), min(end, latest)
    if low >= high:
        return None
    windows = opening_windows(equipment=equipment, start=low, end=high, rules=rules)
    if not windows:
        return None
    span_start, span_end = windows[0][0], windows[-1][1]
    buffer = datetime.timedelta(minutes=equipment.buffer_minutes)
    return _Reach(low, high, windows, span_start, span_end, span_start - buffer, span_end + buffer)


def _holes(
    equipment: Equipment,
    *,
    closures: Iterable[Closure],
    blocks: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> list[Interval]:
    """What no new booking may overlap, merged and sorted: ``closures`` and the live bookings'
    ``(start, blocked_until)`` ``blocks``, each widened by the buffer a new booking before it
    must leave (any superset of the ones that matter will do)."""
    buffer = datetime.timedelta(minutes=equipment.buffer_minutes)
    holes = [(c.start, c.end) for c in closures]
    holes += [(b_start - buffer, b_until) for b_start, b_until in blocks]
    return clock.merge(holes)


def _free_in(equipment: Equipment, reach: _Reach, *, holes: list[Interval]) -> list[Interval]:
    """The free intervals of ``reach``'s windows around ``holes`` (from ``_holes``)."""
    step = datetime.timedelta(minutes=equipment.slot_minutes)
    shortest = datetime.timedelta(minutes=equipment.min_duration_minutes)
    low, high = reach.low, reach.high
    free: list[Interval] = []
    # Holes merged and sorted once; windows are sorted and disjoint too, so one sweep over both
    # (each window snaps to its own grid, hence the window by window subtraction).
    first = bisect.bisect_left(holes, reach.windows[0][0], key=lambda hole: hole[1])
    for anchor, window_end in reach.windows:
        while first < len(holes) and holes[first][1] <= anchor:
            first += 1
        for piece_start, piece_end in clock.subtract_merged((anchor, window_end), holes, first):
            s = _snap_up(max(piece_start, low), anchor, step)
            e = _snap_down(min(piece_end, high), anchor, step)
            if e - s >= shortest:
                free.append((s, e))
    return free


@dataclass
class Busy:
    start: datetime.datetime
    end: datetime.datetime
    kind: str  # booking | training | closure
    label: str
    title: str = ""


CLOSURE = "closure"  # the ``kind`` of a closure's row among ``_live_rows``


# Written by hand: building and compiling this query through the ORM cost about as much CPU as
# the rest of an availability request (it runs on every calendar view). Tables and columns are
# the models'; tests/booking/test_busy_rows.py holds it to the rules on both databases.
_LIVE_ROWS_SQL = """
SELECT b.start, b.blocked_until, b.kind, o.name, s.course_id, c.title, c.translations, {named}
FROM booking_booking b
LEFT JOIN accounts_organisation o ON o.id = b.organisation_id
LEFT JOIN trainings_session s ON s.id = b.session_id
LEFT JOIN trainings_course c ON c.id = s.course_id
WHERE b.equipment_id = %s AND b.status IN ({live}) AND b.start < %s AND b.blocked_until > %s
UNION ALL
SELECT start, "end", %s, reason, NULL, NULL, NULL, 1 = 1
FROM booking_closure
WHERE (equipment_id = %s OR equipment_id IS NULL) AND start < %s AND "end" > %s
"""
# A member sees whose booking it is for their own organisations (as access.organisation_ids_of).
_NAMED_FOR_MEMBER = (
    "EXISTS (SELECT 1 FROM accounts_membership m"
    " WHERE m.user_id = %s AND m.organisation_id = b.organisation_id)"
)


def _live_rows(
    equipment: Equipment, start: datetime.datetime, end: datetime.datetime, viewer: User
) -> list[tuple]:
    """The live bookings of the machine touching [start, end) and, in the same query (UNION
    ALL), the closures of the machine or the lab then, as plain rows (a month of a busy machine
    is hundreds of them): start, end (a booking's ``blocked_until``), kind (``CLOSURE`` for a
    closure), organisation name (a closure's reason), course id, title and translations, and
    whether the viewer may see whose booking it is."""
    staff = access.is_staff(viewer)
    sql = _LIVE_ROWS_SQL.format(
        named="1 = 1" if staff else _NAMED_FOR_MEMBER,
        live=", ".join(["%s"] * len(LIVE_STATUSES)),
    )
    adapt = connection.ops.adapt_datetimefield_value
    low, high = adapt(start), adapt(end)
    params = [] if staff else [viewer.pk]
    params += [equipment.pk, *LIVE_STATUSES, high, low, CLOSURE, equipment.pk, high, low]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moment = _from_db(Booking._meta.get_field("start"))
    translated = _from_db(Course._meta.get_field("translations"))
    return [
        (moment(s), moment(e), kind, label, course, title, translated(translations), named)
        for s, e, kind, label, course, title, translations, named in rows
    ]


def _unchanged(value: Any) -> Any:
    return value


def _from_db(field) -> Callable[[Any], Any]:
    """What the ORM does to a value of ``field`` read from the database (the backend's
    conversions, then the field's own): on SQLite a datetime comes back as text, JSON as text
    on both."""
    column = field.get_col(field.model._meta.db_table)
    steps = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
    if not steps:
        return _unchanged

    def convert(value):
        for step in steps:
            value = step(value, column, connection)
        return value

    return convert


def _busy_in(start: datetime.datetime, end: datetime.datetime, *, rows: list[tuple]) -> list[Busy]:
    blocks: list[Busy] = []
    courses: dict[int, Course] = {}
    booked, training = str(_("Booked")), str(_("Training"))
    for b_start, b_until, kind, label, course_id, title, translations, named in rows:
        if not (b_start < end and b_until > start):
            continue
        if kind == CLOSURE:
            blocks.append(Busy(b_start, b_until, "closure", label))
        elif kind == BookingKind.TRAINING:
            course = courses.get(course_id)
            if course is None:
                course = Course(pk=course_id, title=title, translations=translations)
                courses[course_id] = course
            blocks.append(Busy(b_start, b_until, "training", training, course.local_title))
        else:
            blocks.append(Busy(b_start, b_until, "booking", label if named else booked))
    blocks.sort(key=lambda b: (b.start, b.end))
    return blocks


def busy_blocks(
    *, equipment: Equipment, start: datetime.datetime, end: datetime.datetime, viewer: User
) -> list[Busy]:
    """What takes the machine in [start, end), for a calendar grid: live bookings (named for
    staff and for the booking organisation's own people, else "Booked"), training sessions
    ("Training", with the course) and closures (their reason). Labels in the active language."""
    return _busy_in(start, end, rows=_live_rows(equipment, start, end, viewer))


def availability(
    *,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    viewer: User,
    now: datetime.datetime | None = None,
) -> tuple[list[Interval], list[Busy]]:
    """``free_slots`` and ``busy_blocks`` of one range together, from one read of the live
    bookings and the closures (over the wider of the two ranges they look at)."""
    reach = _free_reach(equipment, start, end, now or timezone.now())
    low, high = start, end
    if reach is not None:
        low, high = min(low, reach.query_start), max(high, reach.query_end)
    rows = _live_rows(equipment, low, high, viewer)
    free = []
    if reach is not None:
        buffer = datetime.timedelta(minutes=equipment.buffer_minutes)
        # As ``_holes``: a closure as it is, a booking widened by the buffer before it.
        holes = clock.merge(
            [(r[0], r[1]) if r[2] == CLOSURE else (r[0] - buffer, r[1]) for r in rows]
        )
        free = _free_in(equipment, reach, holes=holes)
    return free, _busy_in(start, end, rows=rows)


# --- Bookings -------------------------------------------------------------------------------


def bookings_visible_to(user: User) -> QuerySet[Booking]:
    """Staff see every booking; members only their organisations' (never another's)."""
    return access.scope(
        Booking.objects.filter(kind=BookingKind.MEMBER).select_related(
            "equipment", "organisation", "booked_by"
        ),
        user,
        ids_first=True,
    )


def bookings_of(user: User) -> QuerySet[Booking]:
    """What "my bookings" shows: a member, every booking of their organisations; staff, who see
    all of them elsewhere, the ones they made themselves."""
    bookings = bookings_visible_to(user)
    return bookings.filter(booked_by=user) if access.is_staff(user) else bookings


def booking_get_for_user(*, user: User, booking_id: int) -> Booking:
    return access.get_for_person_or_404(bookings_visible_to(user), user, booking_id, via=None)


def series_visible_to(user: User) -> QuerySet[BookingSeries]:
    return access.scope(BookingSeries.objects.select_related("equipment", "organisation"), user)


def approval_queue() -> QuerySet[Booking]:
    return (
        Booking.objects.filter(status=BookingStatus.PENDING)
        .select_related("equipment", "organisation", "booked_by")
        .order_by("start")
    )


def feed_tokens_of(user: User) -> QuerySet[FeedToken]:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).select_related(
        "organisation", "equipment"
    )


def feed_token_get(token: str) -> FeedToken:
    try:
        return FeedToken.objects.select_related("user", "organisation", "equipment").get(
            token=token, revoked_at__isnull=True, user__is_active=True
        )
    except FeedToken.DoesNotExist:
        raise NotFound() from None


# --- Bookings a catalogue change hits ------------------------------------------------------


def _live_with_people() -> QuerySet[Booking]:
    # Members' bookings only: a training session's hold is the session's (trainings moves or
    # cancels the session; docs/contracts.md), never cancelled here as if it were a booking.
    return (
        Booking.objects.filter(status__in=LIVE_STATUSES, kind=BookingKind.MEMBER)
        .select_related("equipment", "organisation", "booked_by")
        .order_by("start", "id")
    )


def bookings_hit_by_closure(
    *, equipment: Equipment | int | None, start: datetime.datetime, end: datetime.datetime
) -> list[Booking]:
    """Live bookings overlapping [start, end) of one machine (None: every machine)."""
    qs = _live_with_people().filter(start__lt=end, end__gt=start)
    if equipment is not None:
        qs = qs.filter(equipment=equipment)
    return list(qs)


def bookings_hit_by_status(
    *, equipment: Equipment, status: str, now: datetime.datetime | None = None
) -> list[Booking]:
    """Live bookings not yet over of a machine that would no longer be ``available``."""
    if status == EquipmentStatus.AVAILABLE:
        return []
    now = now or timezone.now()
    return list(_live_with_people().filter(equipment=equipment, end__gt=now))


def _effective_rules(equipment_id: int, rules: list[OpeningHours]) -> list[OpeningHours]:
    own = [r for r in rules if r.equipment_id == equipment_id]
    return own or [r for r in rules if r.equipment_id is None]


def _rule_key(rule: OpeningHours) -> tuple:
    return (
        rule.weekday, rule.opens_at, rule.closes_at, rule.valid_from, rule.valid_until,
    )  # fmt: skip


def bookings_hit_by_hours(
    *, rules_after: list[OpeningHours], now: datetime.datetime | None = None
) -> list[Booking]:
    """Live bookings not yet over that ``rules_after`` (every opening rule of the lab and its
    machines, as they would be after a change) no longer covers by one opening window.

    Only machines whose own set of rules changes are read; a booking is hit when no window of
    its local days contains it whole (the slot grid is not re-checked: a booking already made
    stays on its grid)."""
    now = now or timezone.now()
    rules_before = list(OpeningHours.objects.all())
    changed = []
    for equipment_id in Equipment.objects.values_list("pk", flat=True):
        before = sorted(map(_rule_key, _effective_rules(equipment_id, rules_before)))
        after = sorted(map(_rule_key, _effective_rules(equipment_id, rules_after)))
        if before != after:
            changed.append(equipment_id)
    if not changed:
        return []
    hit = []
    for booking in _live_with_people().filter(equipment_id__in=changed, end__gt=now):
        rules = _effective_rules(booking.equipment_id, rules_after)
        windows = opening_windows(
            equipment=booking.equipment, start=booking.start, end=booking.end, rules=rules
        )
        if not any(w[0] <= booking.start and booking.end <= w[1] for w in windows):
            hit.append(booking)
    return hit


# --- Credits --------------------------------------------------------------------------------


def credits_valid_on(*, organisation_id: int, on: datetime.date) -> QuerySet[LabCredit]:
    return LabCredit.objects.filter(
        organisation_id=organisation_id, period_start__lte=on, period_end__gte=on
    ).order_by("period_end", "pk")


def credit_hours_spent(credit_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        LabCreditUse.objects.filter(credit_id__in=credit_ids, booking__status__in=COUNTED_STATUSES)
        .values("credit_id")
        .annotate(total=Sum("hours"))
    )
    return {row["credit_id"]: row["total"] for row in rows}


def credits_visible_to(user: User) -> QuerySet[LabCredit]:
    return access.scope(LabCredit.objects.select_related("organisation"), user)


def lab_credit_balances(
    *, organisation_ids: Iterable[int], on: datetime.date
) -> dict[int, Decimal]:
    """Free lab hours each organisation has left on a date (cancelled bookings give theirs
    back), for a whole list of organisations in two queries."""
    balances = {org_id: Decimal(0) for org_id in organisation_ids}
    credits = list(
        LabCredit.objects.filter(
            organisation_id__in=list(balances), period_start__lte=on, period_end__gte=on
        ).values_list("pk", "organisation_id", "hours")
    )
    spent = credit_hours_spent([pk for pk, _org, _hours in credits])
    for pk, organisation_id, hours in credits:
        balances[organisation_id] += hours - spent.get(pk, Decimal(0))
    return balances


def with_lab_credit_balance(
    rows: QuerySet, *, organisation: str, on: datetime.date, name: str
) -> QuerySet:
    """``rows`` (a ``values()`` query, a row per organisation at most) with ``name``: the free
    lab hours its ``organisation`` (a field path) has left on ``on``, as ``lab_credit_balances``
    counts them, from the same query: the organisation's credits valid that day joined and
    summed, each less its counted uses (a list's balances in its own query, no list of ids
    sent back, and a join rather than a scan of the credits per row)."""
    credit = f"{name}_credit"
    valid = FilteredRelation(
        f"{organisation}__lab_credits",
        condition=Q(
            **{
                f"{organisation}__lab_credits__period_start__lte": on,
                f"{organisation}__lab_credits__period_end__gte": on,
            }
        ),
    )
    spent = (
        LabCreditUse.objects.filter(credit=OuterRef(credit), booking__status__in=COUNTED_STATUSES)
        .order_by()
        .values("credit")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    hours = DecimalField(max_digits=9, decimal_places=2)
    zero = Value(Decimal(0), output_field=hours)
    left = Sum(F(f"{credit}__hours") - Coalesce(Subquery(spent), zero), output_field=hours)
    return rows.annotate(**{credit: valid}).annotate(**{name: Coalesce(left, zero)})


def lab_credit_balance(*, organisation, on: datetime.date) -> Decimal:
    """Free lab hours an organisation has left on a date (cancelled bookings give theirs back)."""
    return lab_credit_balances(organisation_ids=[organisation.pk], on=on)[organisation.pk]


def _clipped_hours(bookings, start, end) -> dict:
    totals: dict = {}
    for key, b_start, b_end in bookings:
        seconds = (min(b_end, end) - max(b_start, start)).total_seconds()
        if seconds > 0:
            totals[key] = totals.get(key, Decimal(0)) + Decimal(seconds) / Decimal(3600)
    return totals


def hours_used_by_organisations(
    *, organisation_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> dict[int, Decimal]:
    """Hours of confirmed or completed bookings in [start, end), per organisation id."""
    rows = Booking.objects.filter(
        organisation_id__in=organisation_ids,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED],
        start__lt=end,
        end__gt=start,
    ).values_list("organisation_id", "start", "end")
    totals = _clipped_hours(rows, start, end)
    return {
        org_id: totals.get(org_id, Decimal(0)).quantize(Decimal("0.01"))
        for org_id in organisation_ids
    }


# --- Usage ----------------------------------------------------------------------------------


@dataclass
class UsageRow:
    id: int
    name: str
    hours_booked: Decimal
    hours_used: Decimal
    no_shows: int
    opening_hours: Decimal | None = None
    utilisation: Decimal | None = None


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def usage_report(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, list[UsageRow]]:
    """Hours booked (not cancelled or rejected), used (checked in), no-shows, per machine and
    per organisation over [start, end); machines also get their opening hours and the share
    of them that was booked."""
    rows = list(
        Booking.objects.filter(
            status__in=COUNTED_STATUSES, start__lt=end, end__gt=start
        ).values_list(
            "equipment_id", "organisation_id", "organisation__name", "status", "start", "end"
        )
    )
    per_machine: dict[int, dict] = {}
    per_org: dict[int, dict] = {}
    for eq_id, org_id, org_name, status, b_start, b_end in rows:
        hours = Decimal((min(b_end, end) - max(b_start, start)).total_seconds()) / Decimal(3600)
        # A training session's hold (no organisation) counts for its machine only.
        owners = ((per_machine, eq_id, None), (per_org, org_id, org_name))
        for table, key, name in owners if org_id is not None else owners[:1]:
            entry = table.setdefault(
                key, {"name": name, "booked": Decimal(0), "used": Decimal(0), "no_shows": 0}
            )
            entry["booked"] += hours
            if status == BookingStatus.COMPLETED:
                entry["used"] += hours
            if status == BookingStatus.NO_SHOW:
                entry["no_shows"] += 1
    machines: list[UsageRow] = []
    all_rules = list(OpeningHours.objects.all())
    all_closures = list(Closure.objects.filter(start__lt=end, end__gt=start))
    for equipment in Equipment.objects.exclude(status=EquipmentStatus.RETIRED).order_by("name"):
        own = [r for r in all_rules if r.equipment_id == equipment.pk]
        rules = own or [r for r in all_rules if r.equipment_id is None]
        windows = opening_windows(equipment=equipment, start=start, end=end, rules=rules)
        windows = [(max(s, start), min(e, end)) for s, e in windows]
        closed = [(c.start, c.end) for c in all_closures if c.equipment_id in (None, equipment.pk)]
        open_seconds = sum((e - s).total_seconds() for s, e in clock.subtract(windows, closed))
        open_hours = Decimal(open_seconds) / Decimal(3600)
        entry = per_machine.get(
            equipment.pk, {"booked": Decimal(0), "used": Decimal(0), "no_shows": 0}
        )
        machines.append(
            UsageRow(
                id=equipment.pk,
                name=equipment.name,
                hours_booked=_q(entry["booked"]),
                hours_used=_q(entry["used"]),
                no_shows=entry["no_shows"],
                opening_hours=_q(open_hours),
                utilisation=(entry["booked"] / open_hours).quantize(Decimal("0.001"))
                if open_hours
                else None,
            )
        )
    organisations = [
        UsageRow(
            id=org_id,
            name=entry["name"],
            hours_booked=_q(entry["booked"]),
            hours_used=_q(entry["used"]),
            no_shows=entry["no_shows"],
        )
        for org_id, entry in sorted(per_org.items(), key=lambda item: item[1]["name"])
    ]
    return {"equipment": machines, "organisations": organisations}


# --- Dashboard figures (staff) --------------------------------------------------------------
# Each reads a bounded number of queries whatever the rows: the bookings of the period once,
# then groups on the Casablanca wall clock in Python (time zones are never converted in SQL).


def _period(first: datetime.date, last: datetime.date) -> Interval:
    return clock.start_of_day(first), clock.start_of_day(last + datetime.timedelta(days=1))


def _hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return Decimal((end - start).total_seconds()) / Decimal(3600)


@dataclass
class MachineWeeks:
    id: int
    name: str
    booked: list[Decimal]
    open: list[Decimal]
    utilisation: list[Decimal | None]


def utilisation_by_week(
    *, first: datetime.date, last: datetime.date
) -> tuple[list[datetime.date], list[MachineWeeks]]:
    """Per machine (not retired) and per week (Mondays of the weeks touching [first, last]):
    hours booked (pending, confirmed, completed, no-show) ÷ hours open (opening windows minus
    closures). Four queries."""
    weeks = []
    monday = clock.week_start(first)
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    bounds = [clock.start_of_day(w) for w in weeks]
    bounds.append(clock.start_of_day(weeks[-1] + datetime.timedelta(days=7)))
    start, end = bounds[0], bounds[-1]
    booked_rows = Booking.objects.filter(
        status__in=COUNTED_STATUSES, start__lt=end, end__gt=start
    ).values_list("equipment_id", "start", "end")
    booked: dict[int, list[Interval]] = {}
    for equipment_id, b_start, b_end in booked_rows:
        booked.setdefault(equipment_id, []).append((b_start, b_end))
    all_rules = list(OpeningHours.objects.all())
    all_closures = list(Closure.objects.filter(start__lt=end, end__gt=start))
    rows = []
    for equipment in Equipment.objects.exclude(status=EquipmentStatus.RETIRED).order_by("name"):
        rules = _effective_rules(equipment.pk, all_rules)
        windows = opening_windows(equipment=equipment, start=start, end=end, rules=rules)
        closed = [(c.start, c.end) for c in all_closures if c.equipment_id in (None, equipment.pk)]
        open_intervals = clock.subtract(windows, closed)
        row = MachineWeeks(id=equipment.pk, name=equipment.name, booked=[], open=[], utilisation=[])
        for week_start, week_end in itertools.pairwise(bounds):
            open_h = sum(
                (_hours(max(s, week_start), min(e, week_end))
                 for s, e in open_intervals if s < week_end and e > week_start),
                Decimal(0),
            )  # fmt: skip
            booked_h = sum(
                (_hours(max(s, week_start), min(e, week_end))
                 for s, e in booked.get(equipment.pk, []) if s < week_end and e > week_start),
                Decimal(0),
            )  # fmt: skip
            row.open.append(_q(open_h))
            row.booked.append(_q(booked_h))
            row.utilisation.append(
                (booked_h / open_h).quantize(Decimal("0.001")) if open_h else None
            )
        rows.append(row)
    return weeks, rows


def bookings_by_organisation_kind(*, first: datetime.date, last: datetime.date) -> list[dict]:
    """Bookings starting in [first, last] (not cancelled or rejected) per kind of organisation:
    ``[{"kind", "label", "bookings", "hours"}]`` for every kind. One query."""
    from caiac.accounts.models import OrganisationKind

    start, end = _period(first, last)
    totals = {kind: {"bookings": 0, "hours": Decimal(0)} for kind in OrganisationKind.values}
    rows = Booking.objects.filter(
        status__in=COUNTED_STATUSES, start__gte=start, start__lt=end
    ).values_list("organisation__kind", "start", "end")
    for kind, b_start, b_end in rows:
        entry = totals.setdefault(kind, {"bookings": 0, "hours": Decimal(0)})
        entry["bookings"] += 1
        entry["hours"] += _hours(b_start, b_end)
    return [
        {"kind": kind, "label": OrganisationKind(kind).label, "bookings": t["bookings"],
         "hours": _q(t["hours"])}
        for kind, t in totals.items()
    ]  # fmt: skip


def bookings_by_month(*, first: datetime.date, last: datetime.date) -> list[dict]:
    """Per month of [first, last] (by the local date of the start): bookings that ended
    ``completed`` or ``no_show``, the no-show rate among them, and the booked value in MAD
    (price of completed and no-show bookings). One query."""
    start, end = _period(first, last)
    months = {m: {"completed": 0, "no_shows": 0, "booked_mad": Decimal(0)}
              for m in clock.months_between(first, last)}  # fmt: skip
    rows = Booking.objects.filter(
        status__in=[BookingStatus.COMPLETED, BookingStatus.NO_SHOW],
        start__gte=start,
        start__lt=end,
    ).values_list("status", "start", "price")
    for status, b_start, price in rows:
        entry = months[clock.month_start(clock.local_date(b_start))]
        entry["no_shows" if status == BookingStatus.NO_SHOW else "completed"] += 1
        entry["booked_mad"] += price
    result = []
    for month, entry in months.items():
        ended = entry["completed"] + entry["no_shows"]
        rate = (Decimal(entry["no_shows"]) / ended).quantize(Decimal("0.001")) if ended else None
        result.append({"month": month, **entry, "no_show_rate": rate})
    return result


# --- The week grid of a machine page ---------------------------------------------------------


class CellState:
    """Why a cell of the grid can or cannot be booked (also its CSS class)."""

    FREE = "free"
    MINE = "mine"  # a live booking of one of the viewer's organisations
    TAKEN = "taken"  # someone else's live booking: shown as "Réservé", never their name
    TRAINING = "training"  # held by a training session: "Formation", with the course
    CLEANING = "cleaning"  # the buffer after a booking
    CLOSED = "closed"  # a closure, or the machine is not available
    OUTSIDE = "outside"  # outside opening hours
    PAST = "past"
    LEAD = "lead"  # inside the lead time
    HORIZON = "horizon"  # beyond how far ahead the machine can be booked
    UNAVAILABLE = "unavailable"  # a gap shorter than the shortest booking


@dataclass
class GridCell:
    start: datetime.datetime  # UTC
    end: datetime.datetime
    state: str
    # For a free cell: the booking a click on it proposes (the shortest allowed, inside the free
    # interval holding the cell).
    suggested_start: datetime.datetime | None = None
    suggested_end: datetime.datetime | None = None
    current: bool = False  # inside the booking being moved
    title: str = ""  # a training cell's course, in the active language

    @property
    def is_free(self) -> bool:
        return self.state == CellState.FREE


@dataclass
class GridDay:
    date: datetime.date
    cells: list[GridCell | None]  # one per row of the grid; None: no such time that day

    @property
    def free_count(self) -> int:
        return sum(1 for c in self.cells if c is not None and c.is_free)


@dataclass
class WeekGrid:
    monday: datetime.date
    rows: list[datetime.time]  # wall-clock start of each row
    days: list[GridDay]
    step: datetime.timedelta

    @property
    def free_count(self) -> int:
        return sum(day.free_count for day in self.days)

    @property
    def first_free_day(self) -> datetime.date | None:
        return next((day.date for day in self.days if day.free_count), None)


def _overlaps(start, end, intervals) -> bool:
    return any(s < end and start < e for s, e in intervals)


def week_grid(
    *,
    equipment: Equipment,
    monday: datetime.date,
    organisation_ids: set[int] | frozenset[int] = frozenset(),
    now: datetime.datetime | None = None,
    moving: Booking | None = None,
) -> WeekGrid:
    """The machine's week as the booking calendar shows it: one row per slot step on the
    Casablanca wall clock (anchored, like bookings, on the start of each opening window), one
    column per day, each cell with a state (``CellState``). A cell is free when a booking of it
    made now would be accepted, as far as the machine's rules go (``free_slots``). With
    ``moving``, as if that booking were not there (its cells show as ``MINE``)."""
    now = now or timezone.now()
    week_start = clock.start_of_day(monday)
    week_end = clock.start_of_day(monday + datetime.timedelta(days=7))
    step = datetime.timedelta(minutes=equipment.slot_minutes)
    shortest = datetime.timedelta(minutes=equipment.min_duration_minutes)
    rules = opening_rules_for(equipment)
    windows = opening_windows(equipment=equipment, start=week_start, end=week_end, rules=rules)
    exclude_id = moving.pk if moving is not None else None
    free = free_slots(
        equipment=equipment, start=week_start, end=week_end, now=now, exclude_id=exclude_id
    )
    buffer = datetime.timedelta(minutes=equipment.buffer_minutes)
    bookings = _grid_bookings(equipment, week_start, week_end, exclude_id=exclude_id)
    closures = [
        (c.start, c.end) for c in closures_for(equipment=equipment, start=week_start, end=week_end)
    ]
    earliest, latest = booking_bounds(equipment, now)
    tz = clock.local_tz()

    # Cells of each window, keyed by (local date, local time).
    cells: dict[tuple[datetime.date, datetime.time], GridCell] = {}
    for anchor, window_end in windows:
        moment = anchor
        while moment + step <= window_end:
            end = moment + step
            state = _cell_state(
                moment, end, equipment=equipment, free=free, bookings=bookings,
                closures=closures, organisation_ids=organisation_ids, now=now,
                earliest=earliest, latest=latest, buffer=buffer,
            )  # fmt: skip
            cell = GridCell(start=moment, end=end, state=state)
            if state == CellState.TRAINING:
                cell.title = next(
                    course
                    for s, e, _u, _o, course in bookings
                    if s < end and moment < e and course is not None
                )
            cell.current = moving is not None and moving.start < end and moment < moving.end
            if cell.is_free:
                free_until = next(e for s, e in free if s <= moment and end <= e)
                cell.suggested_end = min(max(moment + shortest, end), free_until)
                cell.suggested_start = min(moment, cell.suggested_end - shortest)
            local = moment.astimezone(tz)
            cells[(local.date(), local.time())] = cell
            moment = end
    rows = sorted({time for _day, time in cells})
    days = [
        GridDay(
            date=monday + datetime.timedelta(days=offset),
            cells=[cells.get((monday + datetime.timedelta(days=offset), time)) for time in rows],
        )
        for offset in range(7)
    ]
    return WeekGrid(monday=monday, rows=rows, days=days, step=step)


def _grid_bookings(
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    exclude_id: int | None,
) -> list[tuple]:
    """The live bookings of the machine touching [start, end) as rows: start, end,
    blocked_until, organisation id and, for a training session's hold, its course's title in
    the active language (None for a member's booking). The schedule of sessions is open to every
    signed-in person, so the course is no secret."""
    rows = (
        Booking.objects.filter(
            equipment=equipment, status__in=LIVE_STATUSES, start__lt=end, blocked_until__gt=start
        )
        .exclude(pk=exclude_id)
        .values_list(
            "start",
            "end",
            "blocked_until",
            "organisation_id",
            "kind",
            "session__course__title",
            "session__course__translations",
        )
    )
    return [
        (
            b_start,
            b_end,
            until,
            organisation_id,
            Course(title=title, translations=translations).local_title
            if kind == BookingKind.TRAINING
            else None,
        )
        for b_start, b_end, until, organisation_id, kind, title, translations in rows
    ]


def _cell_state(
    start, end, *, equipment, free, bookings, closures, organisation_ids, now, earliest, latest,
    buffer,
) -> str:  # fmt: skip
    if any(s <= start and end <= e for s, e in free):
        return CellState.FREE
    for b_start, b_end, _until, organisation_id, course in bookings:
        if b_start < end and start < b_end:
            if course is not None:
                return CellState.TRAINING
            return CellState.MINE if organisation_id in organisation_ids else CellState.TAKEN
    if _overlaps(start, end, closures) or equipment.status != EquipmentStatus.AVAILABLE:
        return CellState.CLOSED
    if end <= now:
        return CellState.PAST
    if start < earliest:
        return CellState.LEAD
    if end > latest:
        return CellState.HORIZON
    if any(b_end < end and start < b_until for _s, b_end, b_until, _o, _c in bookings) or any(
        b_start - buffer < end and start < b_start for b_start, _e, _u, _o, _c in bookings
    ):
        return CellState.CLEANING
    return CellState.UNAVAILABLE


def first_week_with_free_slot(
    *, equipment: Equipment, now: datetime.datetime | None = None, exclude_id: int | None = None
) -> datetime.date:
    """The Monday of the first week, from this one, where the machine has a free slot (this
    week's Monday when nothing is free within its horizon).

    The horizon's bookings and closures are read once; the weeks are then searched in order
    and the search stops at the first free slot, usually in the first week, instead of working
    out every free slot of a year."""
    now = now or timezone.now()
    today = clock.local_date(now)
    this_monday = today - datetime.timedelta(days=today.weekday())
    earliest, latest = booking_bounds(equipment, now)
    low, high = (
        max(now, earliest),
        min(now + datetime.timedelta(days=equipment.horizon_days), latest),
    )
    if equipment.status != EquipmentStatus.AVAILABLE or low >= high:
        return this_monday
    rules = opening_rules_for(equipment)
    # A day's window may open before ``low``: a day more on each side covers them all.
    day, buffer = datetime.timedelta(days=1), datetime.timedelta(minutes=equipment.buffer_minutes)
    closures = closures_for(equipment=equipment, start=low - day, end=high + day)
    blocks = live_booking_blocks(
        equipment=equipment,
        start=low - day - buffer,
        end=high + day + buffer,
        exclude_id=exclude_id,
    )
    holes = _holes(equipment, closures=closures, blocks=blocks)
    # Week by week, cut at local midnight so that no opening window straddles two searches.
    monday = clock.local_date(low)
    monday -= datetime.timedelta(days=monday.weekday())
    while clock.start_of_day(monday) < high:
        after = monday + datetime.timedelta(days=7)
        week_start, week_end = clock.start_of_day(monday), clock.start_of_day(after)
        reach = _free_reach(equipment, max(low, week_start), min(high, week_end), now, rules)
        if reach is not None:
            free = _free_in(equipment, reach, holes=holes)
            if free:
                first_day = clock.local_date(free[0][0])
                return first_day - datetime.timedelta(days=first_day.weekday())
        monday = after
    return this_monday


# --- R&D projects' lab use ------------------------------------------------------------------------
@dataclass
class ProjectLabUse:
    """What a project spent in the lab: bookings that count (pending, confirmed, completed,
    no-show), their hours, the hours actually used (completed) and their price (MAD)."""

    bookings: int = 0
    hours_booked: Decimal = Decimal("0.00")
    hours_used: Decimal = Decimal("0.00")
    cost_mad: Decimal = Decimal("0.00")


def project_bookings(project_ids: Iterable[int]) -> QuerySet[Booking]:
    """The bookings named for these projects that count (no cancelled or rejected ones)."""
    return (
        Booking.objects.filter(
            project_id__in=list(project_ids),
            kind=BookingKind.MEMBER,
            status__in=COUNTED_STATUSES,
        )
        .select_related("equipment", "organisation", "project")
        .order_by("start", "id")
    )


def project_lab_use(project_ids: Iterable[int]) -> dict[int, ProjectLabUse]:
    """Per project id: its bookings' count, hours booked and used, and cost (one query)."""
    ids = list(project_ids)
    totals = {pk: ProjectLabUse() for pk in ids}
    rows = project_bookings(ids).values_list("project_id", "status", "start", "end", "price")
    for project_id, status, start, end, price in rows:
        use = totals[project_id]
        hours = _hours(start, end)
        use.bookings += 1
        use.hours_booked += hours
        if status == BookingStatus.COMPLETED:
            use.hours_used += hours
        use.cost_mad += price
    for use in totals.values():
        use.hours_booked, use.hours_used = _q(use.hours_booked), _q(use.hours_used)
        use.cost_mad = _q(use.cost_mad)
    return totals


# --- Yearly report -------------------------------------------------------------------------------
def member_bookings_between(*, start: datetime.datetime, end: datetime.datetime) -> list[Booking]:
    """Organisations' bookings starting in [start, end) whose hours count as booked (pending,
    confirmed, completed, no-show), with machine and organisation, by start. One query."""
    return list(
        Booking.objects.filter(
            organisation__isnull=False,
            status__in=COUNTED_STATUSES,
            start__gte=start,
            start__lt=end,
        )
        .select_related("equipment", "organisation", "project")
        .order_by("start", "pk")
    )
