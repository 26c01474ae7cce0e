from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caiac.accounts.models import User
from caiac.serializers import IdField, IntegerField, ModelSerializer, WallClockDateTimeField
from trainings.ics import machine_name
from trainings.models import (
    Certification,
    CertificationEvent,
    Course,
    Enrolment,
    EnrolmentStatus,
    Level,
    Session,
    SessionStatus,
)
from trainings.selectors import certified_machine_names, seats_left, waitlist_position

# --- courses -----------------------------------------------------------------------------


class CourseSerializer(ModelSerializer):
    title = serializers.CharField(source="local_title", read_only=True)
    description = serializers.CharField(source="local_description", read_only=True)
    source_title = serializers.CharField(source="title", read_only=True)
    is_free = serializers.BooleanField(read_only=True)
    prerequisite_title = serializers.SerializerMethodField()
    certified_equipment = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "description",
            "source_title",
            "translations",
            "duration_hours",
            "level",
            "price",
            "is_free",
            "prerequisite",
            "prerequisite_title",
            "validity_months",
            "is_active",
            "certified_equipment",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_prerequisite_title(self, course: Course) -> str | None:
        return course.prerequisite.local_title if course.prerequisite_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_certified_equipment(self, course: Course) -> list[str]:
        return certified_machine_names(course)


class CourseInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    translations = serializers.JSONField(
        required=False,
        help_text='{"fr": {"title": "...", "description": "..."}, "ar": {...}, "en": {...}}',
    )
    duration_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, required=False)
    prerequisite = IdField(queryset=Course.objects.all(), allow_null=True, required=False)
    validity_months = IntegerField(min_value=1, max_value=1200, allow_null=True, required=False)
    is_active = serializers.BooleanField(required=False)


# --- sessions ----------------------------------------------------------------------------


class MyEnrolmentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    position = serializers.IntegerField(allow_null=True)


class SessionSerializer(ModelSerializer):
    course_title = serializers.CharField(source="course.local_title", read_only=True)
    trainer_name = serializers.CharField(source="trainer.display_name", read_only=True)
    seats_left = serializers.SerializerMethodField()
    enrolled_count = serializers.SerializerMethodField()
    waitlist_length = serializers.SerializerMethodField()
    my_enrolment = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=SessionStatus.choices, read_only=True)
    equipment = serializers.SerializerMethodField(
        help_text="The machine the session holds for its time (null: none)."
    )
    equipment_name = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "course_title",
            "trainer",
            "trainer_name",
            "place",
            "start",
            "end",
            "capacity",
            "seats_left",
            "enrolled_count",
            "waitlist_length",
            "language",
            "status",
            "enrolment_deadline",
            "equipment",
            "equipment_name",
            "project",
            "my_enrolment",
        ]
        read_only_fields = ["project"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_equipment(self, session: Session) -> int | None:
        hold = getattr(session, "machine_hold", None)
        return hold.equipment_id if hold is not None else None

    def get_equipment_name(self, session: Session) -> str:
        return machine_name(session)

    def get_seats_left(self, session: Session) -> int:
        return seats_left(session)

    def get_enrolled_count(self, session: Session) -> int:
        return session.capacity - seats_left(session)

    def get_waitlist_length(self, session: Session) -> int:
        count = getattr(session, "waitlist_count", None)
        if count is None:
            count = session.enrolments.filter(status=EnrolmentStatus.WAITLISTED).count()
        return count

    @extend_schema_field(MyEnrolmentStatusSerializer(allow_null=True))
    def get_my_enrolment(self, session: Session) -> dict | None:
        """The caller's own status and waiting position in this session (null if none)."""
        return self.context.get("mine", {}).get(session.pk)


class SessionInputSerializer(serializers.Serializer):
    course = IdField(queryset=Course.objects.all())
    trainer = IdField(queryset=User.objects.filter(is_active=True), required=False)
    place = serializers.CharField(max_length=200)
    start = WallClockDateTimeField()
    end = WallClockDateTimeField()
    capacity = IntegerField(min_value=1, max_value=10_000)
    language = serializers.ChoiceField(
        choices=Session._meta.get_field("language").choices, required=False
    )
    enrolment_deadline = WallClockDateTimeField(required=False, allow_null=True)
    equipment = IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,  # an id (the machine is booking's: no queryset from here)
        help_text=(
            "A machine (id) the session holds for its time, like a booking; null: none. Refused "
            "with 409 slot_unavailable over live bookings."
        ),
    )
    project = IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text=(
            "The R&D project (id) the session is for: staff any open project, a trainer one "
            "their organisation takes part in (400 project_not_partner)."
        ),
    )


class SessionUpdateSerializer(SessionInputSerializer):
    course = None

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


# --- enrolment ---------------------------------------------------------------------------


class EnrolInputSerializer(serializers.Serializer):
    user = IdField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Staff only: enrol or cancel for someone else.",
    )


class EnrolResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    position = serializers.IntegerField(allow_null=True)


class EnrolmentSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    position = serializers.IntegerField(allow_null=True, default=None)

    class Meta:
        model = Enrolment
        fields = ["id", "user", "username", "name", "email", "status", "position", "queued_at",
                  "present"]  # fmt: skip


class SessionEnrolmentsSerializer(serializers.Serializer):
    enrolled = EnrolmentSerializer(many=True)
    waitlisted = EnrolmentSerializer(many=True)


class AttendanceMarkSerializer(serializers.Serializer):
    user = IntegerField(min_value=1)
    present = serializers.BooleanField()


class AttendanceResultSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    present = serializers.BooleanField(allow_null=True)


# --- certifications ----------------------------------------------------------------------


class CertificationEventSerializer(ModelSerializer):
    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = CertificationEvent
        fields = ["kind", "by", "at", "reason"]


class CertificationSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    course_title = serializers.CharField(source="course.local_title", read_only=True)
    is_valid = serializers.SerializerMethodField()
    events = CertificationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "user", "username", "course", "course_title", "issued_at", "expires_at",
                  "revoked_at", "is_valid", "session", "events"]  # fmt: skip

    def get_is_valid(self, certification: Certification) -> bool:
        now = timezone.now()
        return (
            certification.revoked_at is None
            and certification.issued_at <= now
            and (certification.expires_at is None or certification.expires_at > now)
        )


class CertificationGrantSerializer(serializers.Serializer):
    user = IdField(queryset=User.objects.filter(is_active=True))
    course = IdField(queryset=Course.objects.all())
    reason = serializers.CharField()
    issued_at = WallClockDateTimeField(required=False)
    expires_at = WallClockDateTimeField(required=False, allow_null=True)


class CertificationRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField()


class EnrolledSessionSerializer(ModelSerializer):
    course_title = serializers.CharField(source="course.local_title", read_only=True)
    trainer_name = serializers.CharField(source="trainer.display_name", read_only=True)
    status = serializers.ChoiceField(choices=SessionStatus.choices, read_only=True)

    class Meta:
        model = Session
        fields = ["id", "course", "course_title", "trainer", "trainer_name", "place", "start",
                  "end", "status"]  # fmt: skip


class MyEnrolmentSerializer(ModelSerializer):
    session = EnrolledSessionSerializer(read_only=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    position = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ["id", "user", "session", "status", "position", "queued_at", "present"]

    def get_position(self, enrolment: Enrolment) -> int | None:
        return waitlist_position(enrolment)
