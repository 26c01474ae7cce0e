"""Reads of the incubation app: what each person may see, the jury ranking, seams to booking."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from caiac import access, clock
from caiac.accounts.models import Membership, Organisation, User
from incubation.models import (
    OPEN_MILESTONE_STATUSES,
    Application,
    ApplicationStatus,
    Call,
    Cohort,
    Criterion,
    Evaluation,
    Incubatee,
    JurorAssignment,
    KpiAmendment,
    KpiFundingLine,
    KpiReport,
    MentoringSession,
    Milestone,
    Programme,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def get_for_user_or_404(queryset: QuerySet, user: User, pk) -> object:
    """An object of a queryset a ``*_visible_to(user)`` selector already scoped, else 404."""
    return access.get_for_person_or_404(queryset, user, pk, via=None)


# --- Visibility ----------------------------------------------------------------------------------
def programmes_visible_to(user: User) -> QuerySet[Programme]:
    return Programme.objects.prefetch_related("stages")


def calls_visible_to(user: User) -> QuerySet[Call]:
    """Staff see every call; others see calls once they have opened."""
    calls = Call.objects.select_related("programme", "cohort").prefetch_related(
        "questions", "criteria"
    )
    if access.is_staff(user):
        return calls
    return calls.filter(opens_at__lte=timezone.now())


def call_is_open(call: Call, *, now: datetime.datetime | None = None) -> bool:
    """Applications are made and edited from the opening to the deadline (excluded)."""
    now = now or timezone.now()
    return call.opens_at <= now < call.closes_at


def open_calls(*, now: datetime.datetime | None = None) -> QuerySet[Call]:
    now = now or timezone.now()
    return calls_visible_to_all().filter(opens_at__lte=now, closes_at__gt=now)


def calls_visible_to_all() -> QuerySet[Call]:
    return Call.objects.select_related("programme").prefetch_related("questions", "criteria")


def applications_visible_to(user: User) -> QuerySet[Application]:
    """Staff: all. Members: their organisations'. Jurors: those they are assigned to score."""
    applications = Application.objects.select_related("call", "organisation").prefetch_related(
        Prefetch("assignments", queryset=JurorAssignment.objects.select_related("juror"))
    )
    if access.is_staff(user):
        return applications
    assigned = JurorAssignment.objects.filter(juror=user).values("application_id")
    return applications.filter(
        Q(organisation_id__in=access.organisation_ids_of(user)) | Q(pk__in=assigned)
    )


def applications_of(user: User) -> QuerySet[Application]:
    """The applications of the person's own organisations (not those they judge), newest first."""
    return (
        applications_visible_to(user)
        .filter(organisation_id__in=access.organisation_ids_of(user))
        .order_by("-created_at", "-id")
    )


def application_for_call(*, user: User, call: Call) -> Application | None:
    """The application the person's organisation made to ``call``, if any (the apply page)."""
    return applications_of(user).filter(call=call).select_related("organisation").first()


def is_juror_of(*, user: User, application: Application) -> bool:
    """Assigned to score this application (uses the prefetched assignments when present)."""
    return any(a.juror_id == user.pk for a in application.assignments.all())


def applications_to_score(user: User) -> QuerySet[Application]:
    return applications_visible_to(user).filter(
        assignments__juror=user, status=ApplicationStatus.SUBMITTED
    )


def evaluations_visible_to(user: User) -> QuerySet[Evaluation]:
    """A juror sees only their own scores here; staff see all."""
    evaluations = Evaluation.objects.select_related("criterion", "juror")
    if access.is_staff(user):
        return evaluations
    return evaluations.filter(juror=user)


def juror_has_scored_all(*, juror: User, application: Application) -> bool:
    criteria = application.call.criteria.count()
    done = Evaluation.objects.filter(application=application, juror=juror).count()
    return criteria > 0 and done >= criteria


def scores_visible_to(*, user: User, application: Application) -> bool:
    """Staff always; a juror only once they have scored every criterion themselves."""
    if access.is_staff(user):
        return True
    return is_juror_of(user=user, application=application) and juror_has_scored_all(
        juror=user, application=application
    )


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.select_related("programme")
    if access.is_staff(user):
        return cohorts
    return cohorts.filter(pk__in=access.scope(Incubatee.objects.all(), user).values("cohort_id"))


def incubatees_visible_to(user: User) -> QuerySet[Incubatee]:
    return access.scope(Incubatee.objects.select_related("cohort__programme", "organisation"), user)


