"""The cluster's year as spreadsheets: a summary sheet (figure, value, the sheet to recount it
from) and one detail sheet per source (caiac.exports: CSV one table per file, XLSX one sheet each).
Labels in the active language."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Gender, OrganisationKind, Sector
from caiac.exports import Table, csv_bytes, xlsx_bytes
from caiac.projects.models import ProjectStatus
from incubation.models import Stage

SUMMARY = "summary"

# Detail tables: key in report["details"], sheet title, columns (key, header).
DETAILS: dict[str, tuple[Any, list[tuple[str, Any]]]] = {
    "members": (
        _("Members"),
        [
            ("organisation", _("Organisation")),
            ("kind", _("Kind")),
            ("sector", _("Sector")),
            ("member_since", _("Member since")),
            ("member_until", _("Member until")),
            ("at_start", _("Member at the start of the year")),
            ("at_end", _("Member at the end of the year")),
            ("joined", _("Joined during the year")),
            ("left", _("Left during the year")),
        ],
    ),
    "startups": (
        _("Start-ups accompanied"),
        [
            ("organisation", _("Organisation")),
            ("kind", _("Kind")),
            ("cohort", _("Cohort")),
            ("joined_at", _("Joined")),
            ("stage_at_end", _("Stage at the end of the year")),
        ],
    ),
    "training_sessions": (
        _("Training sessions"),
        [
            ("session_id", _("Session")),
            ("course", _("Course")),
            ("start", _("Start")),
            ("end", _("End")),
            ("hours", _("Hours")),
            ("present", _("Participants present")),
            ("participant_hours", _("Participant-hours")),
        ],
    ),
    "training_participants": (
        _("Training participants"),
        [
            ("session_id", _("Session")),
            ("course", _("Course")),
            ("start", _("Start")),
            ("person", _("Participant")),
            ("gender", _("Gender")),
            ("hours", _("Hours")),
        ],
    ),
    "lab_bookings": (
        _("Lab bookings"),
        [
            ("booking_id", _("Booking")),
            ("machine", _("Machine")),
            ("organisation", _("Organisation")),
            ("start", _("Start")),
            ("end", _("End")),
            ("status", _("Status")),
            ("hours", _("Hours booked")),
            ("used", _("Used")),
            ("revenue_mad", _("Revenue (MAD)")),
            ("project", _("R&D project")),
        ],
    ),
    "jobs": (
        _("Jobs created"),
        [
            ("organisation", _("Organisation")),
            ("cohort", _("Cohort")),
            ("period", _("Quarter")),
            ("jobs_women", _("Jobs created (women)")),
            ("jobs_men", _("Jobs created (men)")),
        ],
    ),
    "projects": (
        _("R&D projects"),
        [
            ("title", _("Project")),
            ("lead", _("Lead organisation")),
            ("theme", _("Theme")),
            ("starts_on", _("Starts on")),
            ("ends_on", _("Ends on")),
            ("status_at_end", _("Status at the end of the year")),
            ("partners", _("Partners")),
            ("budget_mad", _("Budget (MAD)")),
        ],
    ),
    "project_partners": (
        _("Project partners"),
        [
            ("project", _("Project")),
            ("organisation", _("Organisation")),
            ("kind", _("Kind")),
            ("cluster_member", _("Cluster member")),
            ("role", _("Role")),
        ],
    ),
    "project_funding": (
        _("Funds mobilised"),
        [
            ("project", _("Project")),
            ("source", _("Funding source")),
            ("source_kind", _("Kind of source")),
            ("year", _("Year")),
            ("committed_mad", _("Committed (MAD)")),
            ("received_mad", _("Received (MAD)")),
        ],
    ),
}
TABLES = (SUMMARY, *DETAILS)


def _choice_label(key: str, value: Any) -> Any:
    from caiac.projects.models import FundingSourceKind, PartnerRole, ProjectStatus

    choices = {
        "kind": OrganisationKind,
        "sector": Sector,
        "theme": Sector,
        "stage_at_end": Stage,
        "gender": Gender,
        "status_at_end": ProjectStatus,
        "role": PartnerRole,
        "source_kind": FundingSourceKind,
    }.get(key)
    if choices is not None:
        return choices(value).label if value in choices.values else value
    if key == "status":
        from booking.models import BookingStatus

        return BookingStatus(value).label if value in BookingStatus.values else value
    return value


def _cell(key: str, value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return _choice_label(key, value)


def detail_table(report: dict[str, Any], name: str) -> Table:
    title, columns = DETAILS[name]
    return Table(
        title=title,
        headers=[header for _key, header in columns],
        rows=[[_cell(k, row[k]) for k, _h in columns] for row in report["details"][name]],
    )


def summary_rows(report: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """(figure, value, detail sheet) for every figure of the report, breakdowns included."""
    f = report["figures"]
    sheet = {name: title for name, (title, _columns) in DETAILS.items()}
    rows: list[tuple[Any, Any, Any]] = []
    member_groups = [
        ("at_start", _("Members at the start of the year")),
        ("at_end", _("Members at the end of the year")),
        ("joined", _("Members who joined")),
        ("left", _("Members who left")),
    ]
    for group, label in member_groups:
        rows.append((label, f["members"][group]["total"], sheet["members"]))
        for kind, n in f["members"][group]["by_kind"].items():
            rows.append((f"{label} — {OrganisationKind(kind).label}", n, sheet["members"]))
        for sector, n in f["members"][group]["by_sector"].items():
            rows.append((f"{label} — {Sector(sector).label}", n, sheet["members"]))
    rows.append((_("Start-ups accompanied"), f["startups"]["accompanied"], sheet["startups"]))
    for stage, n in f["startups"]["by_stage"].items():
        rows.append((f"{_('Start-ups accompanied')} — {Stage(stage).label}", n, sheet["startups"]))
    t = f["trainings"]
    rows += [
        (_("Training sessions"), t["sessions"], sheet["training_sessions"]),
        (_("Participants"), t["participants"], sheet["training_participants"]),
        (_("Participants (women)"), t["participants_women"], sheet["training_participants"]),
        (_("Participants (men)"), t["participants_men"], sheet["training_participants"]),
        (
            _("Participants (gender not stated)"),
            t["participants_not_stated"],
            sheet["training_participants"],
        ),
        (_("Participant-hours"), t["participant_hours"], sheet["training_participants"]),
        (_("Lab hours booked"), f["lab"]["hours_booked"], sheet["lab_bookings"]),
        (_("Lab hours used"), f["lab"]["hours_used"], sheet["lab_bookings"]),
        (_("Lab revenue (MAD)"), f["lab"]["revenue_mad"], sheet["lab_bookings"]),
        (
            _("Lab hours booked for R&D projects"),
            f["lab"]["hours_booked_for_projects"],
            sheet["lab_bookings"],
        ),
        (_("Jobs created by incubatees (women)"), f["jobs"]["women"], sheet["jobs"]),
        (_("Jobs created by incubatees (men)"), f["jobs"]["men"], sheet["jobs"]),
        (_("Jobs created by incubatees (total)"), f["jobs"]["total"], sheet["jobs"]),
    ]
    p = f["projects"]
    rows.append((_("R&D projects"), p["count"], sheet["projects"]))
    for status, n in p["by_status"].items():
        rows.append((f"{_('R&D projects')} — {ProjectStatus(status).label}", n, sheet["projects"]))
    rows += [
        (_("Partners involved"), p["partners_involved"], sheet["project_partners"]),
        (
            _("Partners involved (cluster members)"),
            p["partners_cluster_members"],
            sheet["project_partners"],
        ),
        (_("Partners involved (others)"), p["partners_others"], sheet["project_partners"]),
        (_("Budget of the projects (MAD)"), p["budget_mad"], sheet["projects"]),
        (_("Funds committed (MAD)"), p["funding_committed_mad"], sheet["project_funding"]),
        (_("Funds received (MAD)"), p["funding_received_mad"], sheet["project_funding"]),
    ]
    for source in p["funding_by_source"]:
        rows.append(
            (
                f"{_('Funds committed (MAD)')} — {source['source']}",
                source["committed_mad"],
                sheet["project_funding"],
            )
        )
        rows.append(
            (
                f"{_('Funds received (MAD)')} — {source['source']}",
                source["received_mad"],
                sheet["project_funding"],
            )
        )
    return rows


def summary_table(report: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [
        [_("Report"), report["title"], ""],
        [_("From"), report["start"], ""],
        [_("To"), report["end"], ""],
    ]
    rows += [[label, _cell("", value), where] for label, value, where in summary_rows(report)]
    return Table(
        title=_("Summary"), headers=[_("Figure"), _("Value"), _("Detail sheet")], rows=rows
    )


def report_csv(report: dict[str, Any], table: str = SUMMARY) -> bytes:
    return csv_bytes(summary_table(report) if table == SUMMARY else detail_table(report, table))


def report_xlsx(report: dict[str, Any]) -> bytes:
    tables = [summary_table(report), *(detail_table(report, name) for name in DETAILS)]
    return xlsx_bytes(tables, title=report["title"])
