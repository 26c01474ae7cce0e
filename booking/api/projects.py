"""An R&D project's lab use: its bookings, hours and cost (booking reads projects, never the
other way round)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors
from booking.models import BookingStatus
from caiac.projects.selectors import project_get_for_user
from caiac.serializers import WallClockDateTimeField

MONEY = {"max_digits": 14, "decimal_places": 2}


class ProjectBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    equipment = serializers.IntegerField(source="equipment_id")
    equipment_name = serializers.CharField(source="equipment.name")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    price = serializers.DecimalField(**MONEY)


class ProjectLabUseSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    bookings = serializers.IntegerField()
    hours_booked = serializers.DecimalField(**MONEY)
    hours_used = serializers.DecimalField(**MONEY, help_text="completed (checked-in) bookings")
    cost_mad = serializers.DecimalField(**MONEY, help_text="the bookings' prices")
    rows = ProjectBookingSerializer(many=True)


class ProjectLabUseView(APIView):
    """The lab hours a project booked and used, and their cost (pending, confirmed, completed
    and no-show bookings that name it). The project's partners and staff; others 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: ProjectLabUseSerializer, 404: OpenApiResponse(description="Not found")}
    )
    def get(self, request, project_pk: int):
        project = project_get_for_user(user=request.user, project_id=project_pk)
        use = selectors.project_lab_use([project.pk])[project.pk]
        body = {
            "project": project.pk,
            "bookings": use.bookings,
            "hours_booked": use.hours_booked,
            "hours_used": use.hours_used,
            "cost_mad": use.cost_mad,
            "rows": list(selectors.project_bookings([project.pk])),
        }
        return Response(ProjectLabUseSerializer(body).data)
