"""The nursery's staff forms: calls with criteria, questions and jury; milestones and mentoring
sessions of an incubatee; KPI amendments with their reason. Same services as the API; members,
trainers and jurors cannot use them."""

import datetime
from decimal import Decimal

import pytest

from caiac.notifications.models import Message
from incubation import services
from incubation.models import (
    Call,
    JurorAssignment,
    KpiAmendment,
    MentoringSession,
    Milestone,
)
from incubation.services.followup import DUE_SOON_KIND
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def call_data(programme=None, cohort=None, **changes) -> dict:
    data = {
        "title": "Appel 2027",
        "description": "",
        "cohort": cohort.pk if cohort else "",
        "opens_day": "2027-01-04",
        "opens_time": "09:00",
        "closes_day": "2027-02-26",
        "closes_time": "18:00",
        "questions": "Décrivez votre produit.\nQui est dans l'équipe ?",
        "jurors": "",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "Innovation",
        "criteria-0-weight": "3",
        "criteria-0-max_score": "10",
        "criteria-1-name": "Équipe",
        "criteria-1-weight": "1",
        "criteria-1-max_score": "5",
    }
    if programme is not None:
        data["programme"] = programme.pk
    return {**data, **changes}


def test_staff_open_a_call_with_its_criteria_and_questions(client, staff, programme, cohort):
    client.force_login(staff)
    response = client.post("/incubation/calls/new/", call_data(programme, cohort))
    call = Call.objects.get(title="Appel 2027")
    assert response.status_code == 302
    assert [(c.name, c.weight, c.max_score) for c in call.criteria.all()] == [
        ("Innovation", Decimal("3"), 10),
        ("Équipe", Decimal("1"), 5),
    ]
    assert [q.text for q in call.questions.all()] == [
        "Décrivez votre produit.",
        "Qui est dans l'équipe ?",
    ]


