import csv
import io

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors
from booking.api import serializers as s
from booking.api.views import parse_range
from caiac.permissions import IsClusterStaff

MAX_USAGE_DAYS = 400


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str | bytes):
            return data
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["kind", "id", "name", "hours_booked", "hours_used", "no_shows", "opening_hours",
             "utilisation"]
        )  # fmt: skip
        for kind in ("equipment", "organisations"):
            for row in data[kind]:
                writer.writerow(
                    [kind, row["id"], row["name"], row["hours_booked"], row["hours_used"],
                     row["no_shows"], row["opening_hours"] or "", row["utilisation"] or ""]
                )  # fmt: skip
        return out.getvalue()


RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
    OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
]


class UsageView(APIView):
    """Staff: hours booked and used, no-shows and utilisation against opening hours, per
    machine and per organisation over [start, end). The same figures as CSV: `usage.csv`."""

    permission_classes = [IsClusterStaff]

    @extend_schema(parameters=RANGE, responses={200: s.UsageSerializer})
    def get(self, request):
        return Response(_usage(request))


class UsageCsvView(APIView):
    """Staff: the usage figures as a CSV file (one row per machine, then per organisation)."""

    permission_classes = [IsClusterStaff]

    @extend_schema(parameters=RANGE, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        body = CSVRenderer().render(_usage(request))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="usage.csv"'
        return response


def _usage(request) -> dict:
    start, end = parse_range(request.query_params, max_days=MAX_USAGE_DAYS)
    report = selectors.usage_report(start=start, end=end)
    return s.UsageSerializer({"start": start, "end": end, **report}).data
