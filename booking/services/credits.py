import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking import selectors
from booking.models import Booking, LabCredit, LabCreditUse
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


def plan_credit_use(
    *, organisation: Organisation, on: datetime.date, hours: Decimal, lock: bool = True
) -> list[tuple[LabCredit, Decimal]]:
    """Which credits (soonest to expire first) pay for up to ``hours``. Locks them on
    PostgreSQL so two bookings cannot spend the same hours; SQLite's write lock does it there.
    ``lock=False`` for a quote, which writes nothing."""
    credits = selectors.credits_valid_on(organisation_id=organisation.pk, on=on)
    credits = list(credits.select_for_update() if lock else credits)
    spent = selectors.credit_hours_spent([c.pk for c in credits])
    plan: list[tuple[LabCredit, Decimal]] = []
    needed = hours
    for credit in credits:
        if needed <= 0:
            break
        left = credit.hours - spent.get(credit.pk, Decimal(0))
        take = min(left, needed)
        if take > 0:
            plan.append((credit, take))
            needed -= take
    return plan


def record_credit_use(booking: Booking, plan: list[tuple[LabCredit, Decimal]]) -> None:
    LabCreditUse.objects.bulk_create(
        [LabCreditUse(credit=credit, booking=booking, hours=hours) for credit, hours in plan]
    )