def incubatee_rows(incubatees: QuerySet[Incubatee]) -> QuerySet[dict]:
    """``incubatees`` as plain rows for a list: the incubatee's columns, its cohort's and
    organisation's names, and the organisation's free lab hours left today
    (``lab_hours_balance``), all in one query: a page of 200 is 200 dicts, not 600 models."""
    rows = incubatees.select_related(None).values(
        "id",
        "cohort_id",
        "cohort__name",
        "organisation_id",
        "organisation__name",
        "application_id",
        "stage",
        "stage_started_at",
        "joined_at",
    )
    return with_lab_hours_balance(rows, organisation="organisation")


def incubatees_of(user: User) -> QuerySet[Incubatee]:
    """The incubations of the person's own organisations (staff: theirs only, usually none)."""
    return incubatees_visible_to(user).filter(organisation_id__in=access.organisation_ids_of(user))


def milestones_visible_to(user: User) -> QuerySet[Milestone]:
    return access.scope(
        Milestone.objects.select_related("incubatee__organisation", "owner"),
        user,
        via="incubatee__organisation",
    )


def milestone_evidence_get_for_user(*, user: User, milestone_id) -> Milestone:
    """A milestone whose evidence file ``user`` may download: the incubatee's organisation, staff,
    and the mentors of that incubatee (who follow its progress without belonging to it).
    Anyone else, or a milestone without a file: not found."""
    milestones = Milestone.objects.select_related("incubatee__organisation").exclude(
        evidence_file=""
    )
    if not access.is_signed_in(user):
        milestones = milestones.none()
    elif not access.is_staff(user):
        mentored = MentoringSession.objects.filter(mentor_id=user.pk).values("incubatee_id")
        milestones = milestones.filter(
            Q(incubatee__organisation_id__in=access.organisation_ids_of(user))
            | Q(incubatee_id__in=mentored)
        )
    return access.get_for_person_or_404(milestones, user, milestone_id, via=None)


def overdue(milestones: QuerySet[Milestone], *, on: datetime.date | None = None):
    on = on or timezone.localdate()
    return milestones.filter(status__in=OPEN_MILESTONE_STATUSES, due_date__lt=on)


def milestone_is_overdue(milestone: Milestone, *, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return milestone.status in OPEN_MILESTONE_STATUSES and milestone.due_date < on


def mentoring_sessions_visible_to(user: User) -> QuerySet[MentoringSession]:
    return access.scope(
        MentoringSession.objects.select_related("incubatee__organisation", "mentor"),
        user,
        via="incubatee__organisation",
    )


def kpi_reports_visible_to(user: User) -> QuerySet[KpiReport]:
    reports = KpiReport.objects.select_related("incubatee__organisation").prefetch_related(
        Prefetch("amendments", queryset=KpiAmendment.objects.select_related("changed_by")),
        Prefetch("funding_lines", queryset=KpiFundingLine.objects.select_related("source")),
    )
    return access.scope(reports, user, via="incubatee__organisation")


# --- Jury ranking --------------------------------------------------------------------------------
def juror_total(scores: dict[int, int], criteria: list[Criterion]) -> Decimal:
    """One juror's total on /100: sum(w_i * s_i / max_i) / sum(w_i) * 100.

    Each score is first brought to a fraction of its criterion's maximum, so a criterion scored
    out of 5 and one out of 20 weigh only by their weights.
    """
    weights = sum((c.weight for c in criteria), Decimal(0))
    weighted = sum(
        (c.weight * Decimal(scores[c.pk]) / Decimal(c.max_score) for c in criteria), Decimal(0)
    )
    return weighted / weights * HUNDRED


@dataclass
class RankedApplication:
    rank: int | None
    application: Application
    total: Decimal | None
    jurors_assigned: int
    jurors_done: int
    criterion_means: dict[int, Decimal]


def call_ranking(call: Call) -> list[RankedApplication]:
    """Submitted and decided applications, best weighted total first (unscored ones last);
    equal totals share a rank.

    An application's total is the mean of the totals of the jurors who scored every criterion;
    a juror half-way through does not count yet.
    """
    criteria = list(call.criteria.all())
    applications = (
        call.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("assignments", "evaluations")
    )
    rows = []
    for application in applications:
        by_juror: dict[int, dict[int, int]] = {}
        for evaluation in application.evaluations.all():
            by_juror.setdefault(evaluation.juror_id, {})[evaluation.criterion_id] = evaluation.score
        complete = [s for s in by_juror.values() if criteria and len(s) == len(criteria)]
        total = None
        means: dict[int, Decimal] = {}
        if complete:
            total = (sum(juror_total(s, criteria) for s in complete) / len(complete)).quantize(
                CENT, ROUND_HALF_UP
            )
            for criterion in criteria:
                means[criterion.pk] = (
                    sum(Decimal(s[criterion.pk]) for s in complete) / len(complete)
                ).quantize(CENT, ROUND_HALF_UP)
        rows.append(
            RankedApplication(
                rank=None,
                application=application,
                total=total,
                jurors_assigned=len(application.assignments.all()),
                jurors_done=len(complete),
                criterion_means=means,
            )
        )
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.application.organisation.name))
    # Standard competition ranking on the shown (rounded) total: equal totals share a rank and
    # the next one skips (1, 2, 2, 4). The alphabetical order inside a tie decides nothing.
    for position, row in enumerate(rows, start=1):
        if row.total is None:
            continue
        previous = rows[position - 2] if position > 1 else None
        tied = previous is not None and previous.total == row.total
        row.rank = previous.rank if tied else position
    return rows


