"""What a review of billing found, each proven fixed: a draft built while it is issued, the
status and balance after payments and credit notes, where invoices are emailed, and the
invoice's language."""

import datetime
import email
import html
import io
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test import Client
from openpyxl import load_workbook

from billing import selectors, services
from billing.exports import invoice_pdf_bytes
from billing.models import Charge, CustomerProfile, Invoice, InvoiceStatus
from billing.money import round_money
from billing.services import charges as charges_module
from billing.services import invoices as invoices_module
from booking import services as booking_services
from caiac.errors import Conflict, Invalid, NotAllowed
from caiac.exports import XLSX_CONTENT_TYPE
from caiac.notifications.models import Message
from caiac.notifications.rendering import email_build
from tests.billing.conftest import travel
from tests.billing.test_invoicing import _drafts_for
from tests.billing.test_pdf import text_of
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

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
        response = client_for(staff).post(
            f"/api/v1/billing/invoices/{drafted.pk}/issue/", HTTP_ACCEPT_LANGUAGE="en"
        )
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
    warning = staff_client.get(
        f"/api/v1/billing/invoices/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()["delivery_warning"]
    assert "not emailed" in warning
    page = signed_in(staff).get(f"/billing/invoices/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en")
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


# --- 6. Owners keep their organisation's invoicing details from the statement page ------------


DETAILS = {
    "legal_name": "Coopérative Agricole Amalou SARL",
    "ice": "001234567000089",
    "address": "Douar Tamaït, Agadir",
    "email": "compta@amalou.ma",
    "language": "fr",
}


def test_the_owner_edits_the_invoicing_details_on_the_statement_page(owner, organisation):
    client = signed_in(owner)
    url = f"/billing/statement/{organisation.pk}/"
    page = client.get(url).content.decode()
    assert 'id="invoicing-details"' in page
    assert 'name="legal_name"' in page and 'name="email"' in page
    response = client.post(url, DETAILS)
    assert response.status_code == 302
    profile = CustomerProfile.objects.get(organisation=organisation)
    assert (profile.legal_name, profile.ice, profile.address, profile.email) == (
        DETAILS["legal_name"],
        DETAILS["ice"],
        DETAILS["address"],
        DETAILS["email"],
    )
    assert DETAILS["legal_name"] in client.get(url).content.decode()  # shown again, filled in


def test_the_next_invoice_states_the_legal_name_and_goes_to_the_invoicing_email(
    owner, drafted, staff
):
    signed_in(owner).post(f"/billing/statement/{drafted.organisation_id}/", DETAILS)
    with travel(2026, 12, 2, 10, 0):
        issued = services.invoice_issue(by=staff, invoice=drafted)
    assert issued.customer_name == DETAILS["legal_name"]
    assert issued.customer_ice == DETAILS["ice"]
    assert Message.objects.get(kind="billing.invoice_issued").to_email == DETAILS["email"]


def test_a_wrong_ice_is_refused_inline_and_nothing_is_saved(owner, organisation):
    response = signed_in(owner).post(
        f"/billing/statement/{organisation.pk}/", DETAILS | {"ice": "12345"}
    )
    assert response.status_code == 200
    assert "15" in response.content.decode()
    assert not CustomerProfile.objects.filter(organisation=organisation).exists()


def test_only_owners_and_staff_change_invoicing_details(member, owner, staff, organisation):
    url = f"/billing/statement/{organisation.pk}/"
    assert signed_in(member).post(url, DETAILS).status_code == 404  # not an owner: no statement
    outsider = UserFactory(username="karim")
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role="owner")
    assert signed_in(outsider).post(url, DETAILS).status_code == 404
    assert not CustomerProfile.objects.exists()
    assert signed_in(staff).post(url, DETAILS | {"legal_name": "Par le lab"}).status_code == 302
    assert CustomerProfile.objects.get().legal_name == "Par le lab"


def test_the_service_refuses_a_member_who_is_not_owner(member, organisation):
    with pytest.raises(NotAllowed):
        services.customer_profile_update(by=member, organisation=organisation, email="x@y.ma")


def test_the_api_reads_and_writes_the_legal_name(owner, organisation, client_for):
    url = f"/api/v1/billing/customers/{organisation.pk}/"
    response = client_for(owner).put(url, {"legal_name": "Amalou SARL"}, format="json")
    assert response.status_code == 200
    assert client_for(owner).get(url).json()["legal_name"] == "Amalou SARL"


# --- 8. The accountant's journal as a spreadsheet ----------------------------------------------


