"""Project-level endpoints that compose several apps (``me/``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from caiac import access
from caiac.accounts.api.serializers import UserOrganisationSerializer
from caiac.accounts.models import Language, Role
from trainings.selectors import certifications_of


class MeCertificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id")
    course_title = serializers.CharField(source="course.local_title")
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.ChoiceField(choices=Language.choices)
    role = serializers.ChoiceField(choices=Role.choices)
    is_cluster_staff = serializers.BooleanField()
    organisations = UserOrganisationSerializer(source="memberships", many=True)
    certifications = MeCertificationSerializer(many=True)


class MeView(APIView):
    """The signed-in user, their organisations and roles, and their valid certifications."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "language": user.language,
            "role": user.role,
            "is_cluster_staff": access.is_staff(user),
            "memberships": user.memberships.select_related("organisation").order_by(
                "organisation__name"
            ),
            "certifications": certifications_of(user),
        }
        return Response(MeSerializer(data).data)
