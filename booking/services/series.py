"""Weekly recurring bookings: the same wall-clock slot every week, across clock switches."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import LIVE_STATUSES, Booking, BookingSeries, Equipment
from booking.services.bookings import (
    booking_cancel,
    booking_create,
    check_certified,
    resolve_organisation,
)
from caiac import access, clock
from caiac.accounts.models import Organisation, User
from caiac.errors import Conflict, DomainError, Invalid
from caiac.projects import services as projects
from caiac.projects.models import Project

MAX_OCCURRENCES = 52


@dataclass
class Clash:
    date: datetime.date
    code: str
    detail: str


@dataclass
class SeriesResult:
    series: BookingSeries
    booked: list[Booking] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)


def occurrences(
    start: datetime.datetime, end: datetime.datetime, weekly_until: datetime.date
) -> list[tuple[datetime.date, datetime.datetime | None, datetime.datetime | None]]:
    """(local date, start, end) each week; start/end None when the wall-clock time does not
    exist that day (the clock jumps over it)."""
    tz = clock.local_tz()
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    end_day_offset = local_end.date() - local_start.date()
    result = []
    day = local_start.date()
    while day <= weekly_until:
        end_day = day + end_day_offset
        if clock.is_nonexistent(day, local_start.time()) or clock.is_nonexistent(
            end_day, local_end.time()
        ):
            result.append((day, None, None))
        else:
            result.append(
                (
                    day,
                    clock.wall_clock(day, local_start.time()),
                    clock.wall_clock(end_day, local_end.time()),
                )
            )
        day += datetime.timedelta(weeks=1)
    return result


@transaction.atomic
def booking_series_create(
    *,
    user: User,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    weekly_until: datetime.date,
    organisation: Organisation | int | None = None,
    notes: str = "",
    project: Project | int | None = None,
) -> SeriesResult:
    """Book every free weekly occurrence; each one that cannot be booked is reported with the
    reason code. Nothing is kept when no occurrence at all can be booked."""
    organisation = resolve_organisation(user=user, organisation=organisation)
    # Once for the series, not as a clash on every date.
    project = projects.project_for_organisation(project=project, organisation=organisation)
    check_certified(user=user, organisation=organisation, equipment=equipment, at=start)
    if end <= start:
        raise Invalid(_("The end must be after the start."), fields={"end": []})
    if weekly_until < clock.local_date(start):
        raise Invalid(
            _("The series must run until the first date at least."),
            fields={"weekly_until": [str(_("Before the first occurrence."))]},
        )
    dates = occurrences(start, end, weekly_until)
    if len(dates) > MAX_OCCURRENCES:
        raise Invalid(
            _("A series has at most %(n)s occurrences.") % {"n": MAX_OCCURRENCES},
            code="too_many_occurrences",
            fields={"weekly_until": []},
        )
    series = BookingSeries.objects.create(
        equipment=equipment,
        organisation=organisation,
        booked_by=user,
        start=start,
        end=end,
        weekly_until=weekly_until,
        notes=notes,
    )
    result = SeriesResult(series=series)
    for day, occ_start, occ_end in dates:
        if occ_start is None:
            result.clashes.append(
                Clash(day, "nonexistent_local_time", str(_("The clock skips this time that day.")))
            )
            continue
        try:
            booking = booking_create(
                user=user,
                equipment=equipment,
                start=occ_start,
                end=occ_end,
                organisation=organisation,
                notes=notes,
                series=series,
                project=project,
                announce=not result.booked,  # one confirmation for the series, not one a week
            )
        except (Invalid, Conflict) as exc:
            result.clashes.append(Clash(day, exc.code, str(exc.message)))
        else:
            result.booked.append(booking)
    if not result.booked:
        raise Conflict(
            _("None of the occurrences can be booked."),
            code="slot_unavailable",
            fields={"clashes": [f"{c.date.isoformat()}: {c.code}" for c in result.clashes]},
        )
    return result


@dataclass
class SeriesCancelResult:
    cancelled: list[Booking] = field(default_factory=list)
    kept: list[Clash] = field(default_factory=list)


@transaction.atomic
def booking_series_cancel(
    *, user: User, series: BookingSeries, from_date: datetime.date | None = None
) -> SeriesCancelResult:
    """Cancel the live occurrences still to come (from ``from_date`` on, if given). Those a
    member may no longer cancel (deadline passed) are kept and reported."""
    access.require_acts_for(user, series.organisation_id)
    now = timezone.now()
    result = SeriesCancelResult()
    for booking in series.bookings.filter(status__in=LIVE_STATUSES, start__gt=now).select_related(
        "equipment", "organisation", "booked_by"
    ):
        day = clock.local_date(booking.start)
        if from_date and day < from_date:
            continue
        try:
            result.cancelled.append(booking_cancel(user=user, booking=booking))
        except DomainError as exc:
            result.kept.append(Clash(day, exc.code, str(exc.message)))
    return result
