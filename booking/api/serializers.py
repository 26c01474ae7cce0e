from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import (
    Booking,
    BookingEvent,
    BookingSeries,
    BookingStatus,
    Closure,
    Equipment,
    FeedKind,
    FeedToken,
    LabCredit,
    OpeningHours,
)
from caiac.serializers import (
    BoundedDateField,
    CompiledListSerializer,
    IdField,
    IntegerField,
    ModelSerializer,
    WallClockDateTimeField,
)


def dry_run_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text='true: write nothing, answer 200 {"affected_bookings": [...]} — the live '
        "bookings this change would cancel.",
    )


def cancellation_reason_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Told to the bookers whose bookings this change cancels.",
    )


def cancelled_bookings_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Ids of the live bookings this change cancelled.",
    )


class EquipmentSerializer(ModelSerializer):
    required_course_title = serializers.SerializerMethodField()
    dry_run = dry_run_field()
    reason = cancellation_reason_field()

    class Meta:
        model = Equipment
        fields = [
            "id",
            "name",
            "category",
            "line",
            "location",
            "description",
            "status",
            "requires_approval",
            "required_course",
            "required_course_title",
            "slot_minutes",
            "min_duration_minutes",
            "max_duration_minutes",
            "buffer_minutes",
            "lead_time_minutes",
            "horizon_days",
            "hourly_rate_member",
            "hourly_rate_non_member",
            "cancellation_deadline_hours",
            "dry_run",
            "reason",
        ]
        read_only_fields = ["id"]
        # The database's checks, mirrored (a 400 on the field, not an IntegrityError), and
        # bounds that keep date arithmetic (horizon, lead time) far from overflowing.
        extra_kwargs = {
            "slot_minutes": {"min_value": 1, "max_value": 24 * 60},
            "min_duration_minutes": {"min_value": 1, "max_value": 31 * 24 * 60},
            "max_duration_minutes": {"min_value": 1, "max_value": 31 * 24 * 60},
            "buffer_minutes": {"max_value": 7 * 24 * 60},
            "lead_time_minutes": {"max_value": 366 * 24 * 60},
            "horizon_days": {"max_value": 10 * 366},
            "cancellation_deadline_hours": {"max_value": 366 * 24},
            "hourly_rate_member": {"min_value": 0},
            "hourly_rate_non_member": {"min_value": 0},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_required_course_title(self, equipment: Equipment) -> str | None:
        # A method, not source="required_course.title": on a PATCH (partial) DRF would drop
        # the field from the response when there is no course, instead of answering null.
        return equipment.required_course.title if equipment.required_course_id else None


class EquipmentResultSerializer(EquipmentSerializer):
    cancelled_bookings = cancelled_bookings_field()

    class Meta(EquipmentSerializer.Meta):
        fields = [*EquipmentSerializer.Meta.fields, "cancelled_bookings"]


class OpeningHoursSerializer(ModelSerializer):
    dry_run = dry_run_field()
    reason = cancellation_reason_field()

    class Meta:
        model = OpeningHours
        fields = [
            "id",
            "equipment",
            "weekday",
            "opens_at",
            "closes_at",
            "valid_from",
            "valid_until",
            "label",
            "dry_run",
            "reason",
        ]
        read_only_fields = ["id"]


class OpeningHoursResultSerializer(OpeningHoursSerializer):
    cancelled_bookings = cancelled_bookings_field()

    class Meta(OpeningHoursSerializer.Meta):
        fields = [*OpeningHoursSerializer.Meta.fields, "cancelled_bookings"]


class ClosureSerializer(ModelSerializer):
    dry_run = dry_run_field()

    class Meta:
        model = Closure
        fields = ["id", "equipment", "start", "end", "reason", "dry_run"]
        read_only_fields = ["id"]


class ClosureResultSerializer(ClosureSerializer):
    cancelled_bookings = cancelled_bookings_field()

    class Meta(ClosureSerializer.Meta):
        fields = [*ClosureSerializer.Meta.fields, "cancelled_bookings"]


class AvailabilityQuerySerializer(serializers.Serializer):
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


BUSY_KINDS = [("booking", "booking"), ("training", "training"), ("closure", "closure")]


class BusySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="Until the machine is free again (buffer included).")
    kind = serializers.ChoiceField(
        choices=BUSY_KINDS,
        help_text="A member booking, a training session or a closure.",
    )
    label = serializers.CharField(
        help_text="Who or what: an organisation (yours, or for staff), 'Booked', 'Training', or "
        "the closure's reason; in the request's language."
    )
    title = serializers.CharField(help_text="A training's course, else empty.")


class AvailabilitySerializer(serializers.Serializer):
    free = IntervalSerializer(many=True)
    busy = BusySerializer(many=True)


