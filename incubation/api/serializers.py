from collections.abc import Iterable
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.projects.models import FundingSource
from caiac.serializers import (
    IdField,
    IntegerField,
    ModelSerializer,
    datetime_text,
)
from incubation import selectors
from incubation.models import (
    KPI_FIELDS,
    PERIOD_VALIDATOR,
    Application,
    ApplicationStatus,
    Call,
    Cohort,
    Criterion,
    Evaluation,
    Incubatee,
    KpiAmendment,
    KpiReport,
    MentoringSession,
    Milestone,
    MilestoneStatus,
    Programme,
    ProgrammeStage,
    Question,
    Stage,
    StageChange,
)


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """An enum (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])."""
    return serializers.ChoiceField(choices=choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class VisiblePrimaryKeyField(IdField):
    """A related id the requesting user may see; anything else is a 404, as on its own URL."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not (data.isascii() and data.strip().isdigit()):
                self.fail("incorrect_type", data_type="str")
            data = int(data)
        user = self.context["request"].user
        return access.get_for_person_or_404(self.get_queryset(), user, data, via=None)


ACTIVE_USERS = User.objects.filter(is_active=True)


# --- Programmes and calls ----------------------------------------------------------------------
class ProgrammeStageSerializer(ModelSerializer):
    stage = choice_field(Stage.choices)

    class Meta:
        model = ProgrammeStage
        fields = ["stage", "description", "lab_hours_per_month", "trainings_included"]
        extra_kwargs = {"lab_hours_per_month": {"min_value": 0}}


class ProgrammeSerializer(ModelSerializer):
    stages = ProgrammeStageSerializer(many=True, required=False)

    class Meta:
        model = Programme
        fields = ["id", "name", "description", "is_active", "stages", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"validators": []}}


class QuestionSerializer(ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "position", "text", "required"]
        read_only_fields = ["id", "position"]


class CriterionSerializer(ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "position", "name", "description", "weight", "max_score"]
        read_only_fields = ["id", "position"]
        extra_kwargs = {"weight": {"min_value": Decimal("0.01")}, "max_score": {"min_value": 1}}


class CallSerializer(ModelSerializer):
    questions = QuestionSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True)
    is_open = serializers.SerializerMethodField()
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "programme_name",
            "cohort",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "is_open",
            "questions",
            "criteria",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_open(self, call: Call) -> bool:
        from django.utils import timezone

        return call.opens_at <= timezone.now() < call.closes_at


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    application = serializers.IntegerField(source="application.pk")
    organisation = serializers.IntegerField(source="application.organisation_id")
    organisation_name = serializers.CharField(source="application.organisation.name")
    status = choice_field(ApplicationStatus.choices, source="application.status")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    jurors_assigned = serializers.IntegerField()
    jurors_done = serializers.IntegerField()
    criterion_means = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2)
    )


# --- Applications and jury ---------------------------------------------------------------------
class ApplicationSerializer(ModelSerializer):
    status = choice_field(ApplicationStatus.choices, read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    jurors = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_title",
            "organisation",
            "organisation_name",
            "status",
            "answers",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "jurors",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_jurors(self, application: Application) -> list[int]:
        """Juror user ids: staff only (an applicant does not learn who judges it)."""
        if not access.is_staff(self.context["request"].user):
            return []
        return [a.juror_id for a in application.assignments.all()]


class ScoreSerializer(ModelSerializer):
    juror_name = serializers.CharField(source="juror.display_name", read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "juror", "juror_name", "criterion", "score", "comment", "created_at"]


class ApplicationDetailSerializer(ApplicationSerializer):
    scores = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "scores"]

    @extend_schema_field(ScoreSerializer(many=True, allow_null=True))
    def get_scores(self, application: Application):
        """Every juror's scores, for staff, and for a juror once they have scored it all.

        Null when hidden: a juror must not be swayed by the others before scoring.
        """
        user = self.context["request"].user
        if not selectors.scores_visible_to(user=user, application=application):
            return None
        evaluations = application.evaluations.select_related("juror", "criterion")
        return ScoreSerializer(evaluations, many=True).data


class ApplicationCreateSerializer(serializers.Serializer):
    call = VisiblePrimaryKeyField(scope=selectors.calls_visible_to)
    organisation = VisiblePrimaryKeyField(
        scope=access.organisations_of,
        required=False,
        help_text="Needed only when you belong to several organisations.",
    )
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ApplicationUpdateSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True))


class JurorsSerializer(serializers.Serializer):
    jurors = IdField(queryset=ACTIVE_USERS, many=True)


class AdmitSerializer(serializers.Serializer):
    cohort = IdField(queryset=Cohort.objects.all(), required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()


class EvaluationSerializer(ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "application", "juror", "criterion", "score", "comment", "created_at"]


class EvaluationCreateSerializer(serializers.Serializer):
    # Not scoped: a user who is not a juror of it gets 403 ``not_assigned``.
    application = IdField(queryset=Application.objects.all())
    criterion = IdField(queryset=Criterion.objects.all())
    score = IntegerField(min_value=0, max_value=1000)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreItemSerializer(serializers.Serializer):
    criterion = IdField(queryset=Criterion.objects.all())
    score = IntegerField(min_value=0, max_value=1000)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreBatchSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True, allow_empty=False)


# --- Cohorts and incubatees --------------------------------------------------------------------
class CohortSerializer(ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Cohort
        fields = ["id", "programme", "programme_name", "name", "year", "starts_on", "ends_on"]
        extra_kwargs = {"name": {"validators": []}}
        validators: list = []


class StageChangeSerializer(ModelSerializer):
    from_stage = choice_field(Stage.choices, allow_blank=True, read_only=True)
    to_stage = choice_field(Stage.choices, read_only=True)
    changed_by_name = serializers.CharField(source="changed_by.display_name", read_only=True)

    class Meta:
        model = StageChange
        fields = [
            "from_stage",
            "to_stage",
            "changed_at",
            "changed_by",
            "changed_by_name",
            "reason",
        ]


class IncubateeSerializer(ModelSerializer):
    stage = choice_field(Stage.choices, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    cohort_name = serializers.CharField(source="cohort.name", read_only=True)
    lab_hours_balance = serializers.SerializerMethodField()

    class Meta:
        model = Incubatee
        fields = [
            "id",
            "cohort",
            "cohort_name",
            "organisation",
            "organisation_name",
            "application",
            "stage",
            "stage_started_at",
            "joined_at",
            "lab_hours_balance",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True))
    def get_lab_hours_balance(self, incubatee: Incubatee):
        """Free lab hours left this month; null while booking cannot tell."""
        return _hours_text(selectors.lab_hours_balance(organisation=incubatee.organisation))


def _hours_text(hours) -> str | None:
    return None if hours is None else f"{hours:.2f}"


def incubatee_list_data(rows: Iterable[dict]) -> list[dict]:
    """What ``IncubateeSerializer(many=True)`` writes, for rows of
    ``selectors.incubatee_rows``, built straight from the values (a page of 200
    is 200 dicts, not 600 model instances walked field by field; tests hold the two equal)."""
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "cohort": row["cohort_id"],
            "cohort_name": row["cohort__name"],
            "organisation": row["organisation_id"],
            "organisation_name": row["organisation__name"],
            "application": row["application_id"],
            "stage": row["stage"],
            "stage_started_at": datetime_text(row["stage_started_at"], tz),
            "joined_at": datetime_text(row["joined_at"], tz),
            "lab_hours_balance": _hours_text(row["lab_hours_balance"]),
        }
        for row in rows
    ]


class IncubateeDetailSerializer(IncubateeSerializer):
    stage_changes = StageChangeSerializer(many=True, read_only=True)

    class Meta(IncubateeSerializer.Meta):
        fields = [*IncubateeSerializer.Meta.fields, "stage_changes"]


class IncubateeCreateSerializer(serializers.Serializer):
    cohort = IdField(queryset=Cohort.objects.all())
    organisation = IdField(queryset=Organisation.objects.all())
    stage = choice_field(Stage.choices, default=Stage.PRE_INCUBATION)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StageMoveSerializer(serializers.Serializer):
    stage = choice_field(Stage.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Milestones, mentoring, KPIs ---------------------------------------------------------------
class MilestoneSerializer(ModelSerializer):
    status = choice_field(MilestoneStatus.choices, read_only=True)
    evidence_file = serializers.SerializerMethodField(
        help_text="Download URL of the evidence file (checked access), or null."
    )
    organisation_name = serializers.CharField(source="incubatee.organisation.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default="")
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "incubatee",
            "organisation_name",
            "title",
            "description",
            "due_date",
            "owner",
            "owner_name",
            "status",
            "evidence_file",
            "evidence_link",
            "completed_at",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, milestone: Milestone) -> bool:
        return selectors.milestone_is_overdue(milestone)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_file(self, milestone: Milestone) -> str | None:
        if not milestone.evidence_file:
            return None
        url = reverse("api:incubation-milestone-evidence", args=[milestone.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class MilestoneCreateSerializer(ModelSerializer):
    status = choice_field(MilestoneStatus.choices, required=False)
    incubatee = VisiblePrimaryKeyField(scope=selectors.incubatees_visible_to)
    owner = IdField(queryset=ACTIVE_USERS, required=False, allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "incubatee",
            "title",
            "description",
            "due_date",
            "owner",
            "status",
            "evidence_file",
            "evidence_link",
        ]


class MilestoneUpdateSerializer(MilestoneCreateSerializer):
    class Meta(MilestoneCreateSerializer.Meta):
        fields = [f for f in MilestoneCreateSerializer.Meta.fields if f != "incubatee"]


class MentoringSessionSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="incubatee.organisation.name", read_only=True)

    class Meta:
        model = MentoringSession
        fields = [
            "id",
            "incubatee",
            "organisation_name",
            "mentor",
            "mentor_name",
            "date",
            "hours",
            "topic",
            "notes",
            "project",
            "created_at",
        ]
        read_only_fields = ["id", "project", "created_at"]
        extra_kwargs = {"mentor_name": {"required": False}}


class MentoringSessionInputSerializer(ModelSerializer):
    incubatee = VisiblePrimaryKeyField(scope=selectors.incubatees_visible_to)
    mentor = IdField(queryset=ACTIVE_USERS, required=False, allow_null=True)
    project = IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="An R&D project the incubatee takes part in (400 project_not_partner).",
    )

    class Meta:
        model = MentoringSession
        fields = ["incubatee", "mentor", "mentor_name", "date", "hours", "topic", "notes",
                  "project"]  # fmt: skip
        extra_kwargs = {"mentor_name": {"required": False}, "hours": {"min_value": Decimal("0.01")}}


class KpiAmendmentSerializer(ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.display_name", read_only=True)

    class Meta:
        model = KpiAmendment
        fields = ["id", "previous", "changed_by", "changed_by_name", "changed_at", "reason"]


class KpiFundingLineSerializer(serializers.Serializer):
    """One funding source's share of the funding raised (sources: ``/api/v1/funding-sources/``)."""

    source = IdField(queryset=FundingSource.objects.all())
    source_name = serializers.CharField(source="source.name", read_only=True)
    amount_mad = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class KpiFiguresSerializer(ModelSerializer):
    certifications = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False
    )
    funding_by_source = KpiFundingLineSerializer(
        many=True,
        required=False,
        source="funding_lines",
        help_text=(
            "The funding raised split by source; with it, funding_raised_mad is their sum "
            "(400 funding_total_mismatch otherwise). Empty for reports made without a split."
        ),
    )

    class Meta:
        model = KpiReport
        fields = [*KPI_FIELDS, "funding_by_source"]
        extra_kwargs = {
            "revenue_mad": {"min_value": 0},
            "funding_raised_mad": {"min_value": 0},
            "exports_mad": {"min_value": 0},
        }


