"""The billing API as its clients use it, and who may see what (another organisation: 404)."""

import datetime
from decimal import Decimal

import pytest

from billing.models import Invoice
from tests.billing.conftest import travel
from tests.factories import MembershipFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/billing/"


@pytest.fixture
def people(owner, member, other_member, staff):
    other_owner = UserFactory(username="karim")
    MembershipFactory(
        user=other_owner, organisation=other_member.memberships.get().organisation, role="owner"
    )
    return {
        "owner": owner,
        "member": member,
        "other_owner": other_owner,
        "trainer": TrainerFactory(username="rachid"),
        "staff": staff,
    }


def client(client_for, api_client, people, who):
    return api_client if who == "anonymous" else client_for(people[who])


# (who, expected status of: invoice list count, detail, pdf, statement)
TABLE = [
    ("anonymous", 401, 401, 401, 401),
    ("member", 0, 404, 404, 404),
    ("trainer", 0, 404, 404, 404),
    ("other_owner", 0, 404, 404, 404),
    ("owner", 1, 200, 200, 200),
    ("staff", 1, 200, 200, 200),
]


@pytest.mark.parametrize(("who", "listed", "detail", "pdf", "statement"), TABLE)
def test_who_sees_an_issued_invoice(
    client_for, api_client, people, issued, organisation, who, listed, detail, pdf, statement
):
    c = client(client_for, api_client, people, who)
    response = c.get(f"{BASE}invoices/")
    if isinstance(listed, int) and listed > 100:
        assert response.status_code == listed
    else:
        assert response.status_code == 200 if who != "anonymous" else 401
    if who != "anonymous":
        assert response.data["count"] == listed
    assert c.get(f"{BASE}invoices/{issued.pk}/").status_code == detail
    assert c.get(f"{BASE}invoices/{issued.pk}/pdf/").status_code == pdf
    assert c.get(f"{BASE}statement/?organisation={organisation.pk}").status_code == statement


@pytest.mark.parametrize("who", ["anonymous", "member", "trainer", "owner", "other_owner"])
def test_only_staff_write_billing(
    client_for, api_client, people, drafted, items, organisation, who
):
    c = client(client_for, api_client, people, who)
    expected = {401} if who == "anonymous" else {403, 404}
    attempts = [
        c.post(f"{BASE}invoices/{drafted.pk}/issue/"),
        c.post(f"{BASE}invoices/{drafted.pk}/credit-note/", {"reason": "x"}, format="json"),
        c.post(
            f"{BASE}invoices/{drafted.pk}/payments/",
            {"amount": "1.00", "paid_on": "2026-12-01", "method": "cash"},
            format="json",
        ),
        c.post(
            f"{BASE}charges/",
            {"item": items["jars"].pk, "quantity": "1", "organisation": organisation.pk},
            format="json",
        ),
        c.post(
            f"{BASE}price-list/",
            {"name": "Bouchons", "unit": "pièce", "unit_price": "1"},
            format="json",
        ),
        c.post(f"{BASE}invoices/draft-month/", {"year": 2026, "month": 11}, format="json"),
        c.get(f"{BASE}receivables/"),
        c.get(f"{BASE}journal.csv?from=2026-11-01&to=2026-12-31"),
    ]
    assert [r.status_code in expected for r in attempts] == [True] * len(attempts), [
        (r.status_code, getattr(r, "data", None)) for r in attempts
    ]
    drafted.refresh_from_db()
    assert drafted.status == "draft"


