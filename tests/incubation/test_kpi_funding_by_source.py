"""A KPI report's funding raised, split by the funding sources R&D projects use: the total is
the sum of the split, old reports keep their single total, and amendments keep working."""

from decimal import Decimal

import pytest

from caiac.errors import Invalid
from caiac.projects.models import FundingSource
from incubation import services
from incubation.models import KpiReport

REPORTS = "/api/v1/incubation/kpi-reports/"


@pytest.fixture
def bank(db):
    return FundingSource.objects.create(name="Crédit Agricole du Maroc", kind="bank")


@pytest.fixture
def investors(db):
    return FundingSource.objects.create(name="Business angels Souss", kind="private")


def test_a_report_split_by_source_totals_its_funding(member, incubatee, bank, investors):
    report = services.kpi_report_submit(
        by=member,
        incubatee=incubatee,
        period="2026-Q2",
        revenue_mad=Decimal("45000"),
        funding_by_source=[
            {"source": bank, "amount_mad": Decimal("100000")},
            {"source": investors.pk, "amount_mad": Decimal("50000")},
        ],
    )
    assert report.funding_raised_mad == Decimal("150000")
    assert sorted((line.source.name, line.amount_mad) for line in report.funding_lines.all()) == [
        ("Business angels Souss", Decimal("50000.00")),
        ("Crédit Agricole du Maroc", Decimal("100000.00")),
    ]


def test_a_total_that_is_not_the_sum_of_its_sources_is_refused(member, incubatee, bank):
    with pytest.raises(Invalid) as refused:
        services.kpi_report_submit(
            by=member,
            incubatee=incubatee,
            period="2026-Q2",
            revenue_mad=Decimal("0"),
            funding_raised_mad=Decimal("90000"),
            funding_by_source=[{"source": bank, "amount_mad": Decimal("100000")}],
        )
    assert refused.value.code == "funding_total_mismatch"
    assert not KpiReport.objects.exists()


def test_an_old_report_keeps_its_single_total_when_amended(member, staff, incubatee):
    report = services.kpi_report_submit(
        by=member,
        incubatee=incubatee,
        period="2026-Q1",
        revenue_mad=Decimal("1000"),
        funding_raised_mad=Decimal("20000"),
    )
    amended = services.kpi_report_amend(by=staff, report=report, reason="Erreur", jobs_women=2)
    assert amended.funding_raised_mad == Decimal("20000")
    assert not amended.funding_lines.exists()


def test_staff_split_an_old_total_and_the_amendment_keeps_what_was_there(
    member, staff, incubatee, bank, investors
):
    report = services.kpi_report_submit(
        by=member,
        incubatee=incubatee,
        period="2026-Q1",
        revenue_mad=Decimal("1000"),
        funding_raised_mad=Decimal("20000"),
    )
    services.kpi_report_amend(
        by=staff,
        report=report,
        reason="Ventilation par source",
        funding_by_source=[
            {"source": bank, "amount_mad": Decimal("15000")},
            {"source": investors, "amount_mad": Decimal("5000")},
        ],
    )
    services.kpi_report_amend(
        by=staff,
        report=report,
        reason="Virement reçu",
        funding_by_source=[{"source": bank, "amount_mad": Decimal("25000")}],
    )
    report.refresh_from_db()
    assert report.funding_raised_mad == Decimal("25000")
    first, second = report.amendments.order_by("id")
    assert first.previous["funding_raised_mad"] == "20000.00"
    assert first.previous["funding_by_source"] == []
    assert second.previous["funding_by_source"] == [
        {"source": investors.pk, "source_name": investors.name, "amount_mad": "5000.00"},
        {"source": bank.pk, "source_name": bank.name, "amount_mad": "15000.00"},
    ]
    with pytest.raises(Invalid) as mismatch:  # the total alone would leave the split wrong
        services.kpi_report_amend(
            by=staff, report=report, reason="?", funding_raised_mad=Decimal("1")
        )
    assert mismatch.value.code == "funding_total_mismatch"


