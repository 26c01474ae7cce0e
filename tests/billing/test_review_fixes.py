"""What a review of billing found, each proven fixed: a draft built while it is issued, the
status and balance after payments and credit notes, where invoices are emailed, and the
invoice's language."""

import datetime
import email
import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test import Client

from billing import selectors, services
from billing.exports import invoice_pdf_bytes
from billing.models import Charge, CustomerProfile, Invoice, InvoiceStatus
from billing.services import charges as charges_module
from billing.services import invoices as invoices_module
from caiac.errors import Conflict, Invalid
from caiac.notifications.models import Message
from caiac.notifications.rendering import email_build
from tests.billing.conftest import travel
from tests.billing.test_invoicing import _drafts_for
from tests.billing.test_pdf import text_of
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PAUSE = 1.5  # seconds a transaction is held open so that the other thread runs into it


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _item_charge(organisation, description: str, amount: str) -> Charge:
    return Charge.objects.create(
        organisation=organisation,
        kind="item",
        description=description,
        quantity=1,
        unit_price=Decimal(amount),
        vat_rate=Decimal("20"),
        amount=Decimal(amount),
        service_date=datetime.date(2026, 11, 20),
    )


def _in_threads(*targets) -> list[str]:
    errors: list[str] = []

    def run(target):
        try:
            target()
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_lines_are_its_charges(invoice: Invoice) -> None:
    invoice.refresh_from_db()
    lines = list(invoice.lines.all())
    charges = set(invoice.charges.filter(waived_at__isnull=True).values_list("pk", flat=True))
    assert sorted(line.charge_id for line in lines) == sorted(charges)  # one line per charge
    assert sum(line.amount_ttc for line in lines) == invoice.total_ttc


# --- 1. Drafts are locked while they are built, issued or changed ------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_charge_drafted_while_its_invoice_is_issued_goes_to_a_new_draft(
    settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    staff, [draft] = _drafts_for(1)
    late = _item_charge(draft.organisation, "Azote liquide", "5.00")
    issuing = threading.Event()
    real_next_number = invoices_module.next_number

    def slow_next_number(**kwargs):
        issuing.set()  # the issuer holds the draft's lock from here to its commit
        time.sleep(PAUSE)
        return real_next_number(**kwargs)

    monkeypatch.setattr(invoices_module, "next_number", slow_next_number)
    issued = {}

    def issue():
        issued["invoice"] = services.invoice_issue(by=staff, invoice=draft)

    def draft_again():
        assert issuing.wait(10)
        services.invoices_draft_month(year=2026, month=11)

    with travel(2026, 12, 2, 10, 0):
        assert _in_threads(issue, draft_again) == []

    document = Invoice.objects.get(pk=draft.pk)
    assert document.status == InvoiceStatus.ISSUED
    # The issued invoice is what was issued: the late charge is not on it, its totals unchanged.
    assert document.total_ttc == issued["invoice"].total_ttc == Decimal("12.00")
    assert list(document.lines.values_list("description", flat=True)) == ["Pots"]
    _assert_lines_are_its_charges(document)
    late.refresh_from_db()
    assert late.invoice != document
    assert late.invoice.status == InvoiceStatus.DRAFT  # not lost: on the period's new draft
    _assert_lines_are_its_charges(late.invoice)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_draft_built_while_a_charge_on_it_is_waived_keeps_one_line_per_charge(monkeypatch):
    staff, [draft] = _drafts_for(1)
    kept = draft.charges.get()
    waived = _item_charge(draft.organisation, "Étiquettes", "7.00")
    with travel(2026, 12, 1, 2, 0):
        services.invoices_draft_month(year=2026, month=11)  # the draft now has two lines
    late = _item_charge(draft.organisation, "Azote liquide", "5.00")
    rebuilt = threading.Event()
    real_rebuild = charges_module.invoice_rebuild

    def rebuild_then_wait(*, invoice):
        result = real_rebuild(invoice=invoice)
        rebuilt.set()  # the waiver's transaction stays open a moment after its rebuild
        time.sleep(PAUSE)
        return result

    monkeypatch.setattr(charges_module, "invoice_rebuild", rebuild_then_wait)

    def waive():
        services.charge_waive(by=staff, charge=waived, reason="Mal imprimées")

    def draft_again():
        assert rebuilt.wait(10)
        services.invoices_draft_month(year=2026, month=11)

    with travel(2026, 12, 1, 3, 0):
        assert _in_threads(waive, draft_again) == []

    draft.refresh_from_db()
    assert sorted(draft.lines.values_list("charge_id", flat=True)) == sorted([kept.pk, late.pk])
    _assert_lines_are_its_charges(draft)
    assert draft.total_ttc == Decimal("18.00")


