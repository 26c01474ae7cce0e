from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from caiac.accounts.lockout import guard_address
from caiac.frontdoor import selectors, services
from caiac.frontdoor.api.serializers import (
    AcceptedSerializer,
    InvitationInputSerializer,
    InvitationSerializer,
    JoinRequestApproveSerializer,
    JoinRequestDeclineSerializer,
    JoinRequestInputSerializer,
    JoinRequestSerializer,
    PasswordResetRequestSerializer,
)
from caiac.frontdoor.models import Invitation, JoinRequest
from caiac.openapi import ERROR_RESPONSES, LOCKED_OUT_RESPONSE


def password_reset_sent_message() -> str:
    return _(
        "If an account uses this address, an email with a link to choose a new password is on "
        "its way. The link works once, for one day."
    )


class PasswordResetRequestView(APIView):
    """Ask for a password-reset email. Always 202: the answer never says whether the address
    is known. The link in the email opens the site's page to choose a new password."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    # guard_address() counts the request against the address's "auth" rate, as the page does:
    # a throttle class here as well would count every request twice.
    throttle_classes: list = []

    @extend_schema(
        request=PasswordResetRequestSerializer,
        responses={202: AcceptedSerializer, 429: LOCKED_OUT_RESPONSE, **ERROR_RESPONSES},
    )
    def post(self, request):
        guard_address(request)
        data = PasswordResetRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response({"detail": password_reset_sent_message()}, status=status.HTTP_202_ACCEPTED)


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Pending invitations of an organisation: its owners and cluster staff invite, list and
    revoke. A member who is not an owner gets 403; anyone outside the organisation 404."""

    queryset = Invitation.objects.none()  # for the schema; get_queryset() scopes it
    serializer_class = InvitationSerializer
    pagination_class = None
    filter_backends: list = []

    def organisation(self):
        if not hasattr(self, "_organisation"):
            self._organisation = selectors.organisation_get_for_owner(
                by=self.request.user, organisation_id=self.kwargs["organisation_pk"]
            )
        return self._organisation

    def get_queryset(self):
        return selectors.invitations_pending(self.organisation()).order_by("-created_at")

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        organisation = self.organisation()
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            by=request.user, organisation=organisation, **data.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.invitation_revoke(by=self.request.user, invitation=instance)


class JoinRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests of new organisations to join the cluster. Anyone may ask (signed in or not:
    without an account, give a username and password, used once approved); staff list them,
    approve (the organisation, its owner and a welcome email) or decline with a reason."""

    queryset = JoinRequest.objects.none()
    serializer_class = JoinRequestSerializer
    filterset_fields = ["status"]
    search_fields: list = []
    ordering_fields: list = []

    def get_permissions(self):
        if self.action == "create":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return []  # create() counts the request once, per client address and per email
        return super().get_throttles()

    def get_queryset(self):
        return selectors.join_requests_for_staff(by=self.request.user)

    @extend_schema(
        request=JoinRequestInputSerializer,
        responses={201: JoinRequestSerializer, 429: LOCKED_OUT_RESPONSE},
    )
    def create(self, request, *args, **kwargs):
        signed_in = request.user.is_authenticated
        email = request.user.email if signed_in else request.data.get("email", "")
        guard_address(request, email=email if isinstance(email, str) else "")
        data = JoinRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        by = request.user if request.user.is_authenticated else None
        join_request = services.join_request_submit(by=by, **data.validated_data)
        return Response(JoinRequestSerializer(join_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=JoinRequestApproveSerializer,
        responses=inline_serializer("JoinApproved", {"organisation": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        join_request = self.get_object()
        data = JoinRequestApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.join_request_approve(
            by=request.user, join_request=join_request, **data.validated_data
        )
        return Response({"organisation": organisation.pk})

    @extend_schema(request=JoinRequestDeclineSerializer, responses=JoinRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        join_request = self.get_object()
        data = JoinRequestDeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        join_request = services.join_request_decline(
            by=request.user, join_request=join_request, reason=data.validated_data["reason"]
        )
        return Response(JoinRequestSerializer(join_request).data)
