"""Cohorts, incubatees and stages, milestones, mentoring, KPI reports and the funder report."""

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from caiac import access, files
from caiac.errors import Invalid
from caiac.exports import CSV_CONTENT_TYPE
from caiac.openapi import DOCUMENT_DOWNLOAD
from caiac.parsers import JSONParser, MultiPartParser
from caiac.permissions import IsClusterStaff, IsClusterStaffOrReadOnly
from incubation import reports, selectors, services
from incubation.api import serializers as s
from incubation.api.filters import IncubateeFilter, MilestoneFilter
from incubation.api.views import ERRORS, _validated
from incubation.models import Cohort, Incubatee, KpiReport, MentoringSession, Milestone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = OpenApiParameter("year", int, description="Calendar year (default: the cohort's run)")
REQUIRED_YEAR = OpenApiParameter("year", int, required=True)


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _year(request, required: bool = False) -> int | None:
    raw = request.query_params.get("year")
    if not raw:
        if required:
            raise Invalid(
                _("Give the year."), code="invalid", fields={"year": [str(_("Required."))]}
            )
        return None
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise Invalid(
            _("Give a year such as 2026."),
            code="invalid",
            fields={"year": [str(_("Not a valid year."))]},
        )
    return int(raw)


TABLE = OpenApiParameter(
    "table",
    str,
    enum=list(reports.TABLES),
    description="CSV only: which table (one per file): summary (default) or incubatees",
)


def _table(request) -> str:
    table = request.query_params.get("table") or reports.SUMMARY
    if table not in reports.TABLES:
        raise Invalid(
            _("Choose the table: summary or incubatees."),
            code="invalid",
            fields={"table": [str(_("Not a valid choice."))]},
        )
    return table


