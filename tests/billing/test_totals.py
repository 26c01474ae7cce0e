"""Invoices that add up to the centime, worked out by hand.

November for the Coopérative Amalou (VAT per line, rounded half up, then summed):

| line                                    | HT     | VAT rate | VAT   |
| --------------------------------------- | ------ | -------- | ----- |
| emulsifier 2 h, 1 h free (1 h x 100)    | 100.00 | 20 %     | 20.00 |
| no-show 1.5 h = 150.00, 50 %            |  75.00 | 20 %     | 15.00 |
| late cancellation 1 h = 100.00, 50 %    |  50.00 | 20 %     | 10.00 |
| 7 jars x 3.35                           |  23.45 | 20 %     |  4.69 |
| 3.5 l nitrogen x 12.50                  |  43.75 | 14 %     |  6.13 | (6.125 rounded up)
| 1 microbiological analysis              | 180.00 | exempt   |  0.00 |
| 100 labels x 0.45 (waived)              |   —    |          |       |
| total                                   | 472.20 |          | 55.82 | TTC 528.02
"""

import datetime
from decimal import Decimal

import pytest

from billing import selectors, services
from billing.models import ChargeKind, InvoiceStatus
from tests.billing.conftest import travel

pytestmark = pytest.mark.django_db


def test_a_month_of_lab_use_is_invoiced_to_the_centime(issued):
    lines = [
        (line.description[:18], line.amount_ht, line.vat_rate, line.amount_vat)
        for line in issued.lines.all()
    ]
    assert [(ht, rate, vat) for _d, ht, rate, vat in lines] == [
        (Decimal("100.00"), Decimal("20.00"), Decimal("20.00")),
        (Decimal("23.45"), Decimal("20.00"), Decimal("4.69")),
        (Decimal("75.00"), Decimal("20.00"), Decimal("15.00")),
        (Decimal("50.00"), Decimal("20.00"), Decimal("10.00")),
        (Decimal("43.75"), Decimal("14.00"), Decimal("6.13")),
        (Decimal("180.00"), Decimal("0.00"), Decimal("0.00")),
    ]
    assert (issued.total_ht, issued.total_vat, issued.total_ttc) == (
        Decimal("472.20"),
        Decimal("55.82"),
        Decimal("528.02"),
    )
    assert issued.number == "2026-000001"
    assert issued.issue_date == datetime.date(2026, 12, 2)
    assert issued.due_date == datetime.date(2027, 1, 1)  # 30 days


def test_free_lab_hours_are_deducted_and_said_on_the_line(issued):
    machine_time = issued.lines.get(charge__kind=ChargeKind.BOOKING)
    assert machine_time.quantity == Decimal("1.000")  # 2 h booked, 1 h free
    assert "1 h de lab offertes déduites" in machine_time.description


def test_a_cancellation_in_time_and_a_waived_line_cost_nothing(issued, november):
    descriptions = " ".join(issued.lines.values_list("description", flat=True))
    assert "Étiquettes" not in descriptions
    assert not november["in_time"].charges.exists()


def test_a_late_cancellation_is_not_charged_when_the_lab_closed_the_machine(
    november, staff, emulsifier
):
    from billing.models import Charge
    from booking.models import Closure

    Charge.objects.filter(kind=ChargeKind.LATE_CANCELLATION).delete()
    Closure.objects.create(
        equipment=emulsifier,
        start=november["dropped"].start,
        end=november["dropped"].end,
        reason="Panne",
    )
    services.charges_collect()
    assert not Charge.objects.filter(kind=ChargeKind.LATE_CANCELLATION).exists()


def test_bookings_the_lab_cancels_for_maintenance_cost_nothing(
    organisation, member, staff, emulsifier
):
    from billing.models import Charge
    from booking import services as booking_services
    from booking.services.catalogue import equipment_update
    from tests.booking.conftest import local

    with travel(2026, 11, 2, 8, 0):
        booked = booking_services.booking_create(
            user=member,
            equipment=emulsifier,
            start=local(2026, 11, 2, 10, 0),
            end=local(2026, 11, 2, 11, 0),
        )
        equipment_update(by=staff, equipment=emulsifier, status="maintenance", reason="Panne")
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    services.charges_collect()
    assert not Charge.objects.filter(booking=booked).exists()


def test_a_credit_note_and_payments_settle_the_balance(issued, staff):
    no_show = issued.lines.get(charge__kind=ChargeKind.NO_SHOW)
    with travel(2026, 12, 5, 10, 0):
        note = services.credit_note_create(
            by=staff,
            invoice=issued,
            reason="No-show excusé (panne de courant)",
            lines=[{"line": no_show.pk}],
        )
    assert note.number == "AV-2026-000001"
    assert (note.total_ht, note.total_vat, note.total_ttc) == (
        Decimal("75.00"),
        Decimal("15.00"),
        Decimal("90.00"),
    )
    assert selectors.invoice_balance(issued) == Decimal("438.02")
    with travel(2026, 12, 10, 10, 0):
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=Decimal("400.00"),
            paid_on=datetime.date(2026, 12, 10),
            method="transfer",
        )
        issued.refresh_from_db()
        assert issued.status == InvoiceStatus.ISSUED
        assert selectors.invoice_balance(issued) == Decimal("38.02")
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=Decimal("38.02"),
            paid_on=datetime.date(2026, 12, 10),
            method="cheque",
            reference="CHQ 0042",
        )
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.PAID
    assert selectors.invoice_balance(issued) == Decimal("0.00")


def test_paying_more_than_the_balance_is_refused(issued, staff):
    from caiac.errors import Invalid

    with travel(2026, 12, 10, 10, 0), pytest.raises(Invalid) as refused:
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=Decimal("528.03"),
            paid_on=datetime.date(2026, 12, 10),
            method="transfer",
        )
    assert refused.value.code == "invalid_amount"


def test_crediting_the_whole_invoice_marks_it_credited(issued, staff):
    with travel(2026, 12, 5, 10, 0):
        note = services.credit_note_create(by=staff, invoice=issued, reason="Erreur de client")
    issued.refresh_from_db()
    assert note.total_ttc == Decimal("528.02")
    assert issued.status == InvoiceStatus.CREDITED
    assert selectors.invoice_balance(issued) == Decimal("0.00")


def test_the_statement_runs_the_balance_in_date_order(issued, staff, organisation, owner):
    with travel(2026, 12, 10, 10, 0):
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=Decimal("28.02"),
            paid_on=datetime.date(2026, 12, 9),
            method="cash",
        )
    with travel(2027, 1, 15, 10, 0):
        statement = selectors.statement_for(person=owner, organisation_id=organisation.pk)
    assert [(e.reference, e.debit, e.credit, e.balance) for e in statement.entries] == [
        ("2026-000001", Decimal("528.02"), Decimal("0.00"), Decimal("528.02")),
        ("2026-000001", Decimal("0.00"), Decimal("28.02"), Decimal("500.00")),
    ]
    assert statement.balance == Decimal("500.00")
    assert statement.overdue == Decimal("500.00")  # due on 1 January