def test_the_api_takes_and_shows_the_split(client_for, member, incubatee, bank, investors):
    response = client_for(member).post(
        REPORTS,
        {
            "incubatee": incubatee.pk,
            "period": "2026-Q3",
            "revenue_mad": "30000",
            "funding_by_source": [
                {"source": bank.pk, "amount_mad": "40000"},
                {"source": investors.pk, "amount_mad": "10000.50"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["funding_raised_mad"] == "50000.50"
    assert sorted((x["source_name"], x["amount_mad"]) for x in body["funding_by_source"]) == [
        ("Business angels Souss", "10000.50"),
        ("Crédit Agricole du Maroc", "40000.00"),
    ]


def test_a_source_given_twice_is_refused(member, incubatee, bank):
    with pytest.raises(Invalid):
        services.kpi_report_submit(
            by=member,
            incubatee=incubatee,
            period="2026-Q2",
            revenue_mad=Decimal("0"),
            funding_by_source=[
                {"source": bank, "amount_mad": Decimal("1")},
                {"source": bank, "amount_mad": Decimal("2")},
            ],
        )


# --- The pages: the member's quarterly form and staff's amendment -------------------------------
def kpi_post(**changes) -> dict:
    return {
        "kpi": "1",
        "period": "2026-Q3",
        "revenue_mad": "1000",
        "jobs_women": "0",
        "jobs_men": "0",
        "funding_raised_mad": "0",
        "products_launched": "0",
        "certifications": "",
        "exports_mad": "0",
        **changes,
    }


def test_the_incubatee_page_splits_the_funding_raised_by_source(
    client, member, incubatee, bank, investors
):
    FundingSource.objects.create(name="Ancien programme", kind="state", is_active=False)
    client.force_login(member)
    url = f"/incubation/incubatees/{incubatee.pk}/"
    form = client.get(url).context["kpi_form"]
    assert [field.label for field in form if field.name.startswith("funding_source_")] == [
        # Active sources only, by name (page in French), each name isolated (FSI ... PDI) so
        # that on an Arabic page its brackets stay with it.
        "dont de \u2068Business angels Souss\u2069 (MAD)",
        "dont de \u2068Crédit Agricole du Maroc\u2069 (MAD)",
    ]
    response = client.post(
        url,
        kpi_post(
            **{f"funding_source_{bank.pk}": "150000", f"funding_source_{investors.pk}": "50000"}
        ),
    )
    assert response.status_code == 302
    report = KpiReport.objects.get()
    assert report.funding_raised_mad == Decimal("200000.00")  # the total left at 0 follows
    assert sorted((line.source.name, line.amount_mad) for line in report.funding_lines.all()) == [
        ("Business angels Souss", Decimal("50000.00")),
        ("Crédit Agricole du Maroc", Decimal("150000.00")),
    ]
    page = client.get(url).content.decode()
    assert (
        "Crédit Agricole du Maroc" in page
        and 'class="d-block text-body-secondary funding-line"' in page
    )


def test_a_typed_total_that_is_not_the_sum_of_the_sources_is_refused_on_the_page(
    client, member, incubatee, bank
):
    client.force_login(member)
    url = f"/incubation/incubatees/{incubatee.pk}/"
    response = client.post(
        url, kpi_post(funding_raised_mad="90000", **{f"funding_source_{bank.pk}": "80000"})
    )
    assert response.status_code == 200
    form = response.context["kpi_form"]
    assert form.error_code == "funding_total_mismatch"
    assert form.errors["funding_raised_mad"]
    assert not KpiReport.objects.exists()


def test_without_a_split_the_page_keeps_a_single_total(client, member, incubatee, bank):
    client.force_login(member)
    url = f"/incubation/incubatees/{incubatee.pk}/"
    assert client.post(url, kpi_post(funding_raised_mad="30000")).status_code == 302
    report = KpiReport.objects.get()
    assert report.funding_raised_mad == Decimal("30000.00")
    assert not report.funding_lines.exists()


def test_staff_amend_the_split_on_the_amendment_page_and_the_total_follows(
    client, staff, member, incubatee, bank, investors
):
    report = services.kpi_report_submit(
        by=member,
        incubatee=incubatee,
        period="2026-Q2",
        revenue_mad=Decimal(0),
        funding_by_source=[{"source": bank, "amount_mad": Decimal("100000")}],
    )
    client.force_login(staff)
    url = f"/incubation/kpi-reports/{report.pk}/amend/"
    form = client.get(url).context["form"]
    assert form.initial[f"funding_source_{bank.pk}"] == Decimal("100000.00")
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data[f"funding_source_{investors.pk}"] = "25000"
    response = client.post(url, {**data, "reason": "Levée auprès des business angels"})
    assert response.status_code == 302, response.context["form"].errors
    report.refresh_from_db()
    assert report.funding_raised_mad == Decimal("125000.00")
    assert report.funding_lines.count() == 2
    amendment = report.amendments.get()
    assert amendment.previous["funding_raised_mad"] == "100000.00"
    assert [line["amount_mad"] for line in amendment.previous["funding_by_source"]] == ["100000.00"]
