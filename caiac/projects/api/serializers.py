from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caiac import access
from caiac.accounts.models import Organisation, OrganisationKind, Sector, User
from caiac.projects import selectors
from caiac.projects.models import (
    MAX_YEAR,
    MIN_YEAR,
    Deliverable,
    DeliverableStatus,
    FundingSource,
    FundingSourceKind,
    PartnerRole,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectPartner,
    ProjectStatus,
    ProjectStatusChange,
)
from caiac.serializers import BoundedDateField, IdField, IntegerField, ModelSerializer

ACTIVE_USERS = User.objects.filter(is_active=True)
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """An enum (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])."""
    return serializers.ChoiceField(choices=choices, **kwargs)


def _url(serializer, name: str, *args) -> str:
    url = reverse(name, args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


# --- Funding sources -----------------------------------------------------------------------------
class FundingSourceSerializer(ModelSerializer):
    kind = choice_field(FundingSourceKind.choices)

    class Meta:
        model = FundingSource
        fields = ["id", "name", "kind", "description", "is_active"]
        read_only_fields = ["id"]


# --- Projects ------------------------------------------------------------------------------------
class PartnerSerializer(ModelSerializer):
    role = choice_field(PartnerRole.choices, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisation_kind = choice_field(
        OrganisationKind.choices, source="organisation.kind", read_only=True
    )
    is_cluster_member = serializers.BooleanField(
        source="organisation.is_cluster_member", read_only=True
    )

    class Meta:
        model = ProjectPartner
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "organisation_kind",
            "is_cluster_member",
            "role",
            "contribution",
            "joined_on",
        ]
        read_only_fields = fields


class PartnerCreateSerializer(serializers.Serializer):
    organisation = IdField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="An organisation of the platform; or give organisation_name for a new one.",
    )
    organisation_name = serializers.CharField(max_length=200, required=False)
    organisation_kind = choice_field(OrganisationKind.choices, required=False)
    organisation_sector = choice_field(Sector.choices, required=False)
    organisation_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    role = choice_field([c for c in PartnerRole.choices if c[0] != PartnerRole.LEAD])
    contribution = serializers.CharField(max_length=300, required=False, allow_blank=True)
    joined_on = BoundedDateField(required=False, allow_null=True)


class PartnerUpdateSerializer(serializers.Serializer):
    role = choice_field(PartnerRole.choices, required=False)
    contribution = serializers.CharField(max_length=300, required=False, allow_blank=True)
    joined_on = BoundedDateField(required=False, allow_null=True)


class FundingSerializer(ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)

    class Meta:
        model = ProjectFunding
        fields = [
            "id",
            "source",
            "source_name",
            "year",
            "committed_mad",
            "received_mad",
            "note",
            "updated_at",
        ]
        read_only_fields = fields


class FundingCreateSerializer(serializers.Serializer):
    source = IdField(queryset=FundingSource.objects.all())
    year = IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    committed_mad = serializers.DecimalField(**MONEY, required=False)
    received_mad = serializers.DecimalField(**MONEY, required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class FundingUpdateSerializer(serializers.Serializer):
    committed_mad = serializers.DecimalField(**MONEY, required=False)
    received_mad = serializers.DecimalField(**MONEY, required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class StatusChangeSerializer(ModelSerializer):
    from_status = serializers.CharField(read_only=True)
    to_status = choice_field(ProjectStatus.choices, read_only=True)
    changed_by_name = serializers.CharField(source="changed_by.display_name", read_only=True)

    class Meta:
        model = ProjectStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "changed_by_name",
                  "reason"]  # fmt: skip
        read_only_fields = fields


class ProjectSerializer(ModelSerializer):
    """A project as its partners and staff see it (nobody else sees it at all)."""

    status = choice_field(ProjectStatus.choices, read_only=True)
    theme = choice_field(Sector.choices, read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    funding = FundingSerializer(many=True, read_only=True)
    committed_mad = serializers.SerializerMethodField()
    received_mad = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "summary",
            "theme",
            "tags",
            "lead",
            "lead_name",
            "starts_on",
            "ends_on",
            "status",
            "status_changed_at",
            "budget_mad",
            "committed_mad",
            "received_mad",
            "partners",
            "funding",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_committed_mad(self, project: Project) -> str:
        return f"{sum((f.committed_mad for f in project.funding.all()), 0):.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_received_mad(self, project: Project) -> str:
        return f"{sum((f.received_mad for f in project.funding.all()), 0):.2f}"


class ProjectDetailSerializer(ProjectSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    next_statuses = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "status_changes", "next_statuses", "can_edit"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_statuses(self, project: Project) -> list[str]:
        from caiac.projects.services import next_statuses

        return list(next_statuses(project.status))

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_edit(self, project: Project) -> bool:
        request = self.context.get("request")
        return bool(request and selectors.may_edit(request.user, project))


class ProjectCreateSerializer(ModelSerializer):
    lead = IdField(
        queryset=Organisation.objects.all(),
        help_text="The lead organisation: one you own (staff: any).",
    )
    theme = choice_field(Sector.choices)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=12
    )
    budget_mad = serializers.DecimalField(**MONEY, required=False)

    class Meta:
        model = Project
        fields = ["lead", "title", "summary", "theme", "tags", "starts_on", "ends_on",
                  "budget_mad"]  # fmt: skip

    def validate_lead(self, lead):
        request = self.context.get("request")
        if request is not None and not access.acts_for(request.user, lead):
            raise serializers.ValidationError("Not one of your organisations.")
        return lead


class ProjectUpdateSerializer(ProjectCreateSerializer):
    class Meta(ProjectCreateSerializer.Meta):
        fields = [f for f in ProjectCreateSerializer.Meta.fields if f != "lead"]


class StatusMoveSerializer(serializers.Serializer):
    status = choice_field(ProjectStatus.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)


# --- Deliverables and documents ------------------------------------------------------------------
class DeliverableSerializer(ModelSerializer):
    status = choice_field(DeliverableStatus.choices, read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default="")
    evidence_file = serializers.SerializerMethodField(
        help_text="Download URL of the evidence file (checked access), or null."
    )
    # Declared: read-only model fields lose allow_blank, and the schema then calls "" no URL.
    evidence_link = serializers.URLField(read_only=True, allow_blank=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "project",
            "title",
            "description",
            "due_date",
            "owner",
            "owner_name",
            "status",
            "evidence_file",
            "evidence_link",
            "delivered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_file(self, deliverable: Deliverable) -> str | None:
        if not deliverable.evidence_file:
            return None
        return _url(
            self, "api:project-deliverable-evidence", deliverable.project_id, deliverable.pk
        )


class DeliverableCreateSerializer(ModelSerializer):
    status = choice_field(DeliverableStatus.choices, required=False)
    owner = IdField(queryset=ACTIVE_USERS, required=False, allow_null=True)

    class Meta:
        model = Deliverable
        fields = ["title", "description", "due_date", "owner", "status", "evidence_file",
                  "evidence_link"]  # fmt: skip


class DocumentSerializer(ModelSerializer):
    download = serializers.SerializerMethodField()
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", read_only=True)

    class Meta:
        model = ProjectDocument
        fields = ["id", "project", "title", "download", "uploaded_by", "uploaded_by_name",
                  "uploaded_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download(self, document: ProjectDocument) -> str:
        return _url(self, "api:project-document-download", document.project_id, document.pk)


class DocumentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    file = serializers.FileField()
