from rest_framework import serializers

from caiac.accounts.models import Membership, Organisation, User
from caiac.serializers import IdField, ModelSerializer


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "sector",
            "city",
            "is_cluster_member",
            "member_since",
            "membership_expires_on",
            "contact_name",
            "contact_email",
            "contact_phone",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # Uniqueness is the service's to check (409 organisation_exists), not a 400 here.
        extra_kwargs = {"name": {"validators": []}}


class MembershipInputSerializer(serializers.Serializer):
    user = IdField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices)


class MemberSerializer(ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")

    class Meta:
        model = Membership
        fields = ["user", "username", "name", "role", "joined_at"]


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices)


class UserOrganisationSerializer(ModelSerializer):
    id = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")

    class Meta:
        model = Membership
        fields = ["id", "name", "role"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
