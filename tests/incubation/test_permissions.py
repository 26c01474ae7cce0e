"""Who may reach what: anonymous 401, wrong role 403, another organisation 404."""

import datetime

import pytest

from incubation import services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/incubation"

LISTS = [
    "programmes/",
    "calls/",
    "applications/",
    "evaluations/",
    "cohorts/",
    "incubatees/",
    "milestones/",
    "mentoring-sessions/",
    "kpi-reports/",
    "reports/funder/?year=2026",
]


@pytest.mark.parametrize("path", LISTS)
def test_anonymous_visitors_get_401(api_client, path):
    response = api_client.get(f"{BASE}/{path}")
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_anonymous_cannot_download_reports(api_client, cohort):
    for suffix in ("report/", "report.csv", "report.xlsx"):
        assert api_client.get(f"{BASE}/cohorts/{cohort.pk}/{suffix}").status_code == 401


@pytest.fixture
def staff_only_requests(programme, cohort, call, submitted, incubatee):
    return [
        ("post", "programmes/", {"name": "New programme"}),
        ("patch", f"programmes/{programme.pk}/", {"name": "Renamed"}),
        (
            "post",
            "calls/",
            {
                "programme": programme.pk,
                "title": "x",
                "opens_at": "2026-12-01T00:00:00Z",
                "closes_at": "2026-12-31T00:00:00Z",
                "criteria": [{"name": "a", "weight": "1", "max_score": 5}],
            },
        ),
        ("get", f"calls/{call.pk}/ranking/", None),
        (
            "post",
            "cohorts/",
            {
                "programme": programme.pk,
                "name": "x",
                "year": 2027,
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
            },
        ),
        ("get", f"cohorts/{cohort.pk}/report/", None),
        ("get", f"cohorts/{cohort.pk}/report.csv", None),
        ("get", f"cohorts/{cohort.pk}/report.xlsx", None),
        ("get", "reports/funder/?year=2026", None),
        ("get", "reports/funder.csv?year=2026", None),
        ("get", "reports/funder.xlsx?year=2026", None),
        ("post", f"applications/{submitted.pk}/jurors/", {"jurors": []}),
        ("post", f"applications/{submitted.pk}/admit/", {}),
        ("post", f"applications/{submitted.pk}/decline/", {"reason": "no"}),
        ("post", "incubatees/", {"cohort": cohort.pk, "organisation": incubatee.organisation_id}),
        ("post", f"incubatees/{incubatee.pk}/stage/", {"stage": "incubation"}),
        (
            "post",
            "milestones/",
            {"incubatee": incubatee.pk, "title": "x", "due_date": "2027-01-01"},
        ),
        (
            "post",
            "mentoring-sessions/",
            {
                "incubatee": incubatee.pk,
                "mentor_name": "x",
                "date": "2026-11-01",
                "hours": "1",
                "topic": "x",
            },
        ),
    ]


def test_members_get_403_on_staff_endpoints(client_for, member, staff_only_requests):
    client = client_for(member)
    for method, path, body in staff_only_requests:
        response = getattr(client, method)(f"{BASE}/{path}", body, format="json")
        assert response.status_code == 403, (method, path, response.status_code)


def test_staff_reach_the_same_endpoints(client_for, staff, staff_only_requests):
    client = client_for(staff)
    for method, path, body in staff_only_requests:
        response = getattr(client, method)(f"{BASE}/{path}", body, format="json")
        # Past the permission check; a state rule may still say no (admit, then decline: 400;
        # the organisation is already in the cohort: 409).
        assert response.status_code in (200, 201, 400, 409), (method, path, response.status_code)
        if response.status_code >= 400:
            assert response.data["code"] in ("invalid_application_status", "incubatee_exists")


def test_another_organisations_objects_are_404(
    client_for, other_member, staff, submitted, incubatee
):
    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="m", due_date=datetime.date(2027, 1, 1)
    )
    report = services.kpi_report_submit(
        by=staff, incubatee=incubatee, period="2026-Q3", revenue_mad=1
    )
    session = services.mentoring_session_create(
        by=staff,
        incubatee=incubatee,
        date=datetime.date(2026, 11, 1),
        hours=1,
        topic="t",
        mentor_name="m",
    )
    client = client_for(other_member)
    for path in (
        f"applications/{submitted.pk}/",
        f"incubatees/{incubatee.pk}/",
        f"milestones/{milestone.pk}/",
        f"kpi-reports/{report.pk}/",
        f"mentoring-sessions/{session.pk}/",
        f"cohorts/{incubatee.cohort_id}/",
    ):
        assert client.get(f"{BASE}/{path}").status_code == 404, path
    assert client.post(f"{BASE}/applications/{submitted.pk}/submit/").status_code == 404


def test_a_juror_sees_only_the_applications_assigned_to_them(
    client_for, staff, juror, assigned, call, other_member, other_organisation
):
    other = services.application_create(by=other_member, call=call, organisation=other_organisation)
    client = client_for(juror)
    assert [a["id"] for a in client.get(f"{BASE}/applications/").data["results"]] == [assigned.pk]
    assert client.get(f"{BASE}/applications/{other.pk}/").status_code == 404
    # An assigned juror cannot act as staff or as the applicant.
    assert client.post(f"{BASE}/applications/{assigned.pk}/admit/", {}).status_code == 403
    assert client.post(f"{BASE}/applications/{assigned.pk}/submit/").status_code == 403
