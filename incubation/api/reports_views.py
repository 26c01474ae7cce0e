"""The cluster's year for its funders (cluster staff): JSON, CSV (one table per file), XLSX."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from caiac.errors import Invalid
from caiac.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from caiac.permissions import IsClusterStaff
from incubation.api.followup_views import _year
from incubation.reports import cluster, cluster_export

YEAR = OpenApiParameter("year", int, required=True, description="Calendar year, e.g. 2026")
TABLE = OpenApiParameter(
    "table",
    str,
    enum=list(cluster_export.TABLES),
    description="CSV only: which table (one per file); default summary",
)


_BY_KIND = {"startup": 1, "cooperative": 1, "company": 0, "research_lab": 0, "other": 0}
_BY_SECTOR = {"cosmetics": 1, "agrifood": 1, "both": 0}
_MEMBERS = {"total": 2, "by_kind": _BY_KIND, "by_sector": _BY_SECTOR}
EXAMPLE = OpenApiExample(
    "The cluster's year",
    description=(
        "Every figure of `figures` is computed from the rows of `details` named beside it "
        '(docs/incubation.md, "The cluster\'s year"). Amounts and hours are strings with two '
        "decimals; times ISO 8601 with the Casablanca offset."
    ),
    value={
        "title": "The cluster's year 2026",
        "year": 2026,
        "start": "2026-01-01",
        "end": "2026-12-31",
        "figures": {
            "members": {
                "at_start": _MEMBERS,
                "at_end": _MEMBERS,
                "joined": _MEMBERS,
                "left": _MEMBERS,
            },
            "startups": {
                "accompanied": 3,
                "by_stage": {
                    "pre_incubation": 0,
                    "incubation": 1,
                    "acceleration": 1,
                    "graduated": 0,
                    "exited": 1,
                },
            },
            "trainings": {
                "sessions": 3,
                "participants": 3,
                "participants_women": 1,
                "participants_men": 1,
                "participants_not_stated": 1,
                "presences": 5,
                "participant_hours": "12.00",
            },
            "lab": {
                "bookings": 3,
                "hours_booked": "6.50",
                "hours_used": "3.00",
                "revenue_mad": "450.00",
                "hours_booked_for_projects": "0.00",
            },
            "jobs": {"reports": 3, "women": 3, "men": 4, "total": 7},
            "projects": {
                "count": 2,
                "by_status": {
                    "idea": 0,
                    "submitted": 1,
                    "funded": 0,
                    "running": 1,
                    "closed": 0,
                    "rejected": 0,
                    "abandoned": 0,
                },
                "partners_involved": 4,
                "partners_cluster_members": 2,
                "partners_others": 2,
                "budget_mad": "890000.00",
                "funding_by_source": [
                    {
                        "source": "Région Souss Massa",
                        "kind": "region",
                        "committed_mad": "300000.00",
                        "received_mad": "120000.00",
                    }
                ],
                "funding_committed_mad": "300000.00",
                "funding_received_mad": "120000.00",
            },
        },
        "details": {
            "members": [
                {
                    "organisation_id": 4,
                    "organisation": "Tifawin Cosmetics",
                    "kind": "startup",
                    "sector": "cosmetics",
                    "member_since": "2026-06-15",
                    "member_until": None,
                    "at_start": False,
                    "at_end": True,
                    "joined": True,
                    "left": False,
                }
            ],
            "startups": [],
            "training_sessions": [],
            "training_participants": [],
            "lab_bookings": [
                {
                    "booking_id": 12,
                    "machine": "Émulsionneur sous vide",
                    "organisation": "Coopérative Amalou",
                    "start": "2026-04-02T09:00:00+01:00",
                    "end": "2026-04-02T12:00:00+01:00",
                    "status": "completed",
                    "hours": "3.00",
                    "used": True,
                    "revenue_mad": "450.00",
                }
            ],
            "jobs": [],
            "projects": [],
            "project_partners": [],
            "project_funding": [],
        },
    },
    response_only=True,
)


def _json(value: Any) -> Any:
    """Amounts and hours as strings with two decimals, times on the Casablanca wall clock with
    their offset, dates as ISO dates."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _table(request) -> str:
    table = request.query_params.get("table") or cluster_export.SUMMARY
    if table not in cluster_export.TABLES:
        raise Invalid(
            _("Choose one of the report's tables."),
            code="invalid",
            fields={"table": [str(_("Not a valid choice."))]},
        )
    return table


class ClusterReportView(APIView):
    """The cluster's year: members, start-ups accompanied, trainings, the lab, jobs created by
    incubatees, R&D projects and funds mobilised by source, each figure with the rows it was
    computed from (``details``)."""

    permission_classes = [IsClusterStaff]
    fmt = "json"

    def _report(self, request) -> dict[str, Any]:
        return cluster.cluster_report(year=_year(request, required=True))

    @extend_schema(parameters=[YEAR], responses={200: OpenApiTypes.OBJECT}, examples=[EXAMPLE])
    def get(self, request):
        return Response(_json(self._report(request)))


class ClusterReportCsvView(ClusterReportView):
    """One table of the cluster's year as CSV (``?table=``: summary or a detail table)."""

    @extend_schema(parameters=[YEAR, TABLE], responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        table = _table(request)
        report = self._report(request)
        suffix = "" if table == cluster_export.SUMMARY else f"-{table.replace('_', '-')}"
        response = HttpResponse(
            cluster_export.report_csv(report, table), content_type=CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="cluster-{report["year"]}{suffix}.csv"'
        )
        return response


class ClusterReportXlsxView(ClusterReportView):
    """The cluster's year as a workbook: a summary sheet and one detail sheet per figure."""

    @extend_schema(parameters=[YEAR], responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        report = self._report(request)
        response = HttpResponse(cluster_export.report_xlsx(report), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="cluster-{report["year"]}.xlsx"'
        return response
