"""The back office writes through the incubation services."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from caiac.notifications.models import Message, MessageStatus
from incubation import services
from incubation.models import KpiAmendment, Milestone

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


@pytest.fixture
def report(incubatee, member):
    with time_machine.travel(NOW, tick=False):
        return services.kpi_report_submit(
            by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal("120000")
        )


def kpi_form(report, **changes):
    data = {
        "revenue_mad": report.revenue_mad,
        "jobs_women": report.jobs_women,
        "jobs_men": report.jobs_men,
        "funding_raised_mad": report.funding_raised_mad,
        "products_launched": report.products_launched,
        "certifications": "[]",
        "exports": "",
        "exports_mad": report.exports_mad,
        "amendments-TOTAL_FORMS": 0,
        "amendments-INITIAL_FORMS": 0,
        "amendments-MIN_NUM_FORMS": 0,
        "amendments-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_changing_a_kpi_report_in_the_admin_records_an_amendment(admin_client, report, staff):
    url = f"/admin/incubation/kpireport/{report.pk}/change/"
    response = admin_client.post(
        url, kpi_form(report, revenue_mad="150000", amendment_reason="Facture oubliée")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.revenue_mad == Decimal("150000")
    amendment = KpiAmendment.objects.get(report=report)
    assert amendment.previous["revenue_mad"] == "120000.00"
    assert (amendment.reason, amendment.changed_by) == ("Facture oubliée", staff)


def test_a_kpi_correction_without_a_reason_is_refused_in_the_admin(admin_client, report):
    url = f"/admin/incubation/kpireport/{report.pk}/change/"
    response = admin_client.post(url, kpi_form(report, revenue_mad="1"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.revenue_mad == Decimal("120000") and not KpiAmendment.objects.exists()


def test_moving_a_milestones_due_date_in_the_admin_moves_its_reminder(
    admin_client, incubatee, staff, member
):
    with time_machine.travel(NOW, tick=False):
        milestone = services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Test de stabilité",
            due_date=datetime.date(2026, 12, 15),
            owner=member,
        )
        reminder = Message.objects.get(dedup_key=f"milestone:{milestone.pk}:due-soon")
        assert reminder.due_at.date() == datetime.date(2026, 12, 12)
        response = admin_client.post(
            f"/admin/incubation/milestone/{milestone.pk}/change/",
            {
                "title": milestone.title,
                "description": "",
                "due_date": "2027-01-20",
                "owner": member.pk,
                "status": "todo",
                "evidence_link": "",
            },
        )
    assert response.status_code == 302
    milestone.refresh_from_db()
    reminder.refresh_from_db()
    assert milestone.due_date == datetime.date(2027, 1, 20)
    assert reminder.due_at.date() == datetime.date(2027, 1, 17)
    assert reminder.status == MessageStatus.PENDING


def test_a_milestone_owner_outside_the_organisation_is_refused_in_the_admin(
    admin_client, incubatee, other_member
):
    response = admin_client.post(
        "/admin/incubation/milestone/add/",
        {
            "incubatee": incubatee.pk,
            "title": "Dossier ONSSA",
            "description": "",
            "due_date": "2027-02-01",
            "owner": other_member.pk,
            "status": "todo",
            "evidence_link": "",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not Milestone.objects.exists()


def test_an_incubatee_added_in_the_admin_gets_its_history_and_lab_hours(
    admin_client, cohort, other_organisation
):
    response = admin_client.post(
        "/admin/incubation/incubatee/add/",
        {
            "cohort": cohort.pk,
            "organisation": other_organisation.pk,
            "stage": "incubation",
            "stage_changes-TOTAL_FORMS": 0,
            "stage_changes-INITIAL_FORMS": 0,
            "stage_changes-MIN_NUM_FORMS": 0,
            "stage_changes-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302
    incubatee = other_organisation.incubations.get()
    assert incubatee.stage_changes.count() == 1


def test_a_cohort_ending_before_it_starts_is_refused_in_the_admin(admin_client, programme):
    response = admin_client.post(
        "/admin/incubation/cohort/add/",
        {
            "programme": programme.pk,
            "name": "Cohorte 2027",
            "year": 2027,
            "starts_on": "2027-12-31",
            "ends_on": "2027-01-01",
        },
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "url",
    [
        "/admin/incubation/programme/",
        "/admin/incubation/call/",
        "/admin/incubation/application/",
        "/admin/incubation/cohort/",
        "/admin/incubation/incubatee/",
        "/admin/incubation/milestone/",
        "/admin/incubation/mentoringsession/",
        "/admin/incubation/kpireport/",
    ],
)
def test_incubation_admin_lists_open(admin_client, report, url):
    assert admin_client.get(url).status_code == 200


def test_a_mentoring_session_added_in_the_admin_names_only_a_project_of_the_incubatee(
    admin_client, staff, incubatee, organisation, other_organisation
):
    from caiac.projects import services as projects
    from incubation.models import MentoringSession

    own = projects.project_create(by=staff, lead=organisation, title="Argan", theme="cosmetics")
    theirs = projects.project_create(
        by=staff, lead=other_organisation, title="Safran", theme="agrifood"
    )
    data = {"incubatee": incubatee.pk, "mentor": "", "mentor_name": "Mme Idrissi",
            "date": "2026-11-20", "hours": "1.5", "topic": "Formulation", "notes": ""}  # fmt: skip
    url = "/admin/incubation/mentoringsession/add/"
    refused = admin_client.post(url, {**data, "project": theirs.pk})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["project"]  # project_not_partner
    assert not MentoringSession.objects.exists()
    assert admin_client.post(url, {**data, "project": own.pk}).status_code == 302
    assert MentoringSession.objects.get().project == own


def test_the_admin_shows_a_kpi_reports_split_by_source(admin_client, incubatee, member):
    from caiac.projects.models import FundingSource

    bank = FundingSource.objects.create(name="Crédit Agricole du Maroc", kind="bank")
    with time_machine.travel(NOW, tick=False):
        report = services.kpi_report_submit(
            by=member,
            incubatee=incubatee,
            period="2026-Q3",
            revenue_mad=Decimal(0),
            funding_by_source=[{"source": bank, "amount_mad": Decimal("90000")}],
        )
    page = admin_client.get(f"/admin/incubation/kpireport/{report.pk}/change/").content.decode()
    assert "Crédit Agricole du Maroc: 90000.00" in page
