"""Billing pages: owners read theirs, staff run it all, nobody else sees money."""

import datetime

import pytest
from django.test import Client

from billing.models import Charge, Invoice, InvoiceStatus
from tests.billing.conftest import travel
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_owner(db):
    user = UserFactory(username="karim")
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Autre SARL"), role="owner")
    return user


@pytest.mark.parametrize(
    ("who", "listing", "detail", "pdf", "statement", "charges"),
    [
        ("anonymous", 302, 302, 302, 302, 302),
        ("member", 200, 404, 404, 404, 403),
        ("other_owner", 200, 404, 404, 404, 403),
        ("owner", 200, 200, 200, 200, 403),
        ("staff", 200, 200, 200, 200, 200),
    ],
)
def test_who_opens_which_billing_page(
    request, issued, organisation, who, listing, detail, pdf, statement, charges
):
    client = Client() if who == "anonymous" else signed_in(request.getfixturevalue(who))
    assert client.get("/billing/").status_code == listing
    assert client.get(f"/billing/invoices/{issued.pk}/").status_code == detail
    assert client.get(f"/billing/invoices/{issued.pk}/pdf/").status_code == pdf
    assert client.get(f"/billing/statement/{organisation.pk}/").status_code == statement
    assert client.get("/billing/charges/").status_code == charges


def test_the_owner_sees_the_invoice_and_its_balance(owner, issued):
    page = signed_in(owner).get("/billing/").content.decode()
    assert "2026-000001" in page
    assert "528,02" in page
    detail = signed_in(owner).get(f"/billing/invoices/{issued.pk}/").content.decode()
    assert "Émulsionneur sous vide" in detail
    assert "Enregistrer un paiement" not in detail  # staff only


def test_a_member_who_is_not_owner_sees_no_invoice(member, issued):
    page = signed_in(member).get("/billing/").content.decode()
    assert "2026-000001" not in page


def test_staff_issue_a_draft_then_record_a_payment_from_the_page(staff, drafted):
    client = signed_in(staff)
    with travel(2026, 12, 2, 10, 0):
        response = client.post(f"/billing/invoices/{drafted.pk}/issue/")
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.number == "2026-000001"
    with travel(2026, 12, 5, 10, 0):
        client.post(
            f"/billing/invoices/{drafted.pk}/payment/",
            {"amount": "528.02", "paid_on": "2026-12-05", "method": "transfer"},
        )
    drafted.refresh_from_db()
    assert drafted.status == InvoiceStatus.PAID


def test_a_refused_payment_is_said_on_the_page(staff, issued):
    client = signed_in(staff)
    with travel(2026, 12, 5, 10, 0):
        response = client.post(
            f"/billing/invoices/{issued.pk}/payment/",
            {"amount": "9999", "paid_on": "2026-12-05", "method": "transfer"},
            follow=True,
        )
    assert "invalid_amount" in response.content.decode()
    assert not issued.payments.exists()


def test_staff_credit_an_invoice_from_the_page(staff, issued):
    client = signed_in(staff)
    with travel(2026, 12, 5, 10, 0):
        response = client.post(
            f"/billing/invoices/{issued.pk}/credit-note/", {"reason": "Erreur"}, follow=True
        )
    note = Invoice.objects.get(kind="credit_note")
    assert response.redirect_chain[-1][0] == f"/billing/invoices/{note.pk}/"
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.CREDITED


def test_staff_charge_materials_from_the_page(staff, organisation, items):
    response = signed_in(staff).post(
        "/billing/charges/",
        {
            "organisation": organisation.pk,
            "item": items["jars"].pk,
            "quantity": "12",
            "service_date": "2026-11-20",
        },
    )
    assert response.status_code == 302
    charge = Charge.objects.get()
    assert (charge.amount, charge.service_date) == (
        __import__("decimal").Decimal("40.20"),
        datetime.date(2026, 11, 20),
    )


def test_a_charge_for_an_unknown_booking_is_refused_inline(staff, organisation, items):
    response = signed_in(staff).post(
        "/billing/charges/",
        {
            "organisation": organisation.pk,
            "item": items["jars"].pk,
            "quantity": "1",
            "booking": "999999",
        },
    )
    assert response.status_code == 200
    assert not Charge.objects.exists()


def test_billing_pages_run_a_bounded_number_of_queries(
    staff, owner, issued, django_assert_max_num_queries
):
    for client, url in [
        (signed_in(staff), "/billing/"),
        (signed_in(staff), "/billing/?view=all"),
        (signed_in(staff), f"/billing/invoices/{issued.pk}/"),
        (signed_in(staff), "/billing/charges/"),
        (signed_in(owner), "/billing/"),
    ]:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