def test_the_journal_is_also_a_spreadsheet_with_numbers_as_numbers(issued, staff, client_for):
    with travel(2026, 12, 10, 12, 0):
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=Decimal("100.00"),
            paid_on=datetime.date(2026, 12, 10),
            method="cheque",
        )
    response = client_for(staff).get(
        "/api/v1/billing/journal.xlsx", {"from": "2026-12-01", "to": "2026-12-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "journal-2026-12-01-2026-12-31.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == "2026-000001"
    assert rows[1][7] == pytest.approx(float(issued.total_ttc))  # a number, not text
    assert rows[2][7] == 100
    assert len(rows) == 3


def test_the_journal_reads_its_from_parameter_by_its_name(staff, client_for):
    client = client_for(staff)
    for fmt in ("csv", "xlsx"):
        missing = client.get(f"/api/v1/billing/journal.{fmt}", {"to": "2026-12-31"})
        assert missing.status_code == 400
        assert list(missing.json()["fields"]) == ["from"]
        backwards = client.get(
            f"/api/v1/billing/journal.{fmt}", {"from": "2026-12-31", "to": "2026-12-01"}
        )
        assert backwards.status_code == 400
        assert list(backwards.json()["fields"]) == ["to"]


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "Accountant's journal (XLSX)"),
        ("fr", "Journal pour le comptable (XLSX)"),
        ("ar", "دفتر المحاسب (XLSX)"),
    ],
)
def test_the_staff_billing_page_links_the_spreadsheet_journal(staff, language, label):
    staff.language = language
    staff.save(update_fields=["language"])
    page = signed_in(staff).get("/billing/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert html.escape(label, quote=True) in page or label in page
    assert "/api/v1/billing/journal.xlsx?from=" in page


def test_members_cannot_download_the_journal(owner, client_for):
    response = client_for(owner).get(
        "/api/v1/billing/journal.xlsx", {"from": "2026-12-01", "to": "2026-12-31"}
    )
    assert response.status_code == 403


# --- 9. Booking prices rounded half up -----------------------------------------------------------


@pytest.mark.parametrize(("rate", "price"), [("10.01", "5.01"), ("20.01", "10.01")])
def test_a_booking_price_half_a_centime_is_rounded_up(member, rate, price):
    lab_open_weekdays()
    machine = EquipmentFactory(
        hourly_rate_member=Decimal(rate), hourly_rate_non_member=Decimal(rate)
    )
    with travel(2026, 11, 2, 8, 0):
        booking = booking_services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, 9, 9, 0),
            end=local(2026, 11, 9, 9, 30),
        )
    # Half an hour: 5.005 and 10.005 MAD; banker's rounding would give 5.00 and 10.00.
    assert booking.price == Decimal(price)


# --- 11. A line's quantity x unit price is its total ---------------------------------------------


def test_machine_time_lines_multiply_out_to_their_amount(member, staff, organisation):
    lab_open_weekdays()
    machine = EquipmentFactory(
        slot_minutes=10,
        min_duration_minutes=10,
        hourly_rate_member=Decimal("150.00"),
        hourly_rate_non_member=Decimal("150.00"),
    )
    bookings = []
    with travel(2026, 11, 2, 8, 0):
        for start, end in (((9, 0), (9, 40)), ((10, 0), (11, 30)), ((14, 0), (14, 20))):
            bookings.append(
                booking_services.booking_create(
                    user=member,
                    equipment=machine,
                    start=local(2026, 11, 9, *start),
                    end=local(2026, 11, 9, *end),
                )
            )
    for booking in bookings:
        with time_machine.travel(booking.start + datetime.timedelta(minutes=5), tick=False):
            booking_services.booking_check_in(user=staff, booking=booking)
    with travel(2026, 12, 1, 1, 30):
        [draft] = services.invoices_draft_month(year=2026, month=11)
    lines = list(draft.lines.all())
    assert len(lines) == 3
    for line in lines:
        assert round_money(line.quantity * line.unit_price) == line.amount_ht, line.description
    assert sorted(line.amount_ht for line in lines) == [
        Decimal("50.00"),
        Decimal("100.00"),
        Decimal("225.00"),
    ]
    ninety_minutes = next(line for line in lines if line.amount_ht == Decimal("225.00"))
    assert (ninety_minutes.quantity, ninety_minutes.unit_price) == (Decimal("1.5"), Decimal("150"))


# --- 12. Messages translated, dates in the person's format ---------------------------------------


def test_billing_validation_messages_speak_the_persons_language(staff, issued, client_for):
    client = client_for(staff)
    charge = client.post(
        "/api/v1/billing/charges/",
        {"item": 1, "quantity": "1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert charge.json()["fields"]["organisation"] == [
        "Indiquez pour quelle organisation ou quelle réservation."
    ]
    future = client.post(
        f"/api/v1/billing/invoices/{issued.pk}/payments/",
        {"amount": "1.00", "paid_on": "2099-01-01", "method": "cash"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert future.json()["fields"]["paid_on"] == [
        "Un paiement ne peut pas être daté dans le futur."
    ]
    backwards = client.get(
        "/api/v1/billing/journal.csv",
        {"from": "2026-12-31", "to": "2026-12-01"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert backwards.json()["fields"]["to"] == ["يجب ألا يسبق اليوم الأول."]


def test_the_payment_date_is_prefilled_and_accepts_the_day_month_year_shown(staff, issued):
    client = signed_in(staff)
    with travel(2026, 12, 12, 10, 0):
        page = client.get(f"/billing/invoices/{issued.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
        # ISO in the value, or the browser's date picker shows an empty field.
        assert 'name="paid_on" value="2026-12-12"' in page.content.decode()
        response = client.post(
            f"/billing/invoices/{issued.pk}/payment/",
            {"amount": "10.00", "paid_on": "10/12/2026", "method": "cash"},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 302
    assert issued.payments.get().paid_on == datetime.date(2026, 12, 10)


# --- 13. Checkboxes laid out as Bootstrap's ------------------------------------------------------


def test_the_lines_to_credit_are_bootstrap_checkboxes(staff, issued):
    page = signed_in(staff).get(f"/billing/invoices/{issued.pk}/").content.decode()
    group = page[page.index('id="id_lines"') - 5 :]
    group = group[: group.index("</fieldset>")]
    assert 'id="id_lines" class' not in group  # no input class on the group's container
    count = issued.lines.count()
    assert group.count('<div class="form-check">') == count
    assert group.count('class="form-check-input"') == count
    assert group.count('class="form-check-label"') == count
