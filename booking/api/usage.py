import csv
import io

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
        if "equipment" not in data:  # an error body
            writer.writerow(["code", "detail"])
            writer.writerow([data.get("code"), data.get("detail")])
            return out.getvalue()
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


class UsageView(APIView):
    """Staff: hours booked and used, no-shows and utilisation against opening hours, per
    machine and per organisation over [start, end). JSON, or CSV (`usage.csv`, `?format=csv`)."""

    permission_classes = [IsClusterStaff]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
        ],
        responses={200: s.UsageSerializer},
    )
    def get(self, request, format=None):
        start, end = parse_range(request.query_params, max_days=MAX_USAGE_DAYS)
        report = selectors.usage_report(start=start, end=end)
        data = s.UsageSerializer({"start": start, "end": end, **report}).data
        response = Response(data)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'attachment; filename="usage.csv"'
        return response
