"""Milestones (with their due-soon reminder), mentoring sessions and KPI reports."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access, clock, files
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid
from caiac.notifications.services import message_schedule, messages_drop
from incubation.models import (
    KPI_FIELDS,
    OPEN_MILESTONE_STATUSES,
    Incubatee,
    KpiAmendment,
    KpiReport,
    MentoringSession,
    Milestone,
    MilestoneStatus,
)
from incubation.services._common import require_acts_for, require_reason, set_fields, today
from incubation.services.campaigns import kpi_campaign_drop

DUE_SOON_KIND = "incubation.milestone_due_soon"
DUE_SOON_DAYS_BEFORE = 3
DUE_SOON_HOUR = 9

MILESTONE_STAFF_FIELDS = ("title", "description", "due_date", "owner")
MILESTONE_MEMBER_FIELDS = ("status", "evidence_file", "evidence_link")


# --- Milestones ----------------------------------------------------------------------------------
def milestone_reminder_at(due_date: datetime.date) -> datetime.datetime:
    """09:00 on the Casablanca wall clock, three days before the due date."""
    return clock.wall_clock(
        due_date - datetime.timedelta(days=DUE_SOON_DAYS_BEFORE), datetime.time(DUE_SOON_HOUR)
    )


def _sync_reminder(milestone: Milestone) -> None:
    key = f"milestone:{milestone.pk}:due-soon"
    if (
        milestone.status not in OPEN_MILESTONE_STATUSES
        or milestone.owner is None
        or milestone.due_date < today()
    ):
        messages_drop(dedup_prefix=key)
        return
    due_at = max(milestone_reminder_at(milestone.due_date), timezone.now())
    message_schedule(
        recipient=milestone.owner,
        kind=DUE_SOON_KIND,
        dedup_key=key,
        due_at=due_at,
        # Pointless once the due day is over.
        send_before=clock.wall_clock(
            milestone.due_date + datetime.timedelta(days=1), datetime.time.min
        ),
        about=milestone,
        context={
            "milestone_id": milestone.pk,
            "title": milestone.title,
            "due_date": milestone.due_date.isoformat(),
            "organisation": milestone.incubatee.organisation.name,
        },
    )


def _check_owner(incubatee: Incubatee, owner: User | None) -> None:
    if owner is None or access.acts_for(owner, incubatee.organisation_id):
        return
    raise Invalid(
        _("The owner must be a member of the organisation or cluster staff."),
        code="invalid",
        fields={"owner": [str(_("Not a member of this organisation."))]},
    )


def _checked_evidence(evidence_file: Any) -> Any:
    """The upload, renamed to a safe name with the extension of what it really is; refused (400
    ``file_type_not_allowed`` / ``file_too_large``) unless a PDF, image or office document."""
    if evidence_file:
        evidence_file.name = files.check_upload(evidence_file, field="evidence_file")
    return evidence_file


def _apply_status(milestone: Milestone) -> None:
    if milestone.status == MilestoneStatus.DONE:
        milestone.completed_at = milestone.completed_at or timezone.now()
    else:
        milestone.completed_at = None


@transaction.atomic
def milestone_create(
    *,
    by: User,
    incubatee: Incubatee,
    title: str,
    due_date: datetime.date,
    owner: User | None = None,
    description: str = "",
    status: str = MilestoneStatus.TODO,
    evidence_link: str = "",
    evidence_file: Any = None,
) -> Milestone:
    access.require_staff(by)
    _check_owner(incubatee, owner)
    evidence_file = _checked_evidence(evidence_file)
    milestone = Milestone(
        incubatee=incubatee,
        title=title,
        description=description,
        due_date=due_date,
        owner=owner,
        status=status,
        evidence_link=evidence_link,
    )
    if evidence_file:
        milestone.evidence_file = evidence_file
    _apply_status(milestone)
    milestone.save()
    _sync_reminder(milestone)
    return milestone


@transaction.atomic
def milestone_update(*, by: User, milestone: Milestone, **data: Any) -> Milestone:
    """Staff change anything; the organisation's members report progress (status, evidence)."""
    milestone = (
        # "self" only: FOR UPDATE cannot lock the nullable side (owner) of an outer join.
        Milestone.objects.select_for_update(of=("self",))
        .select_related("incubatee__organisation", "owner")
        .get(pk=milestone.pk)
    )
    require_acts_for(by, milestone.incubatee.organisation)
    if set(data) - set(MILESTONE_MEMBER_FIELDS):
        access.require_staff(by)  # title, due date, owner
    if "owner" in data:
        _check_owner(milestone.incubatee, data["owner"])
    previous_file = milestone.evidence_file.name
    if "evidence_file" in data:
        data["evidence_file"] = _checked_evidence(data["evidence_file"]) or ""
    set_fields(milestone, data, MILESTONE_STAFF_FIELDS + MILESTONE_MEMBER_FIELDS)
    _apply_status(milestone)
    milestone.save()
    if previous_file and milestone.evidence_file.name != previous_file:
        files.discard(previous_file)  # replaced or cleared: the old file leaves the disk
    _sync_reminder(milestone)
    return milestone


