"""Drafting each month once, issuing with gapless numbers, the owners told with the PDF."""

import datetime
import email
import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing import services
from billing.models import Charge, Invoice, InvoiceStatus, NumberSeries
from billing.tasks import draft_monthly_invoices, remind_overdue_invoices
from caiac.errors import Conflict
from caiac.notifications.models import Message
from caiac.notifications.rendering import email_build
from tests.billing.conftest import travel
from tests.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_monthly_task_run_twice_drafts_once(november):
    with travel(2026, 12, 1, 1, 30):
        assert draft_monthly_invoices.delay().get() == 1
        assert draft_monthly_invoices.delay().get() == 0
    [draft] = Invoice.objects.all()
    assert draft.status == InvoiceStatus.DRAFT
    assert draft.number is None
    assert (draft.period_start, draft.period_end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert draft.lines.count() == 6


def test_charges_are_collected_once_however_often_collection_runs(november):
    with travel(2026, 12, 1, 1, 30):
        first = services.charges_collect()
        again = services.charges_collect()
    assert (first, again) == (3, 0)  # machine time, no-show fee, late cancellation fee
    assert Charge.objects.filter(booking=november["used"], kind="booking").count() == 1


def test_a_charge_collected_late_joins_the_open_draft(drafted, november, staff, items):
    with travel(2026, 12, 3, 9, 0):
        services.charge_add(
            by=staff, booking=november["used"], item=items["jars"], quantity=Decimal("2")
        )
        [again] = services.invoices_draft_month(year=2026, month=11)
    assert again.pk == drafted.pk
    assert again.lines.count() == 7


def test_issuing_gives_the_next_number_and_freezes_the_invoice(issued, staff, items, november):
    assert issued.status == InvoiceStatus.ISSUED
    assert issued.customer_name == "Coopérative Amalou"
    with pytest.raises(Conflict):
        services.invoice_issue(by=staff, invoice=issued)
    # A charge on an issued invoice can no longer be waived: corrections are credit notes.
    with pytest.raises(Conflict) as refused:
        services.charge_waive(by=staff, charge=issued.charges.first(), reason="Trop tard")
    assert refused.value.code == "charge_invoiced"


def test_a_failed_issue_consumes_no_number(drafted, staff, monkeypatch):
    import billing.pdf

    def broken(invoice):
        raise RuntimeError("disk full")

    monkeypatch.setattr(billing.pdf, "invoice_pdf", broken)
    with travel(2026, 12, 2, 10, 0), pytest.raises(RuntimeError):
        services.invoice_issue(by=staff, invoice=drafted)
    drafted.refresh_from_db()
    assert (drafted.status, drafted.number) == (InvoiceStatus.DRAFT, None)
    monkeypatch.undo()
    with travel(2026, 12, 2, 10, 5):
        issued = services.invoice_issue(by=staff, invoice=drafted)
    assert issued.number == "2026-000001"


def test_owners_receive_the_invoice_with_its_pdf_in_their_language(issued, owner, member):
    [message] = Message.objects.filter(kind="billing.invoice_issued")
    assert message.recipient == owner  # members who are not owners see no money matters
    mail = email.message_from_bytes(email_build(message).message().as_bytes())
    assert "2026-000001" in mail["Subject"]
    [pdf] = [part for part in mail.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "2026-000001.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_an_overdue_invoice_is_reminded_once_per_due_date(issued, owner, staff):
    with travel(2026, 12, 20, 9, 0):
        assert remind_overdue_invoices.delay().get() == 0  # not due yet
    with travel(2027, 1, 2, 9, 0):
        assert remind_overdue_invoices.delay().get() == 1
        assert remind_overdue_invoices.delay().get() == 0
    with travel(2027, 1, 3, 9, 0):
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=issued.total_ttc,
            paid_on=datetime.date(2027, 1, 3),
            method="transfer",
        )
        assert remind_overdue_invoices.delay().get() == 0
    assert Message.objects.filter(kind="billing.invoice_overdue").count() == 1


def _drafts_for(count: int) -> list[Invoice]:
    staff = StaffFactory(username="comptable")
    drafts = []
    for n in range(count):
        organisation = OrganisationFactory(name=f"Start-up {n:02d}")
        charge = Charge.objects.create(
            organisation=organisation,
            kind="item",
            description="Pots",
            quantity=1,
            unit_price=Decimal("10.00"),
            vat_rate=Decimal("20"),
            amount=Decimal("10.00"),
            service_date=datetime.date(2026, 11, 10),
        )
        drafts.append(charge)
    with travel(2026, 12, 1, 1, 30):
        return staff, services.invoices_draft_month(year=2026, month=11)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_twenty_consecutive_numbers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff, drafts = _drafts_for(20)
    barrier = threading.Barrier(len(drafts))
    errors = []

    def issue(draft):
        try:
            barrier.wait()
            services.invoice_issue(by=staff, invoice=draft)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    with travel(2026, 12, 2, 10, 0):
        threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 21)]
    assert NumberSeries.objects.get(series="invoice", year=2026).last == 20


def test_drafting_and_overdue_reminders_run_daily_on_the_beat_schedule():
    """Drafting daily, not only on the 1st, so that a missed night is caught up (idempotent)."""
    from caiac.celery import app

    tasks = {
        "billing-draft-monthly-invoices": (draft_monthly_invoices, {1}, {30}),
        "billing-remind-overdue-invoices": (remind_overdue_invoices, {9}, {0}),
    }
    for name, (task, hour, minute) in tasks.items():
        entry = app.conf.beat_schedule[name]
        assert entry["task"] == task.name
        schedule = entry["schedule"]
        assert (schedule.hour, schedule.minute) == (hour, minute)
        assert schedule.day_of_month == set(range(1, 32))  # every day
