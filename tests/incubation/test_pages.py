"""The incubation pages call the same services and show the same errors."""

import datetime

import pytest
import time_machine

from incubation import services
from incubation.models import Application, ApplicationStatus, KpiReport
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_pages_need_a_sign_in(client, call):
    assert client.get("/incubation/").status_code == 302
    assert client.get(f"/incubation/calls/{call.pk}/apply/").status_code == 302


def test_member_sees_the_open_call_and_drafts_then_submits(client, member, call, question):
    _login(client, member)
    assert "Appel 2026" in client.get("/incubation/").content.decode()
    url = f"/incubation/calls/{call.pk}/apply/"
    response = client.post(url, {f"q{question.pk}": "Argan", "save": "1"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == ApplicationStatus.DRAFT
    client.post(url, {f"q{question.pk}": "Argan oil", "submit": "1"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers[str(question.pk)] == "Argan oil"


def test_submitting_without_the_required_answer_shows_the_error_inline(
    client, member, call, question
):
    _login(client, member)
    response = client.post(f"/incubation/calls/{call.pk}/apply/", {"submit": "1"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_after_the_deadline_the_form_is_gone(client, member, draft):
    _login(client, member)
    with time_machine.travel(draft.call.closes_at + datetime.timedelta(minutes=1)):
        page = client.get(f"/incubation/calls/{draft.call_id}/apply/").content.decode()
    assert 'name="submit"' not in page


def test_juror_scores_from_the_page_and_then_sees_the_other_scores(
    client, juror, juror2, assigned, criteria
):
    services.evaluations_submit(
        juror=juror2,
        application=assigned,
        scores=[{"criterion": criteria[0], "score": 3}, {"criterion": criteria[1], "score": 2}],
    )
    _login(client, juror)
    url = f"/incubation/applications/{assigned.pk}/score/"
    page = client.get(url).content.decode()
    assert juror2.display_name not in page
    response = client.post(url, {f"c{criteria[0].pk}": 8, f"c{criteria[1].pk}": 4})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert juror2.display_name in page


def test_scoring_page_is_404_for_an_unassigned_user(client, other_member, assigned):
    _login(client, other_member)
    assert client.get(f"/incubation/applications/{assigned.pk}/score/").status_code == 404


def test_staff_admit_from_the_ranking_page(client, staff, submitted, call):
    _login(client, staff)
    url = f"/incubation/calls/{call.pk}/ranking/"
    assert submitted.organisation.name in client.get(url).content.decode()
    response = client.post(url, {"application": submitted.pk, "decision": "admit"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.ADMITTED


def test_decline_without_a_reason_shows_the_error(client, staff, submitted, call):
    _login(client, staff)
    response = client.post(
        f"/incubation/calls/{call.pk}/ranking/",
        {"application": submitted.pk, "decision": "decline", "reason": ""},
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_staff_pages_are_403_for_members(client, member, call, cohort):
    _login(client, member)
    assert client.get(f"/incubation/calls/{call.pk}/ranking/").status_code == 403
    assert client.get(f"/incubation/cohorts/{cohort.pk}/").status_code == 403


def test_cohort_dashboard_links_the_report_downloads(client, staff, cohort, incubatee):
    _login(client, staff)
    page = client.get(f"/incubation/cohorts/{cohort.pk}/").content.decode()
    assert f"/api/v1/incubation/cohorts/{cohort.pk}/report.csv" in page
    assert f"/api/v1/incubation/cohorts/{cohort.pk}/report.xlsx" in page
    assert incubatee.organisation.name in page


def test_member_submits_kpis_from_their_incubatee_page(client, member, incubatee):
    _login(client, member)
    url = f"/incubation/incubatees/{incubatee.pk}/"
    data = {
        "kpi": "1",
        "period": "2026-Q3",
        "revenue_mad": "1000",
        "jobs_women": 1,
        "jobs_men": 0,
        "funding_raised_mad": "0",
        "products_launched": 1,
        "certifications": "ISO 22716, Organic",
        "exports_mad": "0",
    }
    assert client.post(url, data).status_code == 302
    assert KpiReport.objects.get().certifications == ["ISO 22716", "Organic"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "already exists" in response.content.decode() or 'role="alert"' in response.content.decode()
    )
    assert KpiReport.objects.count() == 1


def test_another_organisations_incubatee_page_is_404(client, other_member, incubatee):
    _login(client, other_member)
    assert client.get(f"/incubation/incubatees/{incubatee.pk}/").status_code == 404


def test_staff_move_the_stage_from_the_page(client, staff, incubatee):
    _login(client, staff)
    response = client.post(
        f"/incubation/incubatees/{incubatee.pk}/",
        {"stage": "incubation", "reason": "Ready"},
    )
    assert response.status_code == 302
    incubatee.refresh_from_db()
    assert incubatee.stage == "incubation"


def test_the_stage_selector_offers_only_the_next_stages_and_preselects_none(
    client, staff, incubatee
):
    from incubation import services

    services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="incubation")
    _login(client, staff)
    form = client.get(f"/incubation/incubatees/{incubatee.pk}/").context["stage_form"]
    choices = [value for value, _label in form.fields["stage"].choices]
    assert choices == ["", "acceleration", "graduated", "exited"]
    assert not form["stage"].value()  # nothing chosen: no click moves anyone backwards
    refused = client.post(
        f"/incubation/incubatees/{incubatee.pk}/", {"stage": "pre_incubation", "reason": ""}
    )
    assert refused.status_code == 200
    incubatee.refresh_from_db()
    assert incubatee.stage == "incubation"


def test_overview_lists_what_each_person_has_to_do(client, juror, staff, assigned, cohort):
    _login(client, juror)
    page = client.get("/incubation/").content.decode()
    assert f"/incubation/applications/{assigned.pk}/score/" in page
    client.logout()
    _login(client, staff)
    page = client.get("/incubation/").content.decode()
    assert f"/incubation/calls/{assigned.call_id}/ranking/" in page
    assert f"/incubation/cohorts/{cohort.pk}/" in page


def test_staff_assign_a_juror_from_the_ranking_page(client, staff, juror, submitted, call):
    _login(client, staff)
    url = f"/incubation/calls/{call.pk}/ranking/"
    response = client.post(url, {"application": submitted.pk, "juror": juror.username})
    assert response.status_code == 302
    assert list(submitted.assignments.values_list("juror", flat=True)) == [juror.pk]
    response = client.post(url, {"application": submitted.pk, "juror": "nobody"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_last_quarters_kpi_report_waits_on_the_members_home_until_it_is_sent(
    client, member, incubatee
):
    _login(client, member)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        home = client.get("/").content.decode()
        assert 'indicateurs <bdi dir="ltr">2026-Q3</bdi>' in home  # "KPI report for 2026-Q3"
        assert f'href="/incubation/incubatees/{incubatee.pk}/"' in home
        services.kpi_report_submit(
            by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=1000, jobs_women=1,
            jobs_men=0, funding_raised_mad=0, products_launched=1, exports_mad=0,
        )  # fmt: skip
        home = client.get("/").content.decode()
    assert "2026-Q3" not in home
    assert 'id="waiting"' not in home  # nothing else waits for her
