"""The home page: what each person's day holds, read through the apps' selectors.

A member sees their next bookings and sessions, certifications, free lab hours and what waits
for them; a trainer the sessions to run and the attendance still to take; staff the day in the
lab; a juror the applications to score. Every section is a bounded number of queries (at most a
handful each, whatever the number of rows: tests/test_query_counts.py).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from booking import selectors as booking_selectors
from booking.models import Booking, BookingKind, BookingStatus
from caiac import access, clock
from caiac.accounts.selectors import organisations_visible_to
from incubation import selectors as incubation_selectors
from incubation.models import LIVE_STAGES, OPEN_MILESTONE_STATUSES
from trainings import selectors as training_selectors
from trainings.models import EnrolmentStatus, SessionStatus

SHOWN = 5  # rows per section; each section links to its full page
MILESTONE_HORIZON = datetime.timedelta(days=21)


@dataclass
class Waiting:
    """What waits for a member: their organisations' bookings awaiting approval, milestones due
    soon or overdue, quarterly KPI reports not yet sent, applications to score."""

    pending_bookings: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    kpi_due: list = field(default_factory=list)
    to_score: list = field(default_factory=list)
    kpi_period: str = ""

    def __bool__(self) -> bool:
        return bool(self.pending_bookings or self.milestones or self.kpi_due or self.to_score)


def last_quarter(today: datetime.date) -> str:
    """The quarter that ended most recently ("2026-Q3" on any day of Q4 2026)."""
    quarter = (today.month - 1) // 3  # 0..3: the current quarter's index
    year = today.year if quarter else today.year - 1
    return f"{year}-Q{quarter or 4}"


def _member_sections(user, now: datetime.datetime, today: datetime.date) -> dict:
    live = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
    bookings = list(
        booking_selectors.bookings_of(user)
        .filter(status__in=live, end__gte=now)
        .order_by("start", "id")[:SHOWN]
    )
    enrolments = list(
        training_selectors.enrolments_of(user).filter(
            session__end__gte=now,
            session__status=SessionStatus.SCHEDULED,
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED),
        )[:SHOWN]
    )
    for enrolment in enrolments:
        enrolment.position = training_selectors.waitlist_position(enrolment)
    certifications = list(training_selectors.certifications_of(user).order_by("course__title"))
    organisation_ids = list(access.organisation_ids_of(user))
    balances = booking_selectors.lab_credit_balances(organisation_ids=organisation_ids, on=today)
    waiting = Waiting(
        pending_bookings=[b for b in bookings if b.status == BookingStatus.PENDING],
        milestones=list(
            incubation_selectors.milestones_visible_to(user)
            .filter(
                incubatee__organisation_id__in=organisation_ids,
                status__in=OPEN_MILESTONE_STATUSES,
                due_date__lte=today + MILESTONE_HORIZON,
            )
            .order_by("due_date", "id")[:SHOWN]
        ),
        kpi_period=last_quarter(today),
    )
    waiting.kpi_due = list(
        incubation_selectors.incubatees_of(user)
        .filter(stage__in=LIVE_STAGES)
        .exclude(kpi_reports__period=waiting.kpi_period)
        .select_related("organisation", "cohort")
    )
    for milestone in waiting.milestones:
        milestone.is_overdue = milestone.due_date < today
    own = _own_organisations(user)
    return {
        "organisations": own,
        "bookings": bookings,
        "enrolments": enrolments,
        "certifications": certifications,
        "balances": [(o, balances.get(o.pk)) for o in own],
        "waiting": waiting,
    }


def _own_organisations(user) -> list:
    return list(
        organisations_visible_to(user)
        .filter(pk__in=access.organisation_ids_of(user))
        .order_by("name")
    )


def _trainer_sections(user, now: datetime.datetime) -> dict:
    sessions = training_selectors.sessions_of_trainer(trainer=user, upcoming=False).filter(
        status=SessionStatus.SCHEDULED
    )
    return {
        "teaching": list(sessions.filter(end__gte=now)[:SHOWN]),
        # Ended, with people enrolled whose presence nobody has marked yet.
        "attendance_due": list(
            sessions.filter(end__lt=now)
            .annotate(
                unmarked=Count(
                    "enrolments",
                    filter=Q(
                        enrolments__status=EnrolmentStatus.ENROLLED,
                        enrolments__present__isnull=True,
                    ),
                )
            )
            .filter(unmarked__gt=0)
            .order_by("-start", "-id")[:SHOWN]
        ),
    }


def _staff_sections(now: datetime.datetime, today: datetime.date) -> dict:
    day_start = clock.start_of_day(today)
    day_end = clock.start_of_day(today + datetime.timedelta(days=1))
    today_bookings = Booking.objects.filter(
        kind=BookingKind.MEMBER,
        status__in=(BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.COMPLETED),
        start__lt=day_end,
        end__gt=day_start,
    )
    _weeks, machines = booking_selectors.utilisation_by_week(first=today, last=today)
    booked = sum((m.booked[0] for m in machines), 0)
    opened = sum((m.open[0] for m in machines), 0)
    return {
        "today_bookings": today_bookings.count(),
        "today_in_use": today_bookings.filter(start__lte=now, end__gt=now).count(),
        "today_sessions": training_selectors.sessions_with_counts()
        .filter(start__lt=day_end, end__gt=day_start, status=SessionStatus.SCHEDULED)
        .count(),
        "pending_approvals": booking_selectors.approval_queue().count(),
        "week_booked": booked,
        "week_open": opened,
        "week_utilisation": (booked / opened) if opened else None,
        "week_start": clock.week_start(today),
    }


@login_required
def home(request):
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    is_staff = access.is_staff(user)
    context: dict = {"today": today, "is_staff": is_staff}
    if is_staff:
        context.update(_staff_sections(now, today))
    if access.teaches(user) and not is_staff:
        context.update(_trainer_sections(user, now))
    if not is_staff:
        context.update(_member_sections(user, now, today))
        context["waiting"].to_score = list(
            incubation_selectors.applications_to_score(user)
            .select_related("call", "organisation")
            .order_by("call", "organisation__name")[:SHOWN]
        )
    return render(request, "frontend/home.html", context)


urlpatterns = [
    path("", home, name="home"),
]
