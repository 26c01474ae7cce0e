"""Cohort dashboard and funder report: the figures the cluster owes the ministry.

One dictionary (``cohort_report`` / ``funder_report``) is rendered three ways: JSON (the API),
CSV and XLSX. Amounts are exact Decimals; the JSON shows them as strings.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac.exports import Table, csv_bytes, xlsx_bytes
from incubation import selectors
from incubation.models import (
    OPEN_MILESTONE_STATUSES,
    Cohort,
    Incubatee,
    KpiReport,
    MentoringSession,
    MilestoneStatus,
    Stage,
)
from incubation.services.followup import period_of

ZERO = Decimal(0)

METRICS = [
    ("incubatees", _("Incubatees")),
    ("startups_supported", _("Start-ups and cooperatives supported")),
    ("cluster_members", _("Of which cluster members")),
    *[(f"stage_{stage.value}", stage.label) for stage in Stage],
    ("lab_hours_used", _("Lab hours used")),
    ("training_hours", _("Training hours delivered")),
    ("training_participants", _("Training participants")),
    ("mentoring_sessions", _("Mentoring sessions")),
    ("mentoring_hours", _("Mentoring hours")),
    ("milestones_done", _("Milestones done")),
    ("milestones_overdue", _("Milestones overdue")),
    ("kpi_reports", _("KPI reports")),
    ("revenue_mad", _("Revenue (MAD)")),
    ("jobs_women", _("Jobs created (women)")),
    ("jobs_men", _("Jobs created (men)")),
    ("jobs_created", _("Jobs created (total)")),
    ("funding_raised_mad", _("Funding raised (MAD)")),
    ("products_launched", _("Products launched")),
    ("certifications_obtained", _("Certifications obtained")),
    ("exports_mad", _("Exports (MAD)")),
    ("exporting_incubatees", _("Exporting incubatees")),
]

ROW_COLUMNS = [
    ("cohort", _("Cohort")),
    ("organisation", _("Organisation")),
    ("kind", _("Kind")),
    ("cluster_member", _("Cluster member")),
    ("stage", _("Stage")),
    ("lab_hours_used", _("Lab hours used")),
    ("mentoring_hours", _("Mentoring hours")),
    ("revenue_mad", _("Revenue (MAD)")),
    ("jobs_women", _("Jobs created (women)")),
    ("jobs_men", _("Jobs created (men)")),
    ("funding_raised_mad", _("Funding raised (MAD)")),
    ("products_launched", _("Products launched")),
    ("certifications", _("Certifications obtained")),
    ("exports_mad", _("Exports (MAD)")),
]


def quarters_between(start: datetime.date, end: datetime.date) -> list[str]:
    """The quarters overlapping [start, end)."""
    periods, day = [], start
    last = end - datetime.timedelta(days=1)
    while day <= last:
        periods.append(period_of(day))
        month = 3 * ((day.month - 1) // 3) + 4
        day = datetime.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    return periods


def _figures(incubatees: list[Incubatee], start: datetime.date, end: datetime.date):
    ids = [i.pk for i in incubatees]
    org_ids = sorted({i.organisation_id for i in incubatees})
    periods = quarters_between(start, end)
    reports = list(
        KpiReport.objects.filter(incubatee_id__in=ids, period__in=periods).order_by("period")
    )
    mentoring = {
        row["incubatee_id"]: row
        for row in MentoringSession.objects.filter(
            incubatee_id__in=ids, date__gte=start, date__lt=end
        )
        .values("incubatee_id")
        .annotate(hours=Sum("hours"), n=Count("id"))
    }
    today = timezone.localdate()
    milestones = Incubatee.objects.filter(pk__in=ids).aggregate(
        done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE)),
        overdue=Count(
            "milestones",
            filter=Q(
                milestones__status__in=OPEN_MILESTONE_STATUSES, milestones__due_date__lt=today
            ),
        ),
    )
    used = selectors.lab_hours_used(organisation_ids=org_ids, start=start, end=end)
    trainings = selectors.training_figures(organisation_ids=org_ids, start=start, end=end)

    def total(field, items=reports):
        return sum((getattr(r, field) for r in items), ZERO if field.endswith("_mad") else 0)

    figures: dict[str, Any] = {
        "incubatees": len(incubatees),
        "startups_supported": len(org_ids),
        "cluster_members": len(
            {i.organisation_id for i in incubatees if i.organisation.is_cluster_member}
        ),
        **{
            f"stage_{stage.value}": sum(1 for i in incubatees if i.stage == stage)
            for stage in Stage
        },
        "lab_hours_used": None if used is None else sum(used.values(), ZERO),
        "training_hours": None if trainings is None else trainings["hours"],
        "training_participants": None if trainings is None else trainings["participants"],
        "mentoring_sessions": sum(m["n"] for m in mentoring.values()),
        "mentoring_hours": sum((m["hours"] for m in mentoring.values()), ZERO),
        "milestones_done": milestones["done"],
        "milestones_overdue": milestones["overdue"],
        "kpi_reports": len(reports),
        "revenue_mad": total("revenue_mad"),
        "jobs_women": total("jobs_women"),
        "jobs_men": total("jobs_men"),
        "jobs_created": total("jobs_women") + total("jobs_men"),
        "funding_raised_mad": total("funding_raised_mad"),
        "products_launched": total("products_launched"),
        "certifications_obtained": sum(len(r.certifications) for r in reports),
        "exports_mad": total("exports_mad"),
        "exporting_incubatees": len({r.incubatee_id for r in reports if r.exports}),
    }
    rows = []
    for incubatee in incubatees:
        own = [r for r in reports if r.incubatee_id == incubatee.pk]
        rows.append(
            {
                "cohort": incubatee.cohort.name,
                "organisation": incubatee.organisation.name,
                "kind": incubatee.organisation.get_kind_display(),
                "cluster_member": incubatee.organisation.is_cluster_member,
                "stage": incubatee.stage,
                "lab_hours_used": None
                if used is None
                else used.get(incubatee.organisation_id, ZERO),
                "mentoring_hours": mentoring.get(incubatee.pk, {}).get("hours") or ZERO,
                "revenue_mad": total("revenue_mad", own),
                "jobs_women": total("jobs_women", own),
                "jobs_men": total("jobs_men", own),
                "funding_raised_mad": total("funding_raised_mad", own),
                "products_launched": total("products_launched", own),
                "certifications": sorted({c for r in own for c in r.certifications}),
                "exports_mad": total("exports_mad", own),
            }
        )
    return figures, rows, periods


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def cohort_report(*, cohort: Cohort, year: int | None = None) -> dict[str, Any]:
    """A cohort's figures over its whole run, or over one calendar year."""
    if year is None:
        start, end = cohort.starts_on, cohort.ends_on + datetime.timedelta(days=1)
    else:
        start, end = _year_bounds(year)
    incubatees = list(
        cohort.incubatees.select_related("organisation", "cohort").order_by("organisation__name")
    )
    figures, rows, periods = _figures(incubatees, start, end)
    return {
        "title": str(_("Cohort report: %s")) % cohort.name,
        "cohort": {"id": cohort.pk, "name": cohort.name, "programme": cohort.programme.name},
        "year": year,
        "start": start,
        "end": end,
        "periods": periods,
        "figures": figures,
        "incubatees": rows,
    }


