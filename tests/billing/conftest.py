"""A month in the lab to invoice: November 2026 for the Coopérative Amalou.

Machine time at the member rate (100 MAD/h), free lab hours, a no-show, a late cancellation,
materials at three VAT rates (20 %, 14 %, exempt), and one line waived. Figures worked out by
hand in test_totals.py.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from billing import services
from billing.models import PriceItem
from booking import services as booking_services
from booking.services.credits import lab_credit_grant
from caiac.accounts.models import MembershipRole
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(organisation):
    user = UserFactory(username="amina")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


@pytest.fixture
def emulsifier(db):
    lab_open_weekdays()
    return EquipmentFactory(
        name="Émulsionneur sous vide",
        hourly_rate_member=Decimal("100.00"),
        hourly_rate_non_member=Decimal("180.00"),
        no_show_fee_percent=50,
        late_cancellation_fee_percent=50,
    )


@pytest.fixture
def items(db):
    return {
        "jars": PriceItem.objects.create(
            name="Pots en verre 50 ml", unit="pièce", unit_price=Decimal("3.35")
        ),
        "nitrogen": PriceItem.objects.create(
            name="Azote liquide", unit="litre", unit_price=Decimal("12.50"), vat_rate=Decimal("14")
        ),
        "analysis": PriceItem.objects.create(
            name="Analyse microbiologique",
            unit="analyse",
            unit_price=Decimal("180.00"),
            vat_rate=Decimal("0"),
        ),
        "labels": PriceItem.objects.create(
            name="Étiquettes", unit="pièce", unit_price=Decimal("0.45")
        ),
    }


def travel(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def november(organisation, member, owner, staff, emulsifier, items):
    """Everything that happened in November, as people did it through the services."""
    with travel(2026, 10, 30, 10, 0):
        lab_credit_grant(
            organisation=organisation,
            period_start=datetime.date(2026, 11, 1),
            period_end=datetime.date(2026, 11, 30),
            hours=Decimal("1"),
            source="Pépinière",
        )
        used = booking_services.booking_create(
            user=member,
            equipment=emulsifier,
            start=local(2026, 11, 2, 9, 0),
            end=local(2026, 11, 2, 11, 0),
        )
        missed = booking_services.booking_create(
            user=member,
            equipment=emulsifier,
            start=local(2026, 11, 3, 9, 0),
            end=local(2026, 11, 3, 10, 30),
        )
        dropped = booking_services.booking_create(
            user=member,
            equipment=emulsifier,
            start=local(2026, 11, 4, 9, 0),
            end=local(2026, 11, 4, 10, 0),
        )
        cancelled_in_time = booking_services.booking_create(
            user=member,
            equipment=emulsifier,
            start=local(2026, 11, 5, 9, 0),
            end=local(2026, 11, 5, 10, 0),
        )
    with travel(2026, 11, 2, 9, 5):
        booking_services.booking_check_in(user=staff, booking=used)
        booking_services.booking_cancel(user=member, booking=cancelled_in_time)
    with travel(2026, 11, 3, 10, 45):
        booking_services.booking_no_show(user=staff, booking=missed)
    with travel(2026, 11, 4, 7, 0):  # two hours before: past the 24 h deadline, staff only
        booking_services.booking_cancel(user=staff, booking=dropped, reason="Called the lab")
    with travel(2026, 11, 20, 12, 0):
        services.charge_add(by=staff, booking=used, item=items["jars"], quantity=Decimal("7"))
        services.charge_add(
            by=staff, organisation=organisation, item=items["nitrogen"], quantity=Decimal("3.5")
        )
        services.charge_add(
            by=staff, organisation=organisation, item=items["analysis"], quantity=Decimal("1")
        )
        labels = services.charge_add(
            by=staff, organisation=organisation, item=items["labels"], quantity=Decimal("100")
        )
        services.charge_waive(by=staff, charge=labels, reason="Étiquettes mal imprimées par le lab")
    return {"used": used, "missed": missed, "dropped": dropped, "in_time": cancelled_in_time}


@pytest.fixture
def drafted(november):
    """The run of 1 December: November drafted."""
    with travel(2026, 12, 1, 1, 30):
        [draft] = services.invoices_draft_month(year=2026, month=11)
    return draft


@pytest.fixture
def issued(drafted, staff):
    with travel(2026, 12, 2, 10, 0):
        return services.invoice_issue(by=staff, invoice=drafted)
