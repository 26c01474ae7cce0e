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
from caiac.projects import services as projects
from caiac.projects.models import FundingSource
from incubation.models import (
    KPI_FIELDS,
    OPEN_MILESTONE_STATUSES,
    Incubatee,
    KpiAmendment,
    KpiFundingLine,
    KpiReport,
    MentoringSession,
    Milestone,
    MilestoneStatus,
)
from incubation.services._common import require_reason, set_fields, today
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
    access.require_acts_for(by, milestone.incubatee.organisation)
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
    project: Any = None,
) -> MentoringSession:
    """``project``: an R&D project the incubatee's organisation takes part in (400
    ``project_not_partner`` otherwise, ``project_not_open`` once it is over)."""
    access.require_staff(by)
    project = projects.project_for_organisation(
        project=project, organisation=incubatee.organisation_id
    )
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
        project=project,
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
    if "project" in data:
        data["project"] = projects.project_for_organisation(
            project=data["project"], organisation=session.incubatee.organisation_id
        )
    set_fields(
        session, data, ("mentor", "mentor_name", "date", "hours", "topic", "notes", "project")
    )
    # As on creation: the mentor's name, from their account when none is typed.
    session.mentor_name = (session.mentor_name or "").strip() or (
        session.mentor.display_name if session.mentor else ""
    )
    if not session.mentor_name:
        raise Invalid(
            _("Name the mentor."),
            code="invalid",
            fields={"mentor_name": [str(_("Required without a mentor account."))]},
        )
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


FundingLines = list[dict[str, Any]]


def _funding_lines(lines: FundingLines | None, figures: dict[str, Any]) -> list | None:
    """The funding raised by source, checked: each source once, amounts not negative; with
    lines, the report's total is their sum (400 ``funding_total_mismatch`` if a different total
    is given with them). ``None``: no split given (older clients, older reports)."""
    if lines is None:
        return None
    field = "funding_by_source"
    cleaned: list[tuple[FundingSource, Decimal]] = []
    for line in lines:
        source = line["source"]
        if not isinstance(source, FundingSource):
            source = FundingSource.objects.filter(pk=source).first()
            if source is None:
                raise Invalid(_("Unknown funding source."), code="invalid", fields={field: ["?"]})
        amount = Decimal(line.get("amount_mad") or 0)
        if amount < 0:
            raise Invalid(
                _("Amounts cannot be negative."),
                code="invalid",
                fields={field: [str(_("Zero or more."))]},
            )
        if any(s.pk == source.pk for s, _a in cleaned):
            raise Invalid(
                _("Give each funding source once."),
                code="invalid",
                fields={field: [str(_("%(source)s twice.") % {"source": source.name})]},
            )
        cleaned.append((source, amount))
    if cleaned:
        total = sum((a for _s, a in cleaned), Decimal(0))
        given = figures.get("funding_raised_mad")
        if given is not None and Decimal(given) != total:
            raise Invalid(
                _("The funding raised must be the sum of its sources (%(total)s MAD).")
                % {"total": f"{total:.2f}"},
                code="funding_total_mismatch",
                fields={"funding_raised_mad": [str(_("Not the sum of the sources."))]},
            )
        figures["funding_raised_mad"] = total
    return cleaned


def _save_funding_lines(report: KpiReport, lines: list) -> None:
    report.funding_lines.all().delete()
    KpiFundingLine.objects.bulk_create(
        KpiFundingLine(report=report, source=source, amount_mad=amount) for source, amount in lines
    )


@transaction.atomic
def kpi_report_submit(
    *,
    by: User,
    incubatee: Incubatee,
    period: str,
    funding_by_source: FundingLines | None = None,
    **figures: Any,
) -> KpiReport:
    """The quarter's figures of an incubatee, by its members (or staff); once per quarter.

    ``funding_by_source``: ``[{"source": FundingSource or id, "amount_mad": Decimal}]``, the
    funding raised split by the sources R&D projects use; the total is then their sum."""
    access.require_acts_for(by, incubatee.organisation)
    if period_start(period) > today():
        raise Invalid(
            _("This quarter has not started yet."),
            code="invalid_period",
            fields={"period": [str(_("Quarter in the future."))]},
        )
    lines = _funding_lines(funding_by_source, figures)
    if lines and any(not source.is_active for source, _a in lines):
        raise Invalid(
            _("This funding source is no longer in use."),
            code="funding_source_inactive",
            fields={"funding_by_source": [str(_("Inactive."))]},
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
    if lines:
        _save_funding_lines(report, lines)
    kpi_campaign_drop(report=report)  # no more "your report is due" for this quarter
    return report


def _line_values(report: KpiReport) -> list[dict[str, Any]]:
    return [
        {
            "source": line.source_id,
            "source_name": line.source.name,
            "amount_mad": str(line.amount_mad),
        }
        for line in report.funding_lines.select_related("source").order_by("source__name", "id")
    ]


def kpi_values(report: KpiReport) -> dict[str, Any]:
    """The figures as JSON values (amounts as strings, exact), with the funding by source."""
    values = {}
    for field in KPI_FIELDS:
        value = getattr(report, field)
        values[field] = str(value) if isinstance(value, Decimal) else value
    values["funding_by_source"] = _line_values(report)
    return values


@transaction.atomic
def kpi_report_amend(
    *,
    by: User,
    report: KpiReport,
    reason: str,
    funding_by_source: FundingLines | None = None,
    **figures: Any,
) -> KpiReport:
    """Staff correct a report; the values before the change are kept with who, when and why.
    ``funding_by_source`` replaces the split (and so the total); an empty list removes it."""
    access.require_staff(by)
    reason = require_reason(reason)
    report = KpiReport.objects.select_for_update().get(pk=report.pk)
    previous = kpi_values(report)
    lines = _funding_lines(funding_by_source, figures)
    if lines is None and previous["funding_by_source"] and "funding_raised_mad" in figures:
        split = sum((Decimal(x["amount_mad"]) for x in previous["funding_by_source"]), Decimal(0))
        if Decimal(figures["funding_raised_mad"]) != split:
            raise Invalid(
                _("The funding raised must be the sum of its sources (%(total)s MAD).")
                % {"total": f"{split:.2f}"},
                code="funding_total_mismatch",
                fields={"funding_raised_mad": [str(_("Not the sum of the sources."))]},
            )
    lines_changed = lines is not None and sorted(
        (source.pk, f"{amount:.2f}") for source, amount in lines
    ) != sorted((line["source"], line["amount_mad"]) for line in previous["funding_by_source"])
    changed = set_fields(report, _clean_figures(figures), KPI_FIELDS)
    if not changed and not lines_changed:
        raise Invalid(_("These values are the ones already recorded."), code="no_change")
    report.save()
    if lines_changed:
        _save_funding_lines(report, lines)
    KpiAmendment.objects.create(
        report=report, previous=previous, changed_by=by, changed_at=timezone.now(), reason=reason
    )
    return report