@dataclass
class JurorOnCall:
    juror: User
    awaiting: int  # applications awaiting a decision they are on the jury of
    scored: int  # of those, the ones they have started scoring (they stay on those)


def call_jury(call: Call) -> list[JurorOnCall]:
    """The jurors of a call's applications awaiting a decision, by name, each with how many
    they judge and how many they have started scoring. Two queries."""
    awaiting = {"application__call": call, "application__status": ApplicationStatus.SUBMITTED}
    scored = set(
        Evaluation.objects.filter(**awaiting).values_list("application_id", "juror_id").distinct()
    )
    jury: dict[int, JurorOnCall] = {}
    for assignment in JurorAssignment.objects.filter(**awaiting).select_related("juror"):
        row = jury.setdefault(assignment.juror_id, JurorOnCall(assignment.juror, 0, 0))
        row.awaiting += 1
        row.scored += (assignment.application_id, assignment.juror_id) in scored
    return sorted(jury.values(), key=lambda row: (row.juror.display_name, row.juror.pk))


def ranking_ties(rows: list[RankedApplication]) -> set[int]:
    """The ranks shared by more than one application."""
    ranks = [r.rank for r in rows if r.rank is not None]
    return {rank for rank in ranks if ranks.count(rank) > 1}


# --- Seams to booking and trainings --------------------------------------------------------------
# Booking owns lab-hour credits and usage; trainings owns sessions and attendance. These are the
# only places incubation reads them, so a missing selector (branch not merged yet) shows as
# "not available" (None) instead of breaking the pages, API or reports.
def lab_hours_balance(
    *, organisation: Organisation, on: datetime.date | None = None
) -> Decimal | None:
    """Free lab hours left to ``organisation`` on ``on`` (booking's ``lab_credit_balance``)."""
    try:
        from booking.selectors import lab_credit_balance
    except ImportError:
        return None
    return lab_credit_balance(organisation=organisation, on=on or timezone.localdate())


def with_lab_hours_balance(
    rows: QuerySet, *, organisation: str, on: datetime.date | None = None
) -> QuerySet:
    """``rows`` (a ``values()`` query) with ``lab_hours_balance``: ``lab_hours_balance`` of
    each row's ``organisation``, from the same query (booking's ``with_lab_credit_balance``)."""
    try:
        from booking.selectors import with_lab_credit_balance
    except ImportError:
        return rows.annotate(
            lab_hours_balance=Value(None, output_field=DecimalField(max_digits=9, decimal_places=2))
        )
    return with_lab_credit_balance(
        rows, organisation=organisation, on=on or timezone.localdate(), name="lab_hours_balance"
    )


def lab_hours_used(
    *, organisation_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, Decimal] | None:
    """Hours of confirmed / completed bookings in [start, end) (local days) per organisation."""
    try:
        from booking.selectors import hours_used_by_organisations
    except ImportError:
        return None
    return hours_used_by_organisations(
        organisation_ids=organisation_ids,
        start=clock.start_of_day(start),
        end=clock.start_of_day(end),
    )