def funder_report(*, year: int) -> dict[str, Any]:
    """Every cohort running during ``year``, its incubatees' figures for that year."""
    start, end = _year_bounds(year)
    cohorts = list(
        Cohort.objects.filter(starts_on__lt=end, ends_on__gte=start)
        .select_related("programme")
        .order_by("starts_on", "name")
    )
    incubatees = list(
        Incubatee.objects.filter(cohort__in=cohorts)
        .select_related("organisation", "cohort")
        .order_by("cohort__starts_on", "cohort__name", "organisation__name")
    )
    figures, rows, periods = _figures(incubatees, start, end)
    return {
        "title": str(_("Funder report %s")) % year,
        "cohort": None,
        "cohorts": [{"id": c.pk, "name": c.name, "programme": c.programme.name} for c in cohorts],
        "year": year,
        "start": start,
        "end": end,
        "periods": periods,
        "figures": figures,
        "incubatees": rows,
    }


SUMMARY = "summary"
INCUBATEES = "incubatees"
TABLES = (SUMMARY, INCUBATEES)


def summary_table(report: dict[str, Any]) -> Table:
    """Indicator and value, after three lines saying which report and period it is."""
    last_day = report["end"] - datetime.timedelta(days=1)
    rows: list[list[Any]] = [
        [_("Report"), report["title"]],
        [_("From"), report["start"]],
        [_("To"), last_day],
    ]
    rows += [[label, _two_places(report["figures"][key])] for key, label in METRICS]
    return Table(title=_("Summary"), headers=[_("Metric"), _("Value")], rows=rows)


def _two_places(value: Any) -> Any:
    """Amounts and hours with two decimals whatever the database's sum gave (9.0 → 9.00)."""
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def _row_value(key: str, value: Any) -> Any:
    if key == "stage" and value in Stage.values:
        return Stage(value).label
    return _two_places(value)


def incubatees_table(report: dict[str, Any]) -> Table:
    return Table(
        title=_("Incubatees"),
        headers=[label for _key, label in ROW_COLUMNS],
        rows=[[_row_value(k, row[k]) for k, _label in ROW_COLUMNS] for row in report["incubatees"]],
    )


def report_csv(report: dict[str, Any], table: str = SUMMARY) -> bytes:
    """One table per file (``summary`` or ``incubatees``), UTF-8 with a byte-order mark, headers
    and labels in the active language, formula-like text neutralised (caiac.exports)."""
    return csv_bytes(incubatees_table(report) if table == INCUBATEES else summary_table(report))


def report_xlsx(report: dict[str, Any]) -> bytes:
    """Sheet "Summary" (indicator, value) and sheet "Incubatees", titles in the active language."""
    return xlsx_bytes([summary_table(report), incubatees_table(report)], title=report["title"])
