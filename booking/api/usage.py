from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import reports, selectors
from booking.api import serializers as s
from booking.api.views import parse_range
from caiac.exports import XLSX_CONTENT_TYPE, csv_response, xlsx_response
from caiac.permissions import IsClusterStaff

MAX_USAGE_DAYS = 400


class CSVRenderer(renderers.BaseRenderer):
    """Negotiates ``format=csv``; the view answers the file itself (caiac.exports)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "code" in data:  # an error body
            return f"{data.get('code')},{data.get('detail')}\r\n".encode()
        return data


class XLSXRenderer(CSVRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None


class UsageView(APIView):
    """Staff: hours booked and used, no-shows and utilisation against opening hours, per
    machine and per organisation over [start, end). JSON; or `usage.csv` (one table per file:
    `?table=equipment` (default) or `organisations`, UTF-8 with a byte-order mark, headers in the
    request's language); or `usage.xlsx` (one sheet per table)."""

    permission_classes = [IsClusterStaff]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, XLSXRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter(
                "table", str, enum=list(reports.TABLES), description="CSV only: which table"
            ),
        ],
        responses={
            200: s.UsageSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="one table"),
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request, format=None):
        start, end = parse_range(request.query_params, max_days=MAX_USAGE_DAYS)
        report = selectors.usage_report(start=start, end=end)
        fmt = request.accepted_renderer.format
        if fmt == "csv":
            table = request.query_params.get("table") or reports.EQUIPMENT
            if table not in reports.TABLES:
                raise ValidationError({"table": [str(_("Not a valid choice."))]})
            return csv_response(reports.usage_tables(report)[table], f"usage-{table}.csv")
        if fmt == "xlsx":
            return xlsx_response(list(reports.usage_tables(report).values()), "usage.xlsx")
        return Response(s.UsageSerializer({"start": start, "end": end, **report}).data)
