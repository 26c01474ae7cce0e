from rest_framework import serializers

from caiac.accounts.models import Language, MembershipRole, OrganisationKind, Sector
from caiac.frontdoor.models import Invitation, JoinRequest


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.CharField(source="invited_by.display_name", allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organisation",
            "email",
            "role",
            "status",
            "language",
            "invited_by",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class JoinRequestInputSerializer(serializers.Serializer):
    organisation_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    sector = serializers.ChoiceField(choices=Sector.choices)
    city = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Only without a signed-in account: the account is created on approval.",
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)


class JoinRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "organisation_name",
            "kind",
            "sector",
            "city",
            "contact_phone",
            "description",
            "first_name",
            "last_name",
            "email",
            "username",
            "language",
            "status",
            "created_at",
            "decided_at",
            "decline_reason",
            "organisation",
        ]
        read_only_fields = fields


class JoinRequestApproveSerializer(serializers.Serializer):
    is_cluster_member = serializers.BooleanField(default=False)


class JoinRequestDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()
