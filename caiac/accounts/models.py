import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do on the platform. One field, one clear mechanism."""

    MEMBER = "member", _("Member")
    TRAINER = "trainer", _("Trainer")
    STAFF = "staff", _("Cluster staff")


class Language(models.TextChoices):
    FR = "fr", "Français"
    AR = "ar", "العربية"
    EN = "en", "English"


class Gender(models.TextChoices):
    """Optional: only for the figures funders ask for (participants women / men)."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    gender = models.CharField(
        _("gender"),
        max_length=8,
        choices=Gender.choices,
        blank=True,
        help_text=_("Optional; counted only in the women / men figures funders ask for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # For templates only ({% if user.is_cluster_staff %}); code asks caiac.access directly.
    @property
    def is_cluster_staff(self) -> bool:
        from caiac import access

        return access.is_staff(self)

    @property
    def is_trainer(self) -> bool:
        from caiac import access

        return access.is_trainer(self)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class OrganisationKind(models.TextChoices):
    STARTUP = "startup", _("Start-up")
    COOPERATIVE = "cooperative", _("Cooperative")
    COMPANY = "company", _("Company")
    RESEARCH_LAB = "research_lab", _("Research lab")
    OTHER = "other", _("Other")


class Sector(models.TextChoices):
    COSMETICS = "cosmetics", _("Cosmetics")
    AGRIFOOD = "agrifood", _("Agri-food")
    BOTH = "both", _("Cosmetics and agri-food")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_cluster_member = models.BooleanField(_("cluster member"), default=False)
    # With the expiry date, the membership's span: what the cluster's yearly report counts
    # (members at the start and end of a year, who joined and who left). An organisation that
    # leaves keeps "cluster member" ticked with its last day as the expiry date.
    member_since = models.DateField(_("cluster member since"), null=True, blank=True)
    membership_expires_on = models.DateField(
        _("cluster membership expires on"), null=True, blank=True
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_cluster_member=True) | Q(membership_expires_on__isnull=True),
                name="organisation_expiry_only_for_members",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_member_on(self, day: datetime.date | None = None) -> bool:
        """Cluster member (member rates apply) on that day."""
        if not self.is_cluster_member:
            return False
        day = day or timezone.localdate()
        return self.membership_expires_on is None or day <= self.membership_expires_on


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"
