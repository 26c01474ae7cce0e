from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from caiac.accounts import selectors, services
from caiac.accounts.api.serializers import (
    MemberSerializer,
    MembershipInputSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from caiac.accounts.models import Organisation
from caiac.permissions import IsClusterStaffOrReadOnly


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token ...`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **serializer.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members see their own organisations; cluster staff see, create and edit all."""

    queryset = Organisation.objects.none()  # for the schema; get_queryset() scopes to the user
    serializer_class = OrganisationSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filterset_fields = ["kind", "sector", "is_cluster_member", "city"]
    search_fields = ["name", "city", "contact_name"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.organisations_visible_to(self.request.user).order_by("name")

    def perform_create(self, serializer):
        serializer.instance = services.organisation_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.organisation_update(
            by=self.request.user, organisation=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request, pk=None):
        organisation: Organisation = self.get_object()
        memberships = organisation.memberships.select_related("user").order_by("user__username")
        return Response(MemberSerializer(memberships, many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses=MemberSerializer)
    @members.mapping.post
    def add_member(self, request, pk=None):
        organisation: Organisation = self.get_object()
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(organisation=organisation, **data.validated_data)
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)