def test_a_waiver_of_a_charge_whose_draft_was_issued_meanwhile_is_refused(drafted, staff):
    charge = drafted.charges.filter(kind="item").first()
    with travel(2026, 12, 2, 10, 0):
        services.invoice_issue(by=staff, invoice=drafted)
    with pytest.raises(Conflict) as refused:
        services.charge_waive(by=staff, charge=charge, reason="Trop tard")
    assert refused.value.code == "charge_invoiced"


# --- 2. and 3. Status and balance after payments and credit notes ------------------------------


def _pay(staff, invoice, amount, day=datetime.date(2026, 12, 10)):
    with travel(2026, 12, 10, 12, 0):
        return services.payment_record(
            by=staff, invoice=invoice, amount=amount, paid_on=day, method="transfer"
        )


def _credit(staff, invoice, line):
    with travel(2026, 12, 11, 12, 0):
        return services.credit_note_create(
            by=staff, invoice=invoice, reason="Erreur de saisie", lines=[{"line": line.pk}]
        )


def test_a_partial_payment_leaves_the_invoice_issued_with_its_balance(issued, staff):
    _pay(staff, issued, Decimal("100.00"))
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.ISSUED
    assert selectors.invoice_balance(issued) == issued.total_ttc - Decimal("100.00")


def test_paying_the_whole_balance_makes_the_invoice_paid(issued, staff):
    _pay(staff, issued, Decimal("100.00"))
    _pay(staff, issued, issued.total_ttc - Decimal("100.00"))
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.PAID
    assert selectors.invoice_balance(issued) == 0


def test_paying_more_than_the_balance_is_refused_and_changes_nothing(issued, staff):
    with pytest.raises(Invalid) as refused:
        _pay(staff, issued, issued.total_ttc + Decimal("0.01"))
    assert refused.value.code == "invalid_amount"
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.ISSUED
    assert not issued.payments.exists()


def test_a_credit_note_for_what_the_payments_left_due_makes_the_invoice_paid(issued, staff):
    line = issued.lines.order_by("-amount_ttc").last()
    _pay(staff, issued, issued.total_ttc - line.amount_ttc)
    _credit(staff, issued, line)
    issued.refresh_from_db()
    assert selectors.invoice_balance(issued) == 0
    assert issued.status == InvoiceStatus.PAID  # not left "issued" with nothing due
    assert issued not in selectors.receivables()


def test_crediting_a_paid_invoice_leaves_its_balance_at_zero_not_below(issued, staff, owner):
    _pay(staff, issued, issued.total_ttc)
    line = issued.lines.order_by("amount_ttc").last()
    note = _credit(staff, issued, line)
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.PAID
    assert selectors.invoice_balance(issued) == 0
    fetched = selectors.invoice_get_for_person(person=owner, pk=issued.pk)
    assert fetched.balance == 0
    # The statement counts each document once: the organisation is owed the credit note.
    statement = selectors.statement_for(person=owner, organisation_id=issued.organisation_id)
    assert statement.balance == -note.total_ttc
    assert statement.overdue == 0
    assert issued not in selectors.receivables()


def test_crediting_a_partly_paid_invoice_whole_leaves_it_credited_at_zero(issued, staff, owner):
    _pay(staff, issued, Decimal("100.00"))
    with travel(2026, 12, 11, 12, 0):
        note = services.credit_note_create(by=staff, invoice=issued, reason="Annulée")
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.CREDITED
    assert selectors.invoice_balance(issued) == 0
    statement = selectors.statement_for(person=owner, organisation_id=issued.organisation_id)
    assert statement.balance == issued.total_ttc - note.total_ttc - Decimal("100.00")


# --- 4. Invoices go to the organisation's invoicing email --------------------------------------


def _profile(organisation, **values) -> CustomerProfile:
    profile, _created = CustomerProfile.objects.update_or_create(
        organisation=organisation, defaults=values
    )
    return profile


