from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caiac.errors import DomainError
from caiac.notifications import selectors, services
from caiac.notifications.models import Message, MessageStatus, Preference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "recipient",
        "to_email",
        "status",
        "delivery",
        "due_at",
        "sent_at",
        "attempts",
        "error",
    ]
    list_filter = ["status", "delivery", "kind"]
    list_select_related = ["recipient"]  # nullable: not followed by default
    search_fields = [
        "dedup_key",
        "recipient__username",
        "recipient__email",
        "to_email",
        "last_error",
    ]
    date_hierarchy = "due_at"
    raw_id_fields = ["recipient"]
    readonly_fields = [
        "status",
        "sent_at",
        "attempts",
        "last_error",
        "delivery",
        "send_token",
        "sending_since",
        "next_attempt_at",
        "read_at",
        "created_at",
    ]
    actions = ["resend"]

    @admin.display(description=_("last error"))
    def error(self, message: Message) -> str:
        return message.last_error[:120]

    def changelist_view(self, request, extra_context=None):
        # The outbox sends within seconds: anything left behind for a minute means a fault
        # (mail server, mail settings, worker or beat down) that staff should hear of here.
        overdue = selectors.messages_overdue()
        count = overdue.count()
        if count:
            reason = (
                overdue.exclude(last_error="")
                .order_by("-due_at")
                .values_list("last_error", flat=True)
                .first()
            )
            text = ngettext(
                "%(count)d message is overdue by more than a minute.",
                "%(count)d messages are overdue by more than a minute.",
                count,
            ) % {"count": count}
            if reason:
                text += " " + _("Last error: %(error)s") % {"error": reason[:300]}
            else:
                text += " " + _("Is the Celery worker (and beat) running?")
            self.message_user(request, text, messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Send the selected failed messages again"))
    def resend(self, request, queryset):
        done = 0
        for message in queryset.filter(status=MessageStatus.FAILED):
            try:
                services.message_resend(message=message, by=request.user)
            except DomainError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again within a minute.",
                "%(count)d messages will be sent again within a minute.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    raw_id_fields = ["user"]
