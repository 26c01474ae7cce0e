from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Organisation


class LabCredit(models.Model):
    """Free lab hours an organisation may spend on bookings during a period.

    Booking owns credits; other apps (incubation) grant them through ``booking.services``
    and name themselves in ``source`` / ``source_ref``.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lab_credits"
    )
    period_start = models.DateField(_("valid from"))
    period_end = models.DateField(_("valid until (inclusive)"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period_start"]
        verbose_name = _("lab-hour credit")
        verbose_name_plural = _("lab-hour credits")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="labcredit_hours_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="labcredit_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source_ref", "period_start"],
                condition=~Q(source_ref=""),
                name="labcredit_unique_per_source_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.hours} h ({self.period_start} to {self.period_end})"