def test_an_issued_invoice_is_emailed_to_the_invoicing_address_with_its_pdf(drafted, staff, owner):
    _profile(drafted.organisation, email="compta@amalou.ma")
    with travel(2026, 12, 2, 10, 0):
        issued = services.invoice_issue(by=staff, invoice=drafted)
    [message] = Message.objects.filter(kind="billing.invoice_issued")
    assert message.to_email == "compta@amalou.ma"
    assert message.recipient is None
    mail = email_build(message).message()
    assert mail["To"] == "compta@amalou.ma"
    parsed = email.message_from_bytes(mail.as_bytes())
    [pdf] = [part for part in parsed.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{issued.number}.pdf"


def test_the_overdue_reminder_goes_to_the_invoicing_address_too(drafted, staff, owner):
    _profile(drafted.organisation, email="compta@amalou.ma")
    with travel(2026, 12, 2, 10, 0):
        services.invoice_issue(by=staff, invoice=drafted)
    with travel(2027, 1, 2, 9, 0):
        assert services.overdue_reminders_send() == 1
    [reminder] = Message.objects.filter(kind="billing.invoice_overdue")
    assert reminder.to_email == "compta@amalou.ma"


def _speaks_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_without_an_invoicing_address_the_owners_get_it_and_staff_are_told(
    drafted, staff, owner, client_for
):
    _speaks_english(staff)
    with travel(2026, 12, 2, 10, 0):
        response = client_for(staff).post(f"/api/v1/billing/invoices/{drafted.pk}/issue/")
    assert response.status_code == 200
    assert "owners" in response.json()["delivery_warning"]
    [message] = Message.objects.filter(kind="billing.invoice_issued")
    assert message.recipient == owner


def test_an_organisation_nobody_can_be_written_to_gets_a_warning_not_a_silent_non_send(
    staff, client_for
):
    _speaks_english(staff)
    lonely = OrganisationFactory(name="Sans Contact SARL")
    draft = Invoice.objects.create(organisation=lonely, period_start=datetime.date(2026, 11, 1))
    staff_client = client_for(staff)
    warning = staff_client.get(f"/api/v1/billing/invoices/{draft.pk}/").json()["delivery_warning"]
    assert "not emailed" in warning
    page = signed_in(staff).get(f"/billing/invoices/{draft.pk}/")
    assert 'id="delivery-warning"' in page.content.decode()
    assert "not emailed" in page.content.decode()
    _profile(lonely, email="contact@sanscontact.ma")
    detail = staff_client.get(f"/api/v1/billing/invoices/{draft.pk}/").json()
    assert detail["delivery_warning"] == ""
    listed = staff_client.get("/api/v1/billing/invoices/").json()
    assert [row["delivery_warning"] for row in listed["results"]] == [""]


def test_owners_do_not_see_the_staff_warning_on_the_page(issued, owner):
    page = signed_in(owner).get(f"/billing/invoices/{issued.pk}/")
    assert page.status_code == 200
    assert 'id="delivery-warning"' not in page.content.decode()


# --- 5. The invoice's language is the one at issue, stored -------------------------------------


def test_the_invoice_language_is_taken_at_issue_and_kept(drafted, staff, owner):
    owner.language = "en"
    owner.save(update_fields=["language"])
    _profile(drafted.organisation, language="ar")  # changed after drafting, before issue
    with travel(2026, 12, 2, 10, 0):
        issued = services.invoice_issue(by=staff, invoice=drafted)
    issued.refresh_from_db()
    assert issued.language == "ar"
    [message] = Message.objects.filter(kind="billing.invoice_issued")
    assert message.language == "ar"  # the email speaks the attached PDF's language
    # Preferences changed later change neither the document nor a copy re-drawn from it.
    _profile(drafted.organisation, language="fr")
    owner.language = "fr"
    owner.save(update_fields=["language"])
    issued.pdf.delete(save=True)
    issued.refresh_from_db()
    text = text_of(invoice_pdf_bytes(issued))
    assert "فاتورة" in text or "ةروتاف" in text


def test_a_credit_note_keeps_the_language_of_its_invoice(issued, staff):
    _profile(issued.organisation, language="en")
    with travel(2026, 12, 11, 12, 0):
        note = services.credit_note_create(by=staff, invoice=issued, reason="Annulée")
    assert note.language == issued.language == "fr"


# --- 10. Idempotent creates swallow only the clash they expect --------------------------------


def test_collecting_an_already_collected_booking_charge_is_quietly_skipped(november):
    assert services.charges_collect() > 0
    assert services.charges_collect() == 0


def test_an_integrity_error_other_than_already_collected_is_raised_not_swallowed(organisation):
    values = {
        "organisation_id": organisation.pk,
        "kind": "item",
        "description": "Quantité nulle",
        "service_date": datetime.date(2026, 11, 20),
        "quantity": Decimal("0"),  # breaks charge_amounts_positive, not the once-only rule
        "unit": "",
        "unit_price": Decimal("1.00"),
        "vat_rate": Decimal("20"),
        "amount": Decimal("1.00"),
    }
    with pytest.raises(IntegrityError):
        charges_module._create_once(**values)
    assert not Charge.objects.exists()


def test_a_second_monthly_draft_of_a_period_is_never_made_beside_the_first(november):
    with travel(2026, 12, 1, 1, 30):
        [first] = services.invoices_draft_month(year=2026, month=11)
        assert services.invoices_draft_month(year=2026, month=11) == []
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).get() == first
