from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from caiac.accounts.models import User
from caiac.notifications import selectors, services
from caiac.notifications.api.serializers import (
    AnnouncementResultSerializer,
    AnnouncementSerializer,
    FailedMessageSerializer,
    MarkedSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    UnreadCountSerializer,
)
from caiac.notifications.kinds import kind_label
from caiac.notifications.models import Message
from caiac.permissions import IsClusterStaff

_ERRORS = {
    401: OpenApiResponse(description="Not signed in."),
    404: OpenApiResponse(description="No such notification among yours."),
}


def _preferences_data(user: User) -> dict:
    disabled = selectors.email_disabled_kinds(user=user)
    kinds = [
        {"kind": kind, "label": kind_label(kind), "email": kind not in disabled}
        for kind in dict.fromkeys([*selectors.kinds_for_user(user=user), *disabled])
    ]
    return {"email_disabled": disabled, "kinds": kinds}


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in person's notifications (messages that are due), newest first.

    Staff also reach the messages that could not be emailed (``failed/``) and send them again.
    """

    queryset = Message.objects.none()  # for the schema; get_queryset() scopes to the user
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Message]:
        user = self.request.user
        if self.action in ("failed", "resend"):
            messages = selectors.messages_failed()
        else:
            unread = self.request.query_params.get("unread") in ("1", "true")
            messages = selectors.notifications_for_user(user=user, unread=unread)
        return messages.select_related("recipient", "content_type")

    def get_permissions(self):
        if self.action in ("failed", "resend", "announce"):
            return [permissions.IsAuthenticated(), IsClusterStaff()]
        return super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones (1)."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: NotificationSerializer, **_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = services.notification_mark_read(user=request.user, message=self.get_object())
        return Response(self.get_serializer(message).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})

    @extend_schema(responses=PreferencesSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def preferences(self, request):
        return Response(_preferences_data(request.user))

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    @preferences.mapping.put
    def preferences_update(self, request):
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_update(
            user=request.user, email_disabled=data.validated_data["email_disabled"]
        )
        return Response(_preferences_data(request.user))

    @extend_schema(responses=FailedMessageSerializer(many=True))
    @action(detail=False, methods=["get"], serializer_class=FailedMessageSerializer)
    def failed(self, request):
        return super().list(request)

    @extend_schema(
        request=None,
        responses={
            200: FailedMessageSerializer,
            403: OpenApiResponse(description="Cluster staff only."),
            404: OpenApiResponse(description="No failed message with this id."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=FailedMessageSerializer)
    def resend(self, request, pk=None):
        message = self.get_object()
        message = services.message_resend(message=message, by=request.user)
        return Response(FailedMessageSerializer(message).data)

    @extend_schema(
        request=AnnouncementSerializer,
        responses={201: AnnouncementResultSerializer, 403: OpenApiResponse()},
    )
    @action(detail=False, methods=["post"], serializer_class=AnnouncementSerializer)
    def announce(self, request):
        data = AnnouncementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        messages = services.announcement_send(author=request.user, **data.validated_data)
        return Response({"scheduled": len(messages)}, status=status.HTTP_201_CREATED)