def training_figures(
    *, organisation_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[str, Decimal | int] | None:
    """Training received by these organisations' people in sessions starting in [start, end).

    ``hours``: participant-hours (each person marked present, times the session's length);
    ``participants``: distinct people marked present. Cancelled sessions do not count.
    None when trainings has no schedule to read (its selector is missing).
    """
    try:
        from trainings.selectors import sessions_with_counts
    except ImportError:
        return None
    people = set(
        Membership.objects.filter(organisation_id__in=organisation_ids).values_list(
            "user_id", flat=True
        )
    )
    sessions = (
        sessions_with_counts()
        .filter(
            start__gte=clock.start_of_day(start),
            start__lt=clock.start_of_day(end),
        )
        .exclude(status="cancelled")
        .prefetch_related("enrolments")
    )
    hours, participants = Decimal(0), set()
    for session in sessions:
        length = Decimal((session.end - session.start).total_seconds()) / Decimal(3600)
        for enrolment in session.enrolments.all():
            if enrolment.present and enrolment.user_id in people:
                participants.add(enrolment.user_id)
                hours += length
    return {"hours": hours.quantize(CENT), "participants": len(participants)}


def kpis_by_quarter(*, first: datetime.date, last: datetime.date) -> list[dict]:
    """KPI reports of the quarters touching [first, last], summed per cohort and quarter:
    ``[{"cohort", "period", "revenue_mad", "jobs_women", "jobs_men", "funding_raised_mad"}]``,
    by cohort then quarter. One query."""
    from django.db.models import Sum

    periods = []
    month = datetime.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while month <= last:
        periods.append(f"{month.year}-Q{(month.month - 1) // 3 + 1}")
        month = datetime.date(month.year + (month.month > 9), (month.month + 2) % 12 + 1, 1)
    rows = (
        KpiReport.objects.filter(period__in=periods)
        .values("incubatee__cohort__name", "period")
        .annotate(
            revenue=Sum("revenue_mad"),
            women=Sum("jobs_women"),
            men=Sum("jobs_men"),
            funding=Sum("funding_raised_mad"),
        )
        .order_by("incubatee__cohort__name", "period")
    )
    return [
        {
            "cohort": row["incubatee__cohort__name"],
            "period": row["period"],
            "revenue_mad": row["revenue"] or Decimal(0),
            "jobs_women": row["women"] or 0,
            "jobs_men": row["men"] or 0,
            "funding_raised_mad": row["funding"] or Decimal(0),
        }
        for row in rows
    ]


# --- KPI campaigns -------------------------------------------------------------------------------
def period_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """The quarter ``2026-Q3`` as local dates [first day, first day of the next quarter)."""
    year, quarter = (int(part) for part in period.split("-Q"))
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end


def period_end(period: str) -> datetime.date:
    """The local date the quarter is over (the next quarter's first day)."""
    return period_bounds(period)[1]


def last_ended_period(today: datetime.date) -> str:
    """The quarter that ended most recently before local date ``today``."""
    previous = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - datetime.timedelta(
        days=1
    )
    return f"{previous.year}-Q{(previous.month - 1) // 3 + 1}"


def kpi_reports_missing(*, period: str, cohort: Cohort | None = None) -> QuerySet[Incubatee]:
    """Incubatees that owe ``period``'s KPI report and have not sent it.

    Owing: joined before the quarter ended (Casablanca midnight), its cohort ran during the
    quarter, still in a live stage or left only after the quarter ended. One query."""
    from incubation.models import LIVE_STAGES

    start, end = period_bounds(period)
    ended_at = clock.start_of_day(end)
    incubatees = Incubatee.objects.filter(
        joined_at__lt=ended_at, cohort__starts_on__lt=end, cohort__ends_on__gte=start
    ).filter(Q(stage__in=LIVE_STAGES) | Q(stage_started_at__gte=ended_at))
    if cohort is not None:
        incubatees = incubatees.filter(cohort=cohort)
    return (
        incubatees.exclude(kpi_reports__period=period)
        .select_related("organisation", "cohort")
        .order_by("organisation__name", "pk")
    )


def kpi_last_reminders(*, period: str, incubatee_ids: list[int]) -> dict[int, datetime.datetime]:
    """When each of these incubatees was last reminded of ``period``'s report (sent or due).
    One query."""
    from django.db.models import Max

    from caiac.notifications.models import Message, MessageStatus

    rows = (
        Message.objects.filter(
            dedup_key__startswith=f"kpi-campaign:{period}:",
            object_id__in=incubatee_ids,
            status__in=(MessageStatus.SENT, MessageStatus.PENDING, MessageStatus.SENDING),
        )
        .values("object_id")
        .annotate(last=Max("due_at"))
    )
    return {row["object_id"]: row["last"] for row in rows}
