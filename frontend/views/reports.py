"""The cluster's year (staff): the figures funders ask for, each with the rows it was computed
from. The same report as ``GET /api/v1/reports/cluster/`` and its CSV / XLSX downloads."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access, formatting
from incubation.reports import cluster, cluster_export

FIRST_YEAR = 2020


def _shown(value: Any) -> str:
    """A detail cell as text in the page's language (the spreadsheet gets typed cells)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return formatting.when(value)
    if isinstance(value, datetime.date):
        return formatting.day(value)
    if isinstance(value, int | Decimal):
        return formatting.number(value)
    return str(value)


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this_year = timezone.localdate().year
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= this_year + 1:
        return int(raw)
    return this_year


@login_required
def cluster_year(request):
    access.require_staff(request.user)
    year = _year(request)
    report = cluster.cluster_report(year=year)
    details = []
    for name in cluster_export.DETAILS:
        table = cluster_export.detail_table(report, name)
        details.append(
            {
                "name": name,
                "title": table.title,
                "headers": table.headers,
                # (header, value) pairs: on a phone each cell shows its column's name.
                "rows": [
                    [(h, _shown(v)) for h, v in zip(table.headers, row, strict=True)]
                    for row in table.rows
                ],
                "csv": reverse("api:reports-cluster-csv") + f"?year={year}&table={name}",
            }
        )
    return render(
        request,
        "frontend/staff/cluster_year.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)),
            "report": report,
            "summary": cluster_export.summary_rows(report),
            "details": details,
            "api": reverse("api:reports-cluster") + f"?year={year}",
            "csv": reverse("api:reports-cluster-csv") + f"?year={year}",
            "xlsx": reverse("api:reports-cluster-xlsx") + f"?year={year}",
        },
    )


urlpatterns = [
    path("staff/reports/cluster/", cluster_year, name="staff-cluster-year"),
]