class KpiReportSerializer(KpiFiguresSerializer):
    organisation_name = serializers.CharField(source="incubatee.organisation.name", read_only=True)
    amendments = KpiAmendmentSerializer(many=True, read_only=True)

    class Meta(KpiFiguresSerializer.Meta):
        fields = [
            "id",
            "incubatee",
            "organisation_name",
            "period",
            *KPI_FIELDS,
            "funding_by_source",
            "submitted_by",
            "submitted_at",
            "updated_at",
            "amendments",
        ]


class KpiReportCreateSerializer(KpiFiguresSerializer):
    incubatee = VisiblePrimaryKeyField(scope=selectors.incubatees_visible_to)
    period = serializers.CharField(validators=[PERIOD_VALIDATOR])

    class Meta(KpiFiguresSerializer.Meta):
        fields = ["incubatee", "period", *KPI_FIELDS, "funding_by_source"]
        validators: list = []


class KpiAmendSerializer(KpiFiguresSerializer):
    reason = serializers.CharField()

    class Meta(KpiFiguresSerializer.Meta):
        fields = ["reason", *KPI_FIELDS, "funding_by_source"]
        extra_kwargs = {
            f: {**KpiFiguresSerializer.Meta.extra_kwargs.get(f, {}), "required": False}
            for f in KPI_FIELDS
            if f != "certifications"
        }
