import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import (
    Language,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Sector,
)

INVITATION_VALIDITY = datetime.timedelta(days=7)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Invitation(models.Model):
    """An owner (or staff) asks someone, by email, to join an organisation with a role.

    The emailed link carries a token signed with the site's secret (``tokens.py``) naming this row
    and its nonce; it works once (status), for seven days (``expires_at``), unless revoked.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(_("accepted or revoked at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=Q(status="pending"),
                name="invitation_one_pending_per_address",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_by__isnull=False),
                name="invitation_accepted_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.status})"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class JoinRequest(models.Model):
    """A new organisation and its first person ask to join the cluster; staff decide.

    Until approval nothing exists to book with: no organisation, and (for someone without an
    account) no account either — only this request, with the password already hashed.
    """

    # The organisation to be.
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    city = models.CharField(_("city"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    description = models.TextField(_("what you would like to do with the lab"), blank=True)
    # Its first person (the future owner).
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"))
    username = models.CharField(_("username"), max_length=150, blank=True)
    password = models.CharField(_("password (hashed)"), max_length=128, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("person"),
        help_text=_("The account that asked, or the one created on approval."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set when the link emailed to ``email`` is opened (at once for a signed-in person, whose
    # address is already known). Staff see, and can approve, only confirmed requests.
    email_confirmed_at = models.DateTimeField(
        _("email address confirmed at"), null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation created"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join the cluster")
        verbose_name_plural = _("requests to join the cluster")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="join_request_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(organisation__isnull=False),
                name="join_request_approved_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(email_confirmed_at__isnull=False),
                name="join_request_approved_has_confirmed_email",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending")
                | Q(user__isnull=False)
                | (~Q(username="") & ~Q(password="")),
                name="join_request_has_account_or_credentials",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.get_status_display()})"

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
