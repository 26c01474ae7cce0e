"""What staff read off billing: the month's revenue, the receivables (overdue first) and the
accountant's journal with a credit note in it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing import selectors, services
from billing.models import ChargeKind
from tests.billing.conftest import travel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/billing/"


@pytest.fixture
def two_invoices(november, staff, organisation, other_organisation, items, settings):
    """November invoiced to two organisations. Atlas's invoice is issued first on 60-day terms,
    then the lab shortens its terms to 15 days and issues Amalou's: the higher number falls due
    first."""
    with travel(2026, 11, 20, 12, 0):
        services.charge_add(
            by=staff, organisation=other_organisation, item=items["jars"], quantity=Decimal("10")
        )
    with travel(2026, 12, 1, 1, 30):
        drafts = {d.organisation_id: d for d in services.invoices_draft_month(year=2026, month=11)}
    settings.BILLING_PAYMENT_DAYS = 60
    with travel(2026, 12, 2, 10, 0):
        atlas = services.invoice_issue(by=staff, invoice=drafts[other_organisation.pk])
    settings.BILLING_PAYMENT_DAYS = 15
    with travel(2026, 12, 3, 10, 0):
        amalou = services.invoice_issue(by=staff, invoice=drafts[organisation.pk])
    assert (atlas.number, atlas.due_date) == ("2026-000001", datetime.date(2027, 1, 31))
    assert (amalou.number, amalou.due_date) == ("2026-000002", datetime.date(2026, 12, 18))
    return {"amalou": amalou, "atlas": atlas}


@pytest.fixture
def credited_in_january(two_invoices, staff):
    """The no-show on Amalou's invoice is excused on 5 January: a credit note of 75.00 HT."""
    amalou = two_invoices["amalou"]
    with travel(2027, 1, 5, 10, 0):
        return services.credit_note_create(
            by=staff,
            invoice=amalou,
            reason="No-show excusé",
            lines=[{"line": amalou.lines.get(charge__kind=ChargeKind.NO_SHOW).pk}],
        )


def test_receivables_put_the_overdue_invoice_first_whatever_its_number(
    client_for, staff, two_invoices
):
    with travel(2027, 1, 5, 10, 0):
        response = client_for(staff).get(f"{BASE}receivables/")
    rows = [(row["number"], row["is_overdue"]) for row in response.data]
    assert rows == [("2026-000002", True), ("2026-000001", False)]


def test_a_paid_invoice_leaves_the_receivables(client_for, staff, two_invoices):
    atlas = two_invoices["atlas"]
    with travel(2027, 1, 5, 10, 0):
        services.payment_record(
            by=staff,
            invoice=atlas,
            amount=atlas.total_ttc,
            paid_on=datetime.date(2027, 1, 5),
            method="transfer",
        )
        response = client_for(staff).get(f"{BASE}receivables/")
    assert [row["number"] for row in response.data] == ["2026-000002"]


def test_revenue_by_month_is_invoiced_less_credited_excluding_vat(credited_in_january):
    months = selectors.revenue_by_month(
        start=datetime.date(2026, 11, 1), end=datetime.date(2027, 1, 31)
    )
    assert [(m["month"], m["invoiced"], m["credited"], m["net"]) for m in months] == [
        # 472.20 (Amalou) + 33.50 (Atlas: 10 jars at 3.35)
        (datetime.date(2026, 12, 1), Decimal("505.70"), Decimal("0.00"), Decimal("505.70")),
        (datetime.date(2027, 1, 1), Decimal("0.00"), Decimal("75.00"), Decimal("-75.00")),
    ]


def test_the_staff_dashboard_shows_each_months_invoiced_revenue(client, staff, credited_in_january):
    with travel(2027, 1, 20, 10, 0):
        client.force_login(staff)
        response = client.get("/staff/?from=2026-12-01&to=2027-01-31")
    (revenue,) = [c for c in response.context["charts"] if c["id"] == "revenue"]
    assert [(month, invoiced) for month, _booked, invoiced in revenue["rows"]] == [
        ("2026-12", Decimal("505.70")),
        ("2027-01", Decimal("-75.00")),
    ]


def test_the_journal_has_the_credit_note_as_negative_amounts_next_to_its_invoice(
    client_for, staff, two_invoices, credited_in_january
):
    note = credited_in_january
    response = client_for(staff).get(f"{BASE}journal.csv?from=2027-01-01&to=2027-01-31")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2  # header + the credit note
    date, _kind, number, customer, _ice, ht, vat, ttc, _method, reason, invoice = rows[1]
    assert (date, number, customer) == ("2027-01-05", note.number, "Coopérative Amalou")
    assert (ht, vat, ttc) == ("-75.00", "-15.00", "-90.00")  # numbers a spreadsheet adds up
    assert (reason, invoice) == ("No-show excusé", "2026-000002")

    response = client_for(staff).get(f"{BASE}journal.xlsx?from=2027-01-01&to=2027-01-31")
    sheet = load_workbook(io.BytesIO(response.content)).active
    (row,) = list(sheet.iter_rows(values_only=True))[1:]
    assert row[5:8] == (-75, -15, -90)
