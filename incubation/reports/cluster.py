"""The cluster's year for its funders: members, start-ups accompanied, trainings, the lab, jobs
created by incubatees and collaborative R&D projects.

``cluster_report(year=...)`` returns one dictionary rendered three ways (JSON, CSV, XLSX): its
``figures`` and, for each figure, the ``details`` rows it was computed from, so that an auditor
can recount every number from the rows beside it. A bounded number of queries whatever the data:
each source is read once and grouped in Python, on the Africa/Casablanca wall clock (the year is
[1 January 00:00, next 1 January 00:00) local; time zones are never converted in SQL).

Definitions (docs/incubation.md, "The cluster's year"):
- members: an organisation is a cluster member from ``member_since`` (the day it was registered
  when unset) through ``membership_expires_on`` (open-ended when unset). At the start of the year:
  a member on 1 January; at the end: still a member after 31 December; joined: ``member_since`` in
  the year; left: its last day (``membership_expires_on``) in the year. So end = start + joined -
  left. Each split by kind and by sector.
- start-ups accompanied: incubatees (start-ups and cooperatives in a cohort) that joined before
  the year ended and had not graduated or exited before it began, by their stage at the end of the
  year (from the stage history).
- trainings: sessions that started in the year and were not cancelled; participants are the
  distinct people marked present (women / men / not stated, from the person's optional gender);
  participant-hours add each presence times its session's length.
- lab: organisations' bookings that started in the year, pending, confirmed, completed or
  no-show (booked); used: checked in (completed); revenue: the price stored on the bookings used.
  No-show and late-cancellation fees are billing's charges, not counted here.
- jobs: jobs created (women / men) in the KPI reports of the year's four quarters.
- R&D projects: see ``incubation.reports.cluster_projects``.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import clock
from caiac.accounts.models import Gender, Organisation, OrganisationKind, Sector
from incubation.models import Incubatee, KpiReport, Stage, StageChange
from incubation.reports.cluster_projects import projects_part

ZERO = Decimal(0)
CENT = Decimal("0.01")
TERMINAL = (Stage.GRADUATED, Stage.EXITED)


def _hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / Decimal(3600)).quantize(CENT)


# --- Members -------------------------------------------------------------------------------------
def _members(first: datetime.date, last: datetime.date) -> tuple[dict, list[dict]]:
    rows = []
    for organisation in Organisation.objects.filter(is_cluster_member=True).order_by("name"):
        since = organisation.member_since or timezone.localdate(organisation.created_at)
        until = organisation.membership_expires_on
        if since > last or (until is not None and until < first):
            continue  # not a member at any time of the year
        rows.append(
            {
                "organisation_id": organisation.pk,
                "organisation": organisation.name,
                "kind": organisation.kind,
                "sector": organisation.sector,
                "member_since": since,
                "member_until": until,
                "at_start": since < first,  # member before 1 January, still on it
                "at_end": until is None or until > last,
                "joined": first <= since,
                "left": until is not None and until <= last,
            }
        )
    figures: dict[str, Any] = {}
    for group in ("at_start", "at_end", "joined", "left"):
        figures[group] = {
            "total": sum(1 for row in rows if row[group]),
            "by_kind": {
                kind: sum(1 for row in rows if row[group] and row["kind"] == kind)
                for kind in OrganisationKind.values
            },
            "by_sector": {
                sector: sum(1 for row in rows if row[group] and row["sector"] == sector)
                for sector in Sector.values
            },
        }
    return figures, rows


# --- Start-ups accompanied -----------------------------------------------------------------------
def _startups(start: datetime.datetime, end: datetime.datetime) -> tuple[dict, list[dict]]:
    incubatees = (
        Incubatee.objects.filter(joined_at__lt=end)
        .select_related("organisation", "cohort")
        .order_by("organisation__name", "cohort__starts_on", "pk")
    )
    changes: dict[int, list[StageChange]] = {}
    for change in StageChange.objects.filter(incubatee__joined_at__lt=end).order_by(
        "changed_at", "pk"
    ):
        changes.setdefault(change.incubatee_id, []).append(change)
    rows = []
    for incubatee in incubatees:
        history = changes.get(incubatee.pk, [])
        before_start = [c for c in history if c.changed_at < start]
        if before_start and before_start[-1].to_stage in TERMINAL:
            continue  # graduated or exited before the year began
        before_end = [c for c in history if c.changed_at < end]
        stage = before_end[-1].to_stage if before_end else incubatee.stage
        rows.append(
            {
                "incubatee_id": incubatee.pk,
                "organisation": incubatee.organisation.name,
                "kind": incubatee.organisation.kind,
                "cohort": incubatee.cohort.name,
                "joined_at": incubatee.joined_at,
                "stage_at_end": stage,
            }
        )
    by_stage = Counter(row["stage_at_end"] for row in rows)
    return {
        "accompanied": len(rows),
        "by_stage": {stage: by_stage.get(stage, 0) for stage in Stage.values},
    }, rows


# --- Trainings -----------------------------------------------------------------------------------
def _trainings(start: datetime.datetime, end: datetime.datetime):
    from trainings.selectors import sessions_held_between

    sessions, presences = [], []
    people: dict[int, str] = {}
    for session in sessions_held_between(start=start, end=end):
        length = _hours(session.start, session.end)
        for enrolment in session.present:
            people[enrolment.user_id] = enrolment.user.gender
            presences.append(
                {
                    "session_id": session.pk,
                    "course": session.course.local_title,
                    "start": session.start,
                    "person_id": enrolment.user_id,
                    "person": enrolment.user.display_name,
                    "gender": enrolment.user.gender,
                    "hours": length,
                }
            )
        sessions.append(
            {
                "session_id": session.pk,
                "course": session.course.local_title,
                "start": session.start,
                "end": session.end,
                "hours": length,
                "present": len(session.present),
                "participant_hours": length * len(session.present),
            }
        )
    genders = Counter(people.values())
    figures = {
        "sessions": len(sessions),
        "participants": len(people),
        "participants_women": genders.get(Gender.WOMAN, 0),
        "participants_men": genders.get(Gender.MAN, 0),
        "participants_not_stated": len(people)
        - genders.get(Gender.WOMAN, 0)
        - genders.get(Gender.MAN, 0),
        "presences": len(presences),
        "participant_hours": sum((row["hours"] for row in presences), ZERO),
    }
    return figures, sessions, presences


# --- Lab -----------------------------------------------------------------------------------------
def _lab(start: datetime.datetime, end: datetime.datetime) -> tuple[dict, list[dict]]:
    from booking.models import BookingStatus
    from booking.selectors import member_bookings_between

    rows = []
    for booking in member_bookings_between(start=start, end=end):
        used = booking.status == BookingStatus.COMPLETED
        rows.append(
            {
                "booking_id": booking.pk,
                "machine": booking.equipment.name,
                "organisation": booking.organisation.name,
                "start": booking.start,
                "end": booking.end,
                "status": booking.status,
                "hours": _hours(booking.start, booking.end),
                "used": used,
                "revenue_mad": booking.price if used else ZERO,
                "project": booking.project.title if booking.project_id else "",
            }
        )
    return {
        "bookings": len(rows),
        "hours_booked": sum((row["hours"] for row in rows), ZERO),
        "hours_used": sum((row["hours"] for row in rows if row["used"]), ZERO),
        "revenue_mad": sum((row["revenue_mad"] for row in rows), ZERO),
        "hours_booked_for_projects": sum((row["hours"] for row in rows if row["project"]), ZERO),
    }, rows


# --- Jobs ----------------------------------------------------------------------------------------
def _jobs(year: int) -> tuple[dict, list[dict]]:
    periods = [f"{year}-Q{quarter}" for quarter in range(1, 5)]
    rows = [
        {
            "report_id": report.pk,
            "organisation": report.incubatee.organisation.name,
            "cohort": report.incubatee.cohort.name,
            "period": report.period,
            "jobs_women": report.jobs_women,
            "jobs_men": report.jobs_men,
        }
        for report in KpiReport.objects.filter(period__in=periods)
        .select_related("incubatee__organisation", "incubatee__cohort")
        .order_by("incubatee__organisation__name", "period", "pk")
    ]
    women = sum(row["jobs_women"] for row in rows)
    men = sum(row["jobs_men"] for row in rows)
    return {"reports": len(rows), "women": women, "men": men, "total": women + men}, rows


# --- The whole year ------------------------------------------------------------------------------
def cluster_report(*, year: int) -> dict[str, Any]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start = clock.start_of_day(first)
    end = clock.start_of_day(datetime.date(year + 1, 1, 1))
    members, member_rows = _members(first, last)
    startups, startup_rows = _startups(start, end)
    trainings, session_rows, presence_rows = _trainings(start, end)
    lab, booking_rows = _lab(start, end)
    jobs, job_rows = _jobs(year)
    projects, project_details = projects_part(year=year, end=end)
    return {
        "title": str(_("The cluster's year %(year)s")) % {"year": year},
        "year": year,
        "start": first,
        "end": last,
        "figures": {
            "members": members,
            "startups": startups,
            "trainings": trainings,
            "lab": lab,
            "jobs": jobs,
            "projects": projects,
        },
        "details": {
            "members": member_rows,
            "startups": startup_rows,
            "training_sessions": session_rows,
            "training_participants": presence_rows,
            "lab_bookings": booking_rows,
            "jobs": job_rows,
            **project_details,
        },
    }
