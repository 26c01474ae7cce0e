import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking.models import LabCredit
from caiac.accounts.models import Organisation
from caiac.errors import Invalid


@transaction.atomic
def lab_credit_grant(
    *,
    organisation: Organisation,
    period_start: datetime.date,
    period_end: datetime.date,
    hours: Decimal,
    source: str,
    source_ref: str = "",
) -> LabCredit:
    """Grant free lab hours. With a ``source_ref``, granting twice for one period is a no-op."""
    if hours <= 0:
        raise Invalid(_("Credit hours must be positive."), code="invalid", fields={"hours": []})
    if period_end < period_start:
        raise Invalid(_("The credit period ends before it starts."), code="invalid")
    if source_ref:
        credit, _created = LabCredit.objects.get_or_create(
            organisation=organisation,
            source_ref=source_ref,
            period_start=period_start,
            defaults={"period_end": period_end, "hours": hours, "source": source},
        )
        return credit
    return LabCredit.objects.create(
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        hours=hours,
        source=source,
    )
