"""The cluster's year, R&D projects part: projects by status, partners involved, budget, funds
mobilised by source (committed and received), and the lab hours booked for projects.

Definitions (docs/incubation.md, "The cluster's year"):
- projects of the year: ``caiac.projects.selectors.projects_active_in_year`` (run touching the
  year, or undated with a status change in it, or funding recorded for it), by their status at
  the end of the year (status history; the current status when no change is recorded).
- partners involved: the distinct organisations taking part in those projects (leads included),
  split into cluster members and others.
- budget: the sum of those projects' budgets.
- funds mobilised: the funding rows recorded for the year, per source: committed and received.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)


def projects_part(*, year: int, end: datetime.datetime) -> tuple[dict, dict[str, list[dict]]]:
    from caiac.projects.models import ProjectPartner, ProjectStatus, ProjectStatusChange
    from caiac.projects.selectors import funding_rows, projects_active_in_year

    projects = list(projects_active_in_year(year).select_related("lead").order_by("title", "pk"))
    ids = [p.pk for p in projects]
    status_at_end: dict[int, str] = {}
    for change in ProjectStatusChange.objects.filter(
        project_id__in=ids, changed_at__lt=end
    ).order_by("changed_at", "pk"):
        status_at_end[change.project_id] = change.to_status
    partners = list(
        ProjectPartner.objects.filter(project_id__in=ids)
        .select_related("organisation", "project")
        .order_by("project__title", "project_id", "pk")
    )
    project_rows = [
        {
            "project_id": p.pk,
            "title": p.title,
            "lead": p.lead.name,
            "theme": p.theme,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "status_at_end": status_at_end.get(p.pk, p.status),
            "partners": sum(1 for row in partners if row.project_id == p.pk),
            "budget_mad": p.budget_mad,
        }
        for p in projects
    ]
    partner_rows = [
        {
            "project_id": row.project_id,
            "project": row.project.title,
            "organisation": row.organisation.name,
            "kind": row.organisation.kind,
            "cluster_member": row.organisation.is_cluster_member,
            "role": row.role,
        }
        for row in partners
    ]
    funding = [
        {
            "funding_id": row.pk,
            "project": row.project.title,
            "source": row.source.name,
            "source_kind": row.source.kind,
            "year": row.year,
            "committed_mad": row.committed_mad,
            "received_mad": row.received_mad,
        }
        for row in funding_rows(year=year)
    ]
    by_status = Counter(row["status_at_end"] for row in project_rows)
    organisations = {row.organisation_id: row.organisation for row in partners}
    sources: dict[str, dict[str, Any]] = {}
    for row in funding:
        entry = sources.setdefault(
            row["source"],
            {
                "source": row["source"],
                "kind": row["source_kind"],
                "committed_mad": ZERO,
                "received_mad": ZERO,
            },
        )
        entry["committed_mad"] += row["committed_mad"]
        entry["received_mad"] += row["received_mad"]
    figures = {
        "count": len(project_rows),
        "by_status": {status: by_status.get(status, 0) for status in ProjectStatus.values},
        "partners_involved": len(organisations),
        "partners_cluster_members": sum(1 for o in organisations.values() if o.is_cluster_member),
        "partners_others": sum(1 for o in organisations.values() if not o.is_cluster_member),
        "budget_mad": sum((row["budget_mad"] for row in project_rows), ZERO),
        "funding_by_source": sorted(sources.values(), key=lambda s: s["source"]),
        "funding_committed_mad": sum((row["committed_mad"] for row in funding), ZERO),
        "funding_received_mad": sum((row["received_mad"] for row in funding), ZERO),
    }
    return figures, {
        "projects": project_rows,
        "project_partners": partner_rows,
        "project_funding": funding,
    }