def _file(request, report: dict, fmt: str, name: str) -> HttpResponse:
    """CSV: one table per file (``?table=``); XLSX: one sheet per table (caiac.exports)."""
    if fmt == "csv":
        table = _table(request)
        body = reports.report_csv(report, table)
        suffix = "" if table == reports.SUMMARY else f"-{table}"
        response = HttpResponse(body, content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
        return response
    response = HttpResponse(reports.report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


class CohortViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cohorts (members see those they belong to). Writes and reports: cluster staff."""

    queryset = Cohort.objects.none()
    serializer_class = s.CohortSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["programme", "year"]

    def get_queryset(self):
        return selectors.cohorts_visible_to(self.request.user).order_by("-year", "name")

    def filter_queryset(self, queryset):
        # ``?year=`` of a report picks the period, it does not filter the cohort out.
        if self.action in ("report", "report_csv", "report_xlsx"):
            return queryset
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        serializer.instance = services.cohort_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.cohort_update(
            by=self.request.user, cohort=serializer.instance, **serializer.validated_data
        )

    def _report(self, request) -> dict:
        access.require_staff(request.user)
        return reports.cohort_report(cohort=self.get_object(), year=_year(request))

    @extend_schema(parameters=[YEAR], responses={200: OpenApiTypes.OBJECT, 403: ERRORS[403]})
    @action(detail=True, methods=["get"], permission_classes=[IsClusterStaff])
    def report(self, request, pk=None):
        """Dashboard figures: incubatees, lab and training hours, mentoring, KPI totals."""
        return Response(_json(self._report(request)))

    @extend_schema(parameters=[YEAR, TABLE], responses={(200, "text/csv"): OpenApiTypes.STR})
    def report_csv(self, request, pk=None):
        return _file(request, self._report(request), "csv", f"cohort-{pk}-report")

    @extend_schema(parameters=[YEAR], responses={(200, XLSX): OpenApiTypes.BINARY})
    def report_xlsx(self, request, pk=None):
        return _file(request, self._report(request), "xlsx", f"cohort-{pk}-report")


class FunderReportView(APIView):
    """The year's figures over every cohort that ran in it (cluster staff)."""

    permission_classes = [IsClusterStaff]
    fmt = "json"

    @extend_schema(parameters=[REQUIRED_YEAR], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        report = reports.funder_report(year=_year(request, required=True))
        if self.fmt == "json":
            return Response(_json(report))
        return _file(request, report, self.fmt, f"funder-report-{report['year']}")


class FunderReportCsvView(FunderReportView):
    """The funder report as CSV."""

    fmt = "csv"

    @extend_schema(parameters=[REQUIRED_YEAR], responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        return super().get(request)


class FunderReportXlsxView(FunderReportView):
    """The funder report as an Excel workbook."""

    fmt = "xlsx"

    @extend_schema(parameters=[REQUIRED_YEAR], responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        return super().get(request)


class IncubateeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations in a cohort, their stage and history. Members see their own."""

    queryset = Incubatee.objects.none()
    serializer_class = s.IncubateeSerializer
    filterset_class = IncubateeFilter
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]

    def get_queryset(self):
        queryset = selectors.incubatees_visible_to(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related("stage_changes__changed_by")
        return queryset.order_by("cohort_id", "organisation__name")

    def get_serializer_class(self):
        return s.IncubateeDetailSerializer if self.action != "list" else s.IncubateeSerializer

    def list(self, request, *args, **kwargs):
        # Plain rows (names and lab-hour balances from the same query), written as
        # IncubateeSerializer documents them.
        incubatees = self.filter_queryset(self.get_queryset())
        rows = selectors.incubatee_rows(incubatees)
        # Counted without the names and balances a page joins.
        page = self.paginator.paginate_queryset(rows, request, view=self, counted=incubatees)
        if page is None:
            return Response(s.incubatee_list_data(rows))
        return self.get_paginated_response(s.incubatee_list_data(page))

    def _out(self, incubatee, code=status.HTTP_200_OK):
        incubatee = self.get_queryset().get(pk=incubatee.pk)
        return Response(
            s.IncubateeDetailSerializer(incubatee, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(
        request=s.IncubateeCreateSerializer,
        responses={201: s.IncubateeDetailSerializer, **ERRORS},
    )
    def create(self, request):
        data = _validated(s.IncubateeCreateSerializer, request)
        return self._out(
            services.incubatee_create(by=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.StageMoveSerializer, responses={200: s.IncubateeDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """Move forward (or exit), with a reason; 400 ``invalid_stage_transition`` otherwise."""
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.StageMoveSerializer, request)
        incubatee = services.incubatee_move_stage(by=request.user, incubatee=obj, **data)
        return self._out(incubatee)


class MilestoneViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones; ``?overdue=1`` lists the late ones. Members report status and evidence."""

    queryset = Milestone.objects.none()
    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date"]
    parser_classes = [JSONParser, MultiPartParser]  # evidence_file is an upload

    def get_queryset(self):
        queryset = selectors.milestones_visible_to(self.request.user).order_by("due_date", "id")
        if self.request.query_params.get("overdue") in ("1", "true"):
            queryset = selectors.overdue(queryset)
        return queryset

    @extend_schema(
        parameters=[OpenApiParameter("overdue", bool)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _out(self, milestone, code=status.HTTP_200_OK):
        return Response(
            s.MilestoneSerializer(milestone, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=s.MilestoneCreateSerializer, responses={201: s.MilestoneSerializer})
    def create(self, request):
        data = _validated(s.MilestoneCreateSerializer, request)
        return self._out(
            services.milestone_create(by=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(request=s.MilestoneUpdateSerializer, responses={200: s.MilestoneSerializer})
    def partial_update(self, request, pk=None):
        milestone = self.get_object()  # another organisation's: 404 whatever the body says
        data = _validated(s.MilestoneUpdateSerializer, request, partial=True)
        milestone = services.milestone_update(by=request.user, milestone=milestone, **data)
        return self._out(milestone)

    @extend_schema(request=s.MilestoneUpdateSerializer, responses={200: s.MilestoneSerializer})
    def update(self, request, pk=None):
        milestone = self.get_object()
        data = _validated(s.MilestoneUpdateSerializer, request)
        milestone = services.milestone_update(by=request.user, milestone=milestone, **data)
        return self._out(milestone)

    def perform_destroy(self, instance):
        services.milestone_delete(by=self.request.user, milestone=instance)

    @extend_schema(responses={**DOCUMENT_DOWNLOAD, 404: ERRORS[404]})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """The evidence file, as a download: the incubatee's organisation, its mentors, staff."""
        milestone = selectors.milestone_evidence_get_for_user(user=request.user, milestone_id=pk)
        return files.attachment(milestone.evidence_file)


class MentoringSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Mentoring log: who, when, how long, on what. Members read their own; staff write."""

    queryset = MentoringSession.objects.none()
    serializer_class = s.MentoringSessionSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["incubatee", "mentor"]

    def get_queryset(self):
        return selectors.mentoring_sessions_visible_to(self.request.user).order_by("-date", "-id")

    @extend_schema(
        request=s.MentoringSessionInputSerializer, responses={201: s.MentoringSessionSerializer}
    )
    def create(self, request):
        data = _validated(s.MentoringSessionInputSerializer, request)
        session = services.mentoring_session_create(by=request.user, **data)
        return Response(s.MentoringSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.MentoringSessionInputSerializer, responses={200: s.MentoringSessionSerializer}
    )
    def partial_update(self, request, pk=None):
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _validated(s.MentoringSessionInputSerializer, request, partial=True)
        data.pop("incubatee", None)
        session = services.mentoring_session_update(by=request.user, session=obj, **data)
        return Response(s.MentoringSessionSerializer(session).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


def _funding_split(data: dict) -> dict:
    """The serializer's ``funding_by_source`` (read from the report's lines) as the service's."""
    if "funding_lines" in data:
        data["funding_by_source"] = data.pop("funding_lines")
    return data


class KpiReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Quarterly KPIs: members submit their own once per quarter; staff amend with history."""

    queryset = KpiReport.objects.none()
    serializer_class = s.KpiReportSerializer
    filterset_fields = ["incubatee", "period"]

    def get_queryset(self):
        return selectors.kpi_reports_visible_to(self.request.user).order_by("incubatee", "period")

    @extend_schema(
        request=s.KpiReportCreateSerializer, responses={201: s.KpiReportSerializer, **ERRORS}
    )
    def create(self, request):
        """409 ``kpi_report_exists`` when the quarter is already reported."""
        data = _funding_split(_validated(s.KpiReportCreateSerializer, request))
        report = services.kpi_report_submit(by=request.user, **data)
        return Response(
            s.KpiReportSerializer(self.get_queryset().get(pk=report.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.KpiAmendSerializer, responses={200: s.KpiReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Staff correct figures with a reason; the previous values are kept."""
        obj = self.get_object()  # not yours: 404, whatever the body
        data = _funding_split(_validated(s.KpiAmendSerializer, request, partial=True))
        if "reason" not in data:
            data["reason"] = ""
        report = services.kpi_report_amend(by=request.user, report=obj, **data)
        return Response(s.KpiReportSerializer(self.get_queryset().get(pk=report.pk)).data)
