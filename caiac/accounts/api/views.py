from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from caiac.accounts import selectors, services
from caiac.accounts.api.serializers import (
    MemberRoleSerializer,
    MemberSerializer,
    MembershipInputSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from caiac.accounts.models import Organisation, User
from caiac.errors import NotFound
from caiac.openapi import ERROR_RESPONSES, LOCKED_OUT_RESPONSE
from caiac.permissions import IsClusterStaffOrReadOnly


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token ...`).

    Failed attempts are counted per account and per client address, in the database: after
    too many, the account or the address is locked for a while and even the right password gets
    429 `locked_out` with a `Retry-After` header. `DELETE` (with the token) revokes it."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_authenticators(self):
        # Signing in needs no credentials; revoking uses the token it revokes.
        if self.request is not None and self.request.method == "DELETE":
            return super().get_authenticators()
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, 429: LOCKED_OUT_RESPONSE, **ERROR_RESPONSES},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request, **serializer.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.api_token_revoke(by=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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

    @extend_schema(request=MembershipInputSerializer, responses={201: MemberSerializer})
    @members.mapping.post
    def add_member(self, request, pk=None):
        organisation: Organisation = self.get_object()
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(
            by=request.user, organisation=organisation, **data.validated_data
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def get_permissions(self):
        # Owners manage their people (the services check it); the rest is staff-only writes.
        if self.action in ("member_detail", "member_remove"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _member(self, organisation: Organisation, user_id: str) -> User:
        membership = (
            organisation.memberships.select_related("user").filter(user_id=user_id).first()
            if str(user_id).isdigit()
            else None
        )
        if membership is None:
            raise NotFound()
        return membership.user

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["patch"], url_path=r"members/(?P<user_id>[0-9]+)")
    def member_detail(self, request, pk=None, user_id=None):
        """Change someone's role (owners and staff). An organisation always keeps an owner:
        409 `last_owner`. A member who is not an owner gets 403, an outsider 404."""
        organisation: Organisation = self.get_object()
        data = MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set_role(
            by=request.user,
            organisation=organisation,
            user=self._member(organisation, user_id),
            role=data.validated_data["role"],
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    @member_detail.mapping.delete
    def member_remove(self, request, pk=None, user_id=None):
        """Remove someone (owners and staff), or leave (anyone, for themselves)."""
        organisation: Organisation = self.get_object()
        services.membership_remove(
            by=request.user, organisation=organisation, user=self._member(organisation, user_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
