from rest_framework import serializers

from caiac.accounts.models import User
from caiac.notifications.kinds import kind_label
from caiac.notifications.models import Delivery, Message, MessageStatus
from caiac.notifications.rendering import message_render
from caiac.serializers import IdField, ModelSerializer, WallClockDateTimeField


class NotificationSerializer(ModelSerializer):
    """A notification as its recipient sees it, rendered now in the recipient's language."""

    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()
    about_type = serializers.SerializerMethodField()
    about_id = serializers.IntegerField(source="object_id", allow_null=True, read_only=True)
    status = serializers.ChoiceField(
        choices=MessageStatus.choices, read_only=True, help_text="of the email (the app keeps it)"
    )
    delivery = serializers.ChoiceField(
        choices=Delivery.choices, allow_blank=True, read_only=True, help_text="empty until sent"
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "due_at",
            "sent_at",
            "status",
            "delivery",
            "is_read",
            "read_at",
            "about_type",
            "about_id",
        ]
        read_only_fields = fields

    def _rendered(self, message: Message):
        cache = self.context.setdefault("_rendered", {})
        if message.pk not in cache:
            language = self.context.get("language") or message.recipient.language
            cache[message.pk] = message_render(message, language=language)
        return cache[message.pk]

    def get_subject(self, message: Message) -> str:
        return self._rendered(message).subject

    def get_body(self, message: Message) -> str:
        return self._rendered(message).body

    def get_is_read(self, message: Message) -> bool:
        return message.read_at is not None

    def get_about_type(self, message: Message) -> str | None:
        if message.content_type_id is None:
            return None
        return f"{message.content_type.app_label}.{message.content_type.model}"


class FailedMessageSerializer(ModelSerializer):
    """What staff need to judge a message that could not be emailed."""

    recipient_username = serializers.CharField(
        source="recipient.username", read_only=True, allow_null=True
    )
    recipient_email = serializers.CharField(
        source="address", read_only=True, help_text="the address the email goes to"
    )
    kind_label = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=MessageStatus.choices, read_only=True, help_text="failed, or pending once resent"
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "recipient",
            "recipient_username",
            "recipient_email",
            "kind",
            "kind_label",
            "dedup_key",
            "due_at",
            "status",
            "attempts",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields

    def get_kind_label(self, message: Message) -> str:
        return kind_label(message.kind)


class PreferenceKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    email = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    """``email_disabled``: kinds not wanted by email. ``kinds``: the choices (read only)."""

    email_disabled = serializers.ListField(
        child=serializers.CharField(max_length=64), allow_empty=True
    )
    kinds = PreferenceKindSerializer(many=True, read_only=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class AnnouncementSerializer(serializers.Serializer):
    recipients = IdField(queryset=User.objects.filter(is_active=True), many=True, allow_empty=False)
    title = serializers.CharField(max_length=150)
    text = serializers.CharField(max_length=5000)
    due_at = WallClockDateTimeField(required=False, allow_null=True)


class AnnouncementResultSerializer(serializers.Serializer):
    scheduled = serializers.IntegerField()