@transaction.atomic
def milestone_delete(*, by: User, milestone: Milestone) -> None:
    access.require_staff(by)
    messages_drop(dedup_prefix=f"milestone:{milestone.pk}:")
    milestone.delete()  # its evidence file goes too (files.delete_files_with, IncubationConfig)


# --- Mentoring -----------------------------------------------------------------------------------
@transaction.atomic
def mentoring_session_create(
    *,
    by: User,
    incubatee: Incubatee,
    date: datetime.date,
    hours: Decimal,
    topic: str,
    mentor: User | None = None,
    mentor_name: str = "",
    notes: str = "",
) -> MentoringSession:
    access.require_staff(by)
    mentor_name = mentor_name.strip() or (mentor.display_name if mentor else "")
    if not mentor_name:
        raise Invalid(
            _("Name the mentor."),
            code="invalid",
            fields={"mentor_name": [str(_("Required without a mentor account."))]},
        )
    if hours <= 0:
        raise Invalid(
            _("Hours must be positive."), code="invalid", fields={"hours": [str(_("Positive."))]}
        )
    return MentoringSession.objects.create(
        incubatee=incubatee,
        mentor=mentor,
        mentor_name=mentor_name,
        date=date,
        hours=hours,
        topic=topic,
        notes=notes,
        created_by=by,
    )


@transaction.atomic
def mentoring_session_update(
    *, by: User, session: MentoringSession, **data: Any
) -> MentoringSession:
    access.require_staff(by)
    if "hours" in data and data["hours"] <= 0:
        raise Invalid(
            _("Hours must be positive."), code="invalid", fields={"hours": [str(_("Positive."))]}
        )
    set_fields(session, data, ("mentor", "mentor_name", "date", "hours", "topic", "notes"))
    session.save()
    return session


# --- KPI reports ---------------------------------------------------------------------------------
def period_start(period: str) -> datetime.date:
    year, quarter = period.split("-Q")
    return datetime.date(int(year), 3 * (int(quarter) - 1) + 1, 1)


def period_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _clean_figures(figures: dict[str, Any]) -> dict[str, Any]:
    figures = {k: v for k, v in figures.items() if k in KPI_FIELDS}
    if "certifications" in figures:
        figures["certifications"] = [
            str(c).strip() for c in figures["certifications"] if str(c).strip()
        ]
    if figures.get("exports_mad"):
        figures["exports"] = True
    return figures


@transaction.atomic
def kpi_report_submit(*, by: User, incubatee: Incubatee, period: str, **figures: Any) -> KpiReport:
    """The quarter's figures of an incubatee, by its members (or staff); once per quarter."""
    require_acts_for(by, incubatee.organisation)
    if period_start(period) > today():
        raise Invalid(
            _("This quarter has not started yet."),
            code="invalid_period",
            fields={"period": [str(_("Quarter in the future."))]},
        )
    exists = Conflict(
        _("A KPI report for this quarter already exists; ask the cluster staff to amend it."),
        code="kpi_report_exists",
    )
    if KpiReport.objects.filter(incubatee=incubatee, period=period).exists():
        raise exists
    try:
        with transaction.atomic():
            report = KpiReport.objects.create(
                incubatee=incubatee,
                period=period,
                submitted_by=by,
                submitted_at=timezone.now(),
                **_clean_figures(figures),
            )
    except IntegrityError:
        raise exists from None
    kpi_campaign_drop(report=report)  # no more "your report is due" for this quarter
    return report


def kpi_values(report: KpiReport) -> dict[str, Any]:
    """The figures as JSON values (amounts as strings, exact)."""
    values = {}
    for field in KPI_FIELDS:
        value = getattr(report, field)
        values[field] = str(value) if isinstance(value, Decimal) else value
    return values


@transaction.atomic
def kpi_report_amend(*, by: User, report: KpiReport, reason: str, **figures: Any) -> KpiReport:
    """Staff correct a report; the values before the change are kept with who, when and why."""
    access.require_staff(by)
    reason = require_reason(reason)
    report = KpiReport.objects.select_for_update().get(pk=report.pk)
    previous = kpi_values(report)
    if not set_fields(report, _clean_figures(figures), KPI_FIELDS):
        raise Invalid(_("These values are the ones already recorded."), code="no_change")
    report.save()
    KpiAmendment.objects.create(
        report=report, previous=previous, changed_by=by, changed_at=timezone.now(), reason=reason
    )
    return report