def test_staff_issue_a_draft_and_download_its_pdf(client_for, staff, drafted):
    c = client_for(staff)
    with travel(2026, 12, 2, 10, 0):
        response = c.post(f"{BASE}invoices/{drafted.pk}/issue/")
    assert response.status_code == 200, response.data
    assert response.data["number"] == "2026-000001"
    assert response.data["status"] == "issued"
    assert response.data["total_ttc"] == "528.02"
    assert response.data["balance"] == "528.02"
    pdf = c.get(f"{BASE}invoices/{drafted.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="2026-000001.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_a_draft_has_no_pdf_and_cannot_be_paid(client_for, staff, drafted):
    c = client_for(staff)
    assert c.get(f"{BASE}invoices/{drafted.pk}/pdf/").status_code == 409
    response = c.post(
        f"{BASE}invoices/{drafted.pk}/payments/",
        {"amount": "1.00", "paid_on": "2026-12-01", "method": "cash"},
        format="json",
    )
    assert (response.status_code, response.data["code"]) == (409, "invalid_state")


def test_owners_do_not_see_drafts(client_for, owner, drafted):
    assert client_for(owner).get(f"{BASE}invoices/").data["count"] == 0
    assert client_for(owner).get(f"{BASE}invoices/{drafted.pk}/").status_code == 404


def test_credit_note_and_payment_through_the_api(client_for, staff, issued):
    c = client_for(staff)
    line = issued.lines.get(description__startswith="Azote")
    with travel(2026, 12, 5, 10, 0):
        note = c.post(
            f"{BASE}invoices/{issued.pk}/credit-note/",
            {"reason": "Azote non livré", "lines": [{"line": line.pk}]},
            format="json",
        )
        assert note.status_code == 201, note.data
        assert (note.data["number"], note.data["total_ttc"]) == ("AV-2026-000001", "49.88")
        paid = c.post(
            f"{BASE}invoices/{issued.pk}/payments/",
            {"amount": "478.14", "paid_on": "2026-12-05", "method": "transfer"},
            format="json",
        )
    assert paid.status_code == 201, paid.data
    assert c.get(f"{BASE}invoices/{issued.pk}/").data["status"] == "paid"


def test_staff_charge_materials_and_waive_them(client_for, staff, organisation, items):
    c = client_for(staff)
    created = c.post(
        f"{BASE}charges/",
        {
            "item": items["nitrogen"].pk,
            "quantity": "2.5",
            "organisation": organisation.pk,
            "service_date": "2026-11-12",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert (created.data["amount"], created.data["vat_rate"]) == ("31.25", "14.00")
    waived = c.post(
        f"{BASE}charges/{created.data['id']}/waive/", {"reason": "Geste commercial"}, format="json"
    )
    assert waived.status_code == 200
    assert waived.data["waived"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item": 1, "quantity": "-1", "organisation": 1}, "quantity"),
        ({"item": 1, "quantity": "1"}, "organisation"),
        ({"item": 999, "quantity": "1", "organisation": 1}, "item"),
        ({"item": "1.5", "quantity": "1", "organisation": 1}, "item"),
    ],
)
def test_bad_charges_are_400_with_the_field(client_for, staff, organisation, items, body, field):
    body = {**body}
    if body.get("item") == 1:
        body["item"] = items["jars"].pk
    if body.get("organisation") == 1:
        body["organisation"] = organisation.pk
    response = client_for(staff).post(f"{BASE}charges/", body, format="json")
    assert response.status_code == 400
    assert field in response.data["fields"]


def test_the_accountant_journal_is_one_table_with_a_bom(client_for, staff, issued):
    with travel(2026, 12, 10, 10, 0):
        response = client_for(staff).get(f"{BASE}journal.csv?from=2026-12-01&to=2026-12-31")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = body.strip().splitlines()
    assert len(rows) == 2  # header + the invoice
    assert "2026-000001" in rows[1] and "528.02" in rows[1]


def test_a_formula_in_a_customer_name_comes_out_as_text(client_for, staff, issued):
    Invoice.objects.filter(pk=issued.pk).update(customer_name='=HYPERLINK("http://x")')
    body = client_for(staff).get(f"{BASE}journal.csv?from=2026-12-01&to=2026-12-31").content
    assert "'=HYPERLINK" in body.decode("utf-8")


def test_statement_and_receivables(client_for, staff, owner, issued, organisation):
    with travel(2027, 1, 5, 10, 0):
        statement = client_for(owner).get(f"{BASE}statement/?organisation={organisation.pk}")
        receivables = client_for(staff).get(f"{BASE}receivables/")
    assert statement.data["balance"] == "528.02"
    assert statement.data["overdue"] == "528.02"
    assert [row["number"] for row in receivables.data] == ["2026-000001"]
    assert receivables.data[0]["is_overdue"] is True


def test_owners_keep_their_invoicing_details(client_for, owner, member, organisation):
    url = f"{BASE}customers/{organisation.pk}/"
    response = client_for(owner).put(
        url,
        {"address": "Douar Amalou, Taroudant", "ice": "001234567000089", "language": "ar"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert client_for(member).get(url).status_code == 404
    bad = client_for(owner).put(url, {"ice": "12AB"}, format="json")
    assert (bad.status_code, list(bad.data["fields"])) == (400, ["ice"])


def test_the_price_list_is_read_by_members_and_kept_by_staff(client_for, member, staff, items):
    assert client_for(member).get(f"{BASE}price-list/").data["count"] == 4
    created = client_for(staff).post(
        f"{BASE}price-list/",
        {"name": "Bouchons", "unit": "pièce", "unit_price": "0.80", "vat_rate": "20"},
        format="json",
    )
    assert created.status_code == 201
    duplicate = client_for(staff).post(
        f"{BASE}price-list/",
        {"name": "bouchons", "unit": "pièce", "unit_price": "1"},
        format="json",
    )
    assert (duplicate.status_code, duplicate.data["code"]) == (409, "price_item_exists")
    negative = client_for(staff).post(
        f"{BASE}price-list/", {"name": "X", "unit": "u", "unit_price": "-1"}, format="json"
    )
    assert negative.status_code == 400


def test_invoice_list_runs_a_fixed_number_of_queries(
    client_for, staff, issued, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client_for(staff).get(f"{BASE}invoices/")
    assert response.status_code == 200


def test_dates_in_the_payment_are_checked(client_for, staff, issued):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for(staff).post(
        f"{BASE}invoices/{issued.pk}/payments/",
        {"amount": "1.00", "paid_on": tomorrow, "method": "cash"},
        format="json",
    )
    assert response.status_code == 400
    assert Decimal(client_for(staff).get(f"{BASE}invoices/{issued.pk}/").data["paid"]) == 0
