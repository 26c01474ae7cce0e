from rest_framework import serializers

from booking.models import (
    Booking,
    BookingEvent,
    BookingSeries,
    Closure,
    Equipment,
    FeedKind,
    FeedToken,
    LabCredit,
    OpeningHours,
)
from caiac.fields import WallClockDateTimeField


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


class EquipmentSerializer(serializers.ModelSerializer):
    required_course_title = serializers.CharField(
        source="required_course.title", read_only=True, default=None
    )
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


class EquipmentResultSerializer(EquipmentSerializer):
    cancelled_bookings = cancelled_bookings_field()

    class Meta(EquipmentSerializer.Meta):
        fields = [*EquipmentSerializer.Meta.fields, "cancelled_bookings"]


class OpeningHoursSerializer(serializers.ModelSerializer):
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


class ClosureSerializer(serializers.ModelSerializer):
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


class AvailabilitySerializer(serializers.Serializer):
    free = IntervalSerializer(many=True)


class BookingEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

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


class BookingSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    booked_by = serializers.CharField(source="booked_by.username", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="pending, confirmed, completed, no_show, cancelled or rejected",
    )

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
            "status_reason",
            "checked_in_at",
            "created_at",
        ]
        read_only_fields = fields


class BookingDetailSerializer(BookingSerializer):
    events = BookingEventSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "events"]
        read_only_fields = fields


class BookingInputSerializer(serializers.Serializer):
    equipment = serializers.PrimaryKeyRelatedField(queryset=Equipment.objects.all())
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    organisation = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class MoveSerializer(serializers.Serializer):
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SeriesInputSerializer(BookingInputSerializer):
    weekly_until = serializers.DateField()


class ClashSerializer(serializers.Serializer):
    date = serializers.DateField()
    code = serializers.CharField()
    detail = serializers.CharField()


class BookingSeriesSerializer(serializers.ModelSerializer):
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
    from_date = serializers.DateField(required=False, allow_null=True)


class SeriesCancelResultSerializer(serializers.Serializer):
    cancelled = serializers.ListField(child=serializers.DateField())
    kept = ClashSerializer(many=True)


class FeedTokenSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = FeedToken
        fields = ["id", "kind", "organisation", "equipment", "token", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, feed: FeedToken) -> str:
        request = self.context.get("request")
        path = f"/api/v1/calendar/{feed.token}.ics"
        return request.build_absolute_uri(path) if request else path


class FeedTokenInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="user, organisation or equipment")
    organisation = serializers.IntegerField(required=False, allow_null=True)
    equipment = serializers.PrimaryKeyRelatedField(
        queryset=Equipment.objects.all(), required=False, allow_null=True
    )

    def validate_kind(self, value: str) -> str:
        if value not in FeedKind.values:
            raise serializers.ValidationError(f"Choose one of: {', '.join(FeedKind.values)}.")
        return value


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


class LabCreditSerializer(serializers.ModelSerializer):
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
