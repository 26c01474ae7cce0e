from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveIntegerField(
        _("certification valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certification never expires."),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Certification(models.Model):
    """A person may use the machines a course certifies, from ``issued_at`` until expiry."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certifications"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["user", "course"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("issued_at")),
                name="certification_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"
