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