def test_a_call_without_criteria_is_refused_inline(client, staff, programme):
    client.force_login(staff)
    data = call_data(programme, **{"criteria-0-name": "", "criteria-1-name": ""})
    response = client.post("/incubation/calls/new/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Call.objects.filter(title="Appel 2027").exists()


def test_a_call_closing_before_it_opens_is_refused_on_its_field(client, staff, programme):
    client.force_login(staff)
    response = client.post("/incubation/calls/new/", call_data(programme, closes_day="2026-12-01"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # "A call must close after it opens."
    assert not Call.objects.filter(title="Appel 2027").exists()


def test_jurors_named_on_the_call_judge_every_submitted_application_but_their_own(
    client, staff, call, submitted, member, juror
):
    client.force_login(staff)
    edit = client.get(f"/incubation/calls/{call.pk}/edit/")
    form = edit.context["form"]
    criteria = edit.context["criteria"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "opens_day": form.initial["opens_day"].isoformat(),
        "closes_day": form.initial["closes_day"].isoformat(),
        "opens_time": form.initial["opens_time"].strftime("%H:%M"),
        "closes_time": form.initial["closes_time"].strftime("%H:%M"),
        "cohort": call.cohort_id,
        "jurors": f"{juror.username}, {member.username}",
        "criteria-TOTAL_FORMS": str(len(criteria.forms)),
        "criteria-INITIAL_FORMS": str(criteria.initial_form_count()),
    }
    for i, row in enumerate(criteria.initial):
        data.update({f"criteria-{i}-{k}": v for k, v in row.items()})
    response = client.post(f"/incubation/calls/{call.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assigned = set(JurorAssignment.objects.values_list("application_id", "juror__username"))
    assert assigned == {(submitted.pk, juror.username)}  # the member does not judge their own


def test_staff_take_a_juror_off_the_call_from_its_page(
    client, staff, call, assigned, juror, juror2, criteria
):
    services.evaluation_create(juror=juror2, application=assigned, criterion=criteria[0], score=4)
    client.force_login(staff)
    page = client.get(f"/incubation/calls/{call.pk}/edit/")
    assert [(row.juror, row.awaiting, row.scored) for row in page.context["jury"]] == sorted(
        [(juror, 1, 0), (juror2, 1, 1)], key=lambda row: row[0].display_name
    )
    remove = f"/incubation/calls/{call.pk}/jurors/{juror.pk}/remove/"
    assert remove in page.content.decode()
    assert client.get(remove).status_code == 405  # a button, never a link
    response = client.post(remove, follow=True)
    assert response.redirect_chain[-1][0] == f"/incubation/calls/{call.pk}/edit/"
    assert not JurorAssignment.objects.filter(juror=juror).exists()
    assert [row.juror for row in response.context["jury"]] == [juror2]
    # The juror who has scored stays, and staff are told why.
    response = client.post(f"/incubation/calls/{call.pk}/jurors/{juror2.pk}/remove/", follow=True)
    assert JurorAssignment.objects.filter(juror=juror2).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]


def test_a_person_who_is_not_on_the_jury_of_the_call_is_not_found(
    client, staff, call, submitted, juror
):
    client.force_login(staff)
    assert client.post(f"/incubation/calls/{call.pk}/jurors/{juror.pk}/remove/").status_code == 404


@pytest.mark.parametrize("who", ["member", "trainer", "juror"])
def test_only_staff_take_a_juror_off_a_call(client, request, call, assigned, juror, who):
    client.force_login(request.getfixturevalue(who))
    url = f"/incubation/calls/{call.pk}/jurors/{juror.pk}/remove/"
    assert client.post(url).status_code == 403
    assert JurorAssignment.objects.filter(juror=juror).exists()


def test_anonymous_people_are_sent_to_sign_in_to_take_a_juror_off(client, call, assigned, juror):
    response = client.post(f"/incubation/calls/{call.pk}/jurors/{juror.pk}/remove/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert JurorAssignment.objects.filter(juror=juror).exists()


def test_an_unknown_juror_username_is_shown_on_the_field(client, staff, programme):
    client.force_login(staff)
    response = client.post(
        "/incubation/calls/new/", call_data(programme, jurors="personne-inconnue")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["jurors"]


def test_staff_add_a_milestone_and_its_owner_gets_a_reminder(client, staff, incubatee, member):
    client.force_login(staff)
    due = datetime.date.today() + datetime.timedelta(days=30)
    response = client.post(
        f"/incubation/incubatees/{incubatee.pk}/milestones/new/",
        {"title": "Dossier ONSSA", "description": "", "due_date": due.isoformat(),
         "owner": member.pk},
    )  # fmt: skip
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="Dossier ONSSA")
    assert milestone.owner == member
    assert Message.objects.filter(kind=DUE_SOON_KIND, recipient=member).count() == 1
    page = client.get(f"/incubation/incubatees/{incubatee.pk}/").content.decode()
    assert f"/incubation/milestones/{milestone.pk}/edit/" in page


def test_moving_a_milestone_due_date_from_its_page_moves_the_reminder(
    client, staff, incubatee, member
):
    due = datetime.date.today() + datetime.timedelta(days=30)
    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="Étiquetage", due_date=due, owner=member
    )
    client.force_login(staff)
    later = due + datetime.timedelta(days=14)
    response = client.post(
        f"/incubation/milestones/{milestone.pk}/edit/",
        {"title": "Étiquetage", "description": "", "due_date": later.isoformat(),
         "owner": member.pk},
    )  # fmt: skip
    assert response.status_code == 302
    reminder = Message.objects.get(kind=DUE_SOON_KIND, recipient=member, sent_at__isnull=True)
    assert reminder.due_at == services.milestone_reminder_at(later)


def test_a_milestone_owner_from_another_organisation_is_refused_on_the_field(
    client, staff, incubatee, other_member
):
    client.force_login(staff)
    response = client.post(
        f"/incubation/incubatees/{incubatee.pk}/milestones/new/",
        {"title": "Dossier", "due_date": "2027-03-01", "owner": other_member.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not Milestone.objects.exists()


def test_staff_log_a_mentoring_session_and_edit_its_hours(client, staff, incubatee):
    client.force_login(staff)
    url = f"/incubation/incubatees/{incubatee.pk}/mentoring/new/"
    data = {"date": "2026-11-20", "hours": "1.5", "topic": "Plan de financement",
            "mentor": staff.pk, "mentor_name": "", "notes": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    session = MentoringSession.objects.get()
    assert session.mentor_name == staff.display_name and session.hours == Decimal("1.5")
    response = client.post(f"/incubation/mentoring/{session.pk}/edit/", {**data, "hours": "0"})
    assert response.status_code == 200 and response.context["form"].errors["hours"]
    assert client.post(f"/incubation/mentoring/{session.pk}/edit/", {**data, "hours": "2"})
    session.refresh_from_db()
    assert session.hours == Decimal("2")


@pytest.fixture
def projects_of(staff, organisation, other_organisation):
    """An open project of the incubatee's organisation, a closed one, and another's."""
    from caiac.projects import services as projects
    from caiac.projects.models import ProjectStatus

    own = projects.project_create(by=staff, lead=organisation, title="Argan", theme="cosmetics")
    over = projects.project_create(by=staff, lead=organisation, title="Cactus", theme="agrifood")
    projects.project_change_status(
        by=staff, project=over, status=ProjectStatus.ABANDONED, reason="Plus de financement"
    )
    theirs = projects.project_create(
        by=staff, lead=other_organisation, title="Safran", theme="agrifood"
    )
    return {"own": own, "over": over, "theirs": theirs}


def test_a_mentoring_session_names_a_project_of_the_incubatees_organisation(
    client, staff, incubatee, projects_of
):
    client.force_login(staff)
    url = f"/incubation/incubatees/{incubatee.pk}/mentoring/new/"
    offered = client.get(url).context["form"].fields["project"].queryset
    assert list(offered) == [projects_of["own"]]  # not the abandoned one, not another's
    data = {"date": "2026-11-20", "hours": "1.5", "topic": "Formulation",
            "mentor": staff.pk, "mentor_name": "", "notes": "",
            "project": projects_of["own"].pk}  # fmt: skip
    assert client.post(url, data).status_code == 302
    session = MentoringSession.objects.get()
    assert session.project == projects_of["own"]
    page = client.get(f"/incubation/incubatees/{incubatee.pk}/").content.decode()
    assert "Argan" in page
    response = client.post(url, {**data, "project": projects_of["theirs"].pk})
    assert response.status_code == 200 and response.context["form"].errors["project"]
    assert MentoringSession.objects.count() == 1


def test_editing_a_mentoring_session_of_a_project_since_closed_keeps_it(
    client, staff, incubatee, projects_of
):
    from caiac.projects import services as projects
    from caiac.projects.models import ProjectStatus

    session = services.mentoring_session_create(
        by=staff, incubatee=incubatee, date=datetime.date(2026, 11, 20), hours=Decimal("1"),
        topic="Formulation", mentor=staff, project=projects_of["own"],
    )  # fmt: skip
    projects.project_change_status(
        by=staff, project=projects_of["own"], status=ProjectStatus.ABANDONED, reason="Arrêt"
    )
    client.force_login(staff)
    url = f"/incubation/mentoring/{session.pk}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["project"] == projects_of["own"].pk
    data = {"date": "2026-11-20", "hours": "2", "topic": "Formulation", "mentor": staff.pk,
            "mentor_name": "", "notes": "", "project": projects_of["own"].pk}  # fmt: skip
    assert client.post(url, data).status_code == 302  # the closed project stays, hours change
    session.refresh_from_db()
    assert (session.hours, session.project) == (Decimal("2"), projects_of["own"])
    assert client.post(url, {**data, "project": ""}).status_code == 302
    session.refresh_from_db()
    assert session.project is None


def test_a_kpi_amendment_keeps_the_previous_figures_and_the_reason(
    client, staff, incubatee, member
):
    report = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal("12000")
    )
    client.force_login(staff)
    url = f"/incubation/kpi-reports/{report.pk}/amend/"
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    assert client.post(url, {**data, "revenue_mad": "15000"}).status_code == 200  # no reason
    assert not KpiAmendment.objects.exists()
    response = client.post(url, {**data, "revenue_mad": "15000", "reason": "Facture oubliée"})
    assert response.status_code == 302
    report.refresh_from_db()
    amendment = KpiAmendment.objects.get()
    assert report.revenue_mad == Decimal("15000")
    assert (amendment.previous["revenue_mad"], amendment.reason) == ("12000.00", "Facture oubliée")


def test_an_amendment_that_changes_nothing_is_refused_inline(client, staff, incubatee, member):
    report = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal("12000")
    )
    client.force_login(staff)
    url = f"/incubation/kpi-reports/{report.pk}/amend/"
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    response = client.post(url, {**data, "reason": "Vérification"})
    assert response.status_code == 200 and "no_change" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/incubation/calls/new/",
        "/incubation/calls/{call}/edit/",
        "/incubation/incubatees/{incubatee}/milestones/new/",
        "/incubation/incubatees/{incubatee}/mentoring/new/",
        "/incubation/kpi-reports/{kpi}/amend/",
    ],
)
def test_the_incubatees_own_members_cannot_use_the_staff_forms(
    client, member, call, incubatee, url
):
    kpi = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal("1")
    )
    client.force_login(member)
    url = url.format(call=call.pk, incubatee=incubatee.pk, kpi=kpi.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x", "reason": "x", "revenue_mad": "9"}).status_code == 403
    kpi.refresh_from_db()
    assert kpi.revenue_mad == Decimal("1")


def test_a_juror_cannot_open_the_call_form(client, call):
    client.force_login(UserFactory(username="jury9"))
    assert client.get(f"/incubation/calls/{call.pk}/edit/").status_code == 403
