from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Delivery(models.TextChoices):
    """How a sent message reached its recipient (in-app is always kept)."""

    EMAIL = "email", _("By email")
    IN_APP_PREFERENCE = "in_app:preference", _("In the app only (email turned off)")
    IN_APP_NO_ADDRESS = "in_app:no_address", _("In the app only (no email address)")


class Message(models.Model):
    """One row of the outbox: a message to one person, due at a time, delivered once.

    Services write rows in the same transaction as the change they announce. ``dedup_key``
    (e.g. ``booking:42:reminder-24h``) is how a reminder is found again to move or drop it.

    A message goes either to a ``recipient`` (a person: shown in the app, emailed as their
    preferences say) or to an address, ``to_email`` (emailed only, never shown in the app, no
    preference applies): an invitation to someone without an account, or a password-reset or
    address-confirmation link, which must reach that mailbox and nothing else.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    to_email = models.EmailField(_("to address"), blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    language = models.CharField(_("language"), max_length=2)
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    context = models.JSONField(_("context"), default=dict, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    due_at = models.DateTimeField(_("due at"))
    send_before = models.DateTimeField(
        _("pointless after"),
        null=True,
        blank=True,
        help_text=_("A message found after this instant is dropped, not sent late."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Delivery bookkeeping (see docs/notifications.md, "exactly once").
    delivery = models.CharField(_("delivery"), max_length=24, choices=Delivery.choices, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    send_token = models.CharField(_("attempt token"), max_length=32, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="message_pending_due"
            ),
            models.Index(fields=["recipient", "-due_at"], name="message_recipient_due"),
            models.Index(
                fields=["sending_since"],
                condition=Q(status="sending"),
                name="message_sending_since",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(to_email=""))
                | (Q(recipient__isnull=True) & ~Q(to_email="")),
                name="message_to_a_person_or_an_address",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending")
                | (Q(sending_since__isnull=False) & ~Q(send_token="")),
                name="message_sending_has_token",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.to_email} ({self.status})"

    @property
    def address(self) -> str:
        """Where the email goes."""
        return self.to_email or (self.recipient.email if self.recipient else "")


class Preference(models.Model):
    """What a person wants by email. In-app notifications are always kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_disabled = models.JSONField(_("kinds not sent by email"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {len(self.email_disabled)} kind(s) off by email"