class BookingEventSerializer(ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", default=None, read_only=True, allow_null=True
    )
    from_status = serializers.ChoiceField(
        choices=BookingStatus.choices, allow_blank=True, read_only=True
    )
    to_status = serializers.ChoiceField(choices=BookingStatus.choices, read_only=True)

    class Meta:
        model = BookingEvent
        fields = [
            "at",
            "actor",
            "from_status",
            "to_status",
            "reason",
            "moved_from_start",
            "moved_from_end",
        ]


class BookingSerializer(ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    booked_by = serializers.CharField(source="booked_by.username", read_only=True)
    status = serializers.ChoiceField(choices=BookingStatus.choices, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "organisation",
            "organisation_name",
            "booked_by",
            "series",
            "start",
            "end",
            "blocked_until",
            "status",
            "price",
            "hourly_rate",
            "member_rate",
            "credit_hours",
            "notes",
            "project",
            "status_reason",
            "checked_in_at",
            "created_at",
        ]
        read_only_fields = fields
        list_serializer_class = CompiledListSerializer
        fields_fixed = True  # the same fields for every request (CompiledListSerializer)


# The columns BookingSerializer reads, as the list's ``values()`` (the keys its compiled list
# serializer reads: tests/booking/test_compiled_serializers.py).
BOOKING_LIST_COLUMNS = (
    *(
        name
        for name in BookingSerializer.Meta.fields
        if "_name" not in name and name != "booked_by"
    ),
    "booked_by",
    "equipment__name",
    "organisation__name",
    "booked_by__username",
)


class BookingDetailSerializer(BookingSerializer):
    events = BookingEventSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "events"]
        read_only_fields = fields


class BookingInputSerializer(serializers.Serializer):
    equipment = IdField(queryset=Equipment.objects.all())
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    # An id, not a related field: another organisation's id is a 404 like an unknown one.
    organisation = IntegerField(min_value=1, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    project = IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="An R&D project the organisation takes part in (400 project_not_partner).",
    )


class MoveSerializer(serializers.Serializer):
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SeriesInputSerializer(BookingInputSerializer):
    weekly_until = BoundedDateField()


class ClashSerializer(serializers.Serializer):
    date = serializers.DateField()
    code = serializers.CharField()
    detail = serializers.CharField()


class BookingSeriesSerializer(ModelSerializer):
    bookings = BookingSerializer(many=True, read_only=True)

    class Meta:
        model = BookingSeries
        fields = [
            "id",
            "equipment",
            "organisation",
            "start",
            "end",
            "weekly_until",
            "notes",
            "created_at",
            "bookings",
        ]
        read_only_fields = fields


class SeriesResultSerializer(serializers.Serializer):
    series = BookingSeriesSerializer()
    booked = serializers.ListField(child=serializers.DateField())
    clashes = ClashSerializer(many=True)


class SeriesCancelInputSerializer(serializers.Serializer):
    from_date = BoundedDateField(required=False, allow_null=True)


class SeriesCancelResultSerializer(serializers.Serializer):
    cancelled = serializers.ListField(child=serializers.DateField())
    kept = ClashSerializer(many=True)


class FeedTokenSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=FeedKind.choices, read_only=True)

    class Meta:
        model = FeedToken
        fields = ["id", "kind", "organisation", "equipment", "token", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, feed: FeedToken) -> str:
        request = self.context.get("request")
        path = f"/api/v1/calendar/{feed.token}.ics"
        return request.build_absolute_uri(path) if request else path


class FeedTokenInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeedKind.choices)
    # An id, not a related field: another organisation's id is a 404 like an unknown one.
    organisation = IntegerField(min_value=1, required=False, allow_null=True)
    equipment = IdField(queryset=Equipment.objects.all(), required=False, allow_null=True)


class UsageRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    hours_booked = serializers.DecimalField(max_digits=12, decimal_places=2)
    hours_used = serializers.DecimalField(max_digits=12, decimal_places=2)
    no_shows = serializers.IntegerField()
    opening_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    utilisation = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)


class UsageSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    equipment = UsageRowSerializer(many=True)
    organisations = UsageRowSerializer(many=True)


class AffectedBookingsSerializer(serializers.Serializer):
    affected_bookings = BookingSerializer(many=True)


class LabCreditSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    hours_left = serializers.SerializerMethodField()

    class Meta:
        model = LabCredit
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "period_start",
            "period_end",
            "hours",
            "hours_left",
            "source",
        ]
        read_only_fields = fields

    def get_hours_left(self, credit: LabCredit) -> str:
        spent = self.context.get("spent", {}).get(credit.pk, 0)
        return f"{credit.hours - spent:.2f}"
