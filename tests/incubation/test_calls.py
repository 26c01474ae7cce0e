"""Calls, applications, deadlines, jury scoring, ranking and decisions."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from caiac.notifications.models import Message
from incubation import selectors, services
from incubation.models import ApplicationStatus, Incubatee, StageChange
from tests.factories import UserFactory, member_of

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/incubation/applications/"
EVALUATIONS = "/api/v1/incubation/evaluations/"


# --- Drafting, submitting, deadlines -----------------------------------------------------------
def test_member_drafts_then_submits_an_application(client_for, member, call, question):
    client = client_for(member)
    response = client.post(APPLICATIONS, {"call": call.pk}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["status"] == "draft"
    application_id = response.data["id"]

    response = client.post(f"{APPLICATIONS}{application_id}/submit/")
    assert response.status_code == 400
    assert response.data["code"] == "answers_missing"

    response = client.patch(
        f"{APPLICATIONS}{application_id}/",
        {"answers": {str(question.pk): "Cold-pressed argan oil"}},
        format="json",
    )
    assert response.status_code == 200
    response = client.post(f"{APPLICATIONS}{application_id}/submit/")
    assert response.status_code == 200
    assert response.data["status"] == "submitted"
    assert response.data["submitted_at"]


def test_second_application_of_an_organisation_to_a_call_is_a_409(client_for, member, draft):
    response = client_for(member).post(APPLICATIONS, {"call": draft.call_id}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "application_exists"


def test_editing_a_draft_after_the_deadline_is_refused_with_call_closed(
    client_for, member, draft, question
):
    client = client_for(member)
    with time_machine.travel(draft.call.closes_at + datetime.timedelta(seconds=1)):
        response = client.patch(
            f"{APPLICATIONS}{draft.pk}/",
            {"answers": {str(question.pk): "late change"}},
            format="json",
        )
        assert response.status_code == 400
        assert response.data["code"] == "call_closed"
    draft.refresh_from_db()
    assert draft.answers[str(question.pk)] == "Argan oil"


def test_submitting_after_the_deadline_is_refused_with_call_closed(client_for, member, draft):
    with time_machine.travel(draft.call.closes_at):  # the deadline itself is already too late
        response = client_for(member).post(f"{APPLICATIONS}{draft.pk}/submit/")
    assert response.status_code == 400
    assert response.data["code"] == "call_closed"
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_submitting_a_second_before_the_deadline_is_accepted(client_for, member, draft):
    with time_machine.travel(draft.call.closes_at - datetime.timedelta(seconds=1)):
        response = client_for(member).post(f"{APPLICATIONS}{draft.pk}/submit/")
    assert response.status_code == 200


def test_applying_after_the_deadline_is_refused(client_for, member, call):
    with time_machine.travel(call.closes_at + datetime.timedelta(hours=1)):
        response = client_for(member).post(APPLICATIONS, {"call": call.pk}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "call_closed"


def test_a_submitted_application_cannot_be_edited(client_for, member, submitted, question):
    response = client_for(member).patch(
        f"{APPLICATIONS}{submitted.pk}/", {"answers": {str(question.pk): "x"}}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "application_submitted"


def test_answers_to_unknown_questions_are_refused_naming_the_field(client_for, member, call):
    response = client_for(member).post(
        APPLICATIONS, {"call": call.pk, "answers": {"999999": "?"}}, format="json"
    )
    assert response.status_code == 400
    assert "answers" in response.data["fields"]


def test_a_member_cannot_apply_for_another_organisation(
    client_for, member, other_organisation, call
):
    response = client_for(member).post(
        APPLICATIONS, {"call": call.pk, "organisation": other_organisation.pk}, format="json"
    )
    assert response.status_code == 404


def test_a_member_of_another_organisation_cannot_submit_the_application(
    client_for, other_member, draft
):
    response = client_for(other_member).post(f"{APPLICATIONS}{draft.pk}/submit/")
    assert response.status_code == 404


# --- Jury --------------------------------------------------------------------------------------
def test_a_juror_scores_each_criterion_once_and_a_second_score_is_a_409(
    client_for, juror, assigned, criteria
):
    client = client_for(juror)
    body = {"application": assigned.pk, "criterion": criteria[0].pk, "score": 7}
    assert client.post(EVALUATIONS, body, format="json").status_code == 201
    response = client.post(EVALUATIONS, {**body, "score": 9}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "already_scored"
    assert client.get(EVALUATIONS).data["count"] == 1
    assert client.get(EVALUATIONS).data["results"][0]["score"] == 7


def test_scoring_an_application_one_is_not_assigned_to_is_a_403(client_for, submitted, criteria):
    stranger = UserFactory(username="stranger")
    response = client_for(stranger).post(
        EVALUATIONS,
        {"application": submitted.pk, "criterion": criteria[0].pk, "score": 5},
        format="json",
    )
    assert response.status_code == 403
    assert response.data["code"] == "not_assigned"


def test_a_score_above_the_criterion_maximum_is_refused_naming_the_field(
    client_for, juror, assigned, criteria
):
    response = client_for(juror).post(
        EVALUATIONS,
        {"application": assigned.pk, "criterion": criteria[1].pk, "score": 6},  # out of 5
        format="json",
    )
    assert response.status_code == 400
    assert "score" in response.data["fields"]


def test_batch_scoring_is_all_or_nothing(client_for, juror, assigned, criteria):
    client = client_for(juror)
    response = client.post(
        f"{APPLICATIONS}{assigned.pk}/score/",
        {
            "scores": [
                {"criterion": criteria[0].pk, "score": 8},
                {"criterion": criteria[1].pk, "score": 9},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert client.get(EVALUATIONS).data["count"] == 0


def test_a_juror_cannot_see_other_jurors_scores_before_scoring_everything(
    client_for, juror, juror2, assigned, criteria
):
    services.evaluations_submit(
        juror=juror2,
        application=assigned,
        scores=[{"criterion": criteria[0], "score": 2}, {"criterion": criteria[1], "score": 1}],
    )
    client = client_for(juror)
    detail = client.get(f"{APPLICATIONS}{assigned.pk}/").data
    assert detail["scores"] is None
    assert client.get(EVALUATIONS, {"application": assigned.pk}).data["count"] == 0

    # Half-way through is not enough.
    client.post(
        EVALUATIONS,
        {"application": assigned.pk, "criterion": criteria[0].pk, "score": 8},
        format="json",
    )
    assert client.get(f"{APPLICATIONS}{assigned.pk}/").data["scores"] is None

    client.post(
        EVALUATIONS,
        {"application": assigned.pk, "criterion": criteria[1].pk, "score": 4},
        format="json",
    )
    scores = client.get(f"{APPLICATIONS}{assigned.pk}/").data["scores"]
    assert sorted((row["juror"], row["score"]) for row in scores) == sorted(
        [(juror.pk, 8), (juror.pk, 4), (juror2.pk, 2), (juror2.pk, 1)]
    )
    # The evaluations list stays the juror's own.
    assert client.get(EVALUATIONS).data["count"] == 2


def test_the_applicant_never_sees_the_scores_nor_the_jurors(
    client_for, member, juror, assigned, criteria
):
    services.evaluations_submit(
        juror=juror,
        application=assigned,
        scores=[{"criterion": criteria[0], "score": 5}, {"criterion": criteria[1], "score": 5}],
    )
    detail = client_for(member).get(f"{APPLICATIONS}{assigned.pk}/").data
    assert detail["scores"] is None
    assert detail["jurors"] == []


def test_a_member_of_the_applicant_cannot_be_its_juror(client_for, staff, organisation, submitted):
    colleague = member_of(organisation, username="colleague")
    response = client_for(staff).post(
        f"{APPLICATIONS}{submitted.pk}/jurors/", {"jurors": [colleague.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "juror_conflict"


# --- Ranking -----------------------------------------------------------------------------------
def _score(juror, application, criteria, a, b):
    services.evaluations_submit(
        juror=juror,
        application=application,
        scores=[{"criterion": criteria[0], "score": a}, {"criterion": criteria[1], "score": b}],
    )


def test_ranking_weighted_totals_checked_by_hand(
    client_for, staff, juror, juror2, call, criteria, assigned, other_member, other_organisation
):
    # Criteria: Innovation weight 3 out of 10, Team weight 1 out of 5.
    other = services.application_create(
        by=other_member,
        call=call,
        organisation=other_organisation,
        answers={str(call.questions.get().pk): "Cactus seed oil"},
    )
    services.application_submit(by=other_member, application=other)
    services.jurors_assign(by=staff, application=other, jurors=[juror, juror2])

    # assigned (Coopérative Amalou):
    #   juror1: 8/10, 4/5 -> (3*0.8 + 1*0.8) / 4 * 100 = 80
    #   juror2: 6/10, 5/5 -> (3*0.6 + 1*1.0) / 4 * 100 = 70      mean = 75.00
    _score(juror, assigned, criteria, 8, 4)
    _score(juror2, assigned, criteria, 6, 5)
    # other (Atlas Essences):
    #   juror1: 9/10, 1/5 -> (3*0.9 + 1*0.2) / 4 * 100 = 72.5
    #   juror2: 10/10, 2/5 -> (3*1.0 + 1*0.4) / 4 * 100 = 85     mean = 78.75
    _score(juror, other, criteria, 9, 1)
    _score(juror2, other, criteria, 10, 2)

    response = client_for(staff).get(f"/api/v1/incubation/calls/{call.pk}/ranking/")
    assert response.status_code == 200
    rows = response.data
    assert [(r["organisation_name"], r["rank"], r["total"]) for r in rows] == [
        ("Atlas Essences", 1, "78.75"),
        ("Coopérative Amalou", 2, "75.00"),
    ]
    assert rows[1]["jurors_done"] == 2
    assert rows[1]["criterion_means"] == {
        str(criteria[0].pk): "7.00",
        str(criteria[1].pk): "4.50",
    }


def test_equal_totals_share_a_rank_and_the_next_rank_skips(
    staff, juror, call, criteria, assigned, other_member, other_organisation
):
    from tests.factories import OrganisationFactory, member_of

    def applicant(organisation, user):
        application = services.application_create(
            by=user,
            call=call,
            organisation=organisation,
            answers={str(call.questions.get().pk): "Huile de figue de Barbarie"},
        )
        services.application_submit(by=user, application=application)
        services.jurors_assign(by=staff, application=application, jurors=[juror])
        return application

    other = applicant(other_organisation, other_member)
    third_org = OrganisationFactory(name="Zagora Bio")
    third = applicant(third_org, member_of(third_org))
    _score(juror, assigned, criteria, 8, 4)  # 80.00
    _score(juror, other, criteria, 8, 4)  # 80.00: a tie
    _score(juror, third, criteria, 6, 5)  # 70.00
    rows = selectors.call_ranking(call)
    assert [(r.application.organisation.name, r.rank, r.total) for r in rows] == [
        ("Atlas Essences", 1, Decimal("80.00")),
        ("Coopérative Amalou", 1, Decimal("80.00")),
        ("Zagora Bio", 3, Decimal("70.00")),
    ]
    assert selectors.ranking_ties(rows) == {1}


def test_the_ranking_page_marks_a_tie_and_states_that_it_decides_nothing(
    client, staff, juror, call, criteria, assigned, other_member, other_organisation
):
    other = services.application_create(
        by=other_member, call=call, organisation=other_organisation,
        answers={str(call.questions.get().pk): "Eau de rose"},
    )  # fmt: skip
    services.application_submit(by=other_member, application=other)
    services.jurors_assign(by=staff, application=other, jurors=[juror])
    _score(juror, assigned, criteria, 8, 4)  # 80.00
    _score(juror, other, criteria, 8, 4)  # 80.00: a tie
    client.force_login(staff)
    page = client.get(f"/incubation/calls/{call.pk}/ranking/").content.decode()
    assert page.count("1=") == 2  # both first, both marked as tied
    assert 'id="tie-rule"' in page
    with translation.override("fr"):
        assert str(_("(tie)")) in page


def test_a_juror_half_way_through_does_not_count_in_the_ranking(
    staff, juror, juror2, call, criteria, assigned
):
    _score(juror, assigned, criteria, 10, 5)  # 100
    services.evaluation_create(juror=juror2, application=assigned, criterion=criteria[0], score=0)
    [row] = selectors.call_ranking(call)
    assert row.total == Decimal("100.00")
    assert (row.jurors_assigned, row.jurors_done) == (2, 1)


def test_unscored_applications_come_last_without_a_rank(staff, call, submitted):
    [row] = selectors.call_ranking(call)
    assert row.rank is None and row.total is None


def test_members_cannot_see_the_ranking(client_for, member, call):
    response = client_for(member).get(f"/api/v1/incubation/calls/{call.pk}/ranking/")
    assert response.status_code == 403


# --- Decisions ---------------------------------------------------------------------------------
def test_admitting_puts_the_organisation_in_the_calls_cohort_and_tells_the_applicant(
    client_for, staff, member, submitted, cohort
):
    response = client_for(staff).post(
        f"{APPLICATIONS}{submitted.pk}/admit/", {"reason": "Strong team"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["status"] == "admitted"
    incubatee = Incubatee.objects.get(application=submitted)
    assert incubatee.cohort == cohort
    assert incubatee.stage == "pre_incubation"
    assert StageChange.objects.get(incubatee=incubatee).changed_by == staff
    message = Message.objects.get(dedup_key=f"application:{submitted.pk}:decision")
    assert message.recipient == member
    assert message.kind == "incubation.application_decision"
    assert message.context["decision"] == "admitted"


def test_declining_needs_a_reason_and_tells_the_applicant(client_for, staff, member, submitted):
    client = client_for(staff)
    response = client.post(f"{APPLICATIONS}{submitted.pk}/decline/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.data["fields"]
    response = client.post(
        f"{APPLICATIONS}{submitted.pk}/decline/",
        {"reason": "Not yet a prototype"},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["status"] == "declined"
    assert response.data["decision_reason"] == "Not yet a prototype"
    message = Message.objects.get(dedup_key=f"application:{submitted.pk}:decision")
    assert message.recipient == member
    assert message.context["reason"] == "Not yet a prototype"
    assert not Incubatee.objects.exists()


def test_a_decided_application_cannot_be_decided_again(client_for, staff, submitted):
    client = client_for(staff)
    client.post(f"{APPLICATIONS}{submitted.pk}/decline/", {"reason": "No"}, format="json")
    response = client.post(f"{APPLICATIONS}{submitted.pk}/admit/", {}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid_application_status"


def test_a_draft_cannot_be_admitted(client_for, staff, draft):
    response = client_for(staff).post(f"{APPLICATIONS}{draft.pk}/admit/", {}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid_application_status"


def test_the_decision_message_renders_in_english(staff, submitted, member):
    from django.template.loader import render_to_string
    from django.utils import translation

    services.application_admit(by=staff, application=submitted)
    message = Message.objects.get(dedup_key=f"application:{submitted.pk}:decision")
    with translation.override("en"):
        subject = render_to_string(f"messages/{message.kind}.subject.txt", message.context)
        body = render_to_string(f"messages/{message.kind}.body.txt", message.context)
    assert "accepted" in subject
    assert "Cohorte 2026" in body


# --- Lists and query counts --------------------------------------------------------------------
def test_the_applications_list_uses_a_fixed_number_of_queries(
    client_for, staff, call, juror, django_assert_max_num_queries
):
    from tests.factories import OrganisationFactory

    for n in range(8):
        organisation = OrganisationFactory(name=f"Start-up {n}")
        applicant = member_of(organisation, username=f"founder{n}")
        application = services.application_create(
            by=applicant, call=call, organisation=organisation
        )
        application.answers = {str(call.questions.get().pk): "x"}
        application.save()
        services.application_submit(by=applicant, application=application)
        services.jurors_assign(by=staff, application=application, jurors=[juror])
    staff_client, juror_client = client_for(staff), client_for(juror)
    # auth, count, applications (with call and organisation), juror assignments
    with django_assert_max_num_queries(4):
        response = staff_client.get(APPLICATIONS)
    assert response.data["count"] == 8
    with django_assert_max_num_queries(4):
        response = juror_client.get(APPLICATIONS)
    assert response.data["count"] == 8


def test_members_list_only_their_organisations_applications(
    client_for, member, other_member, draft, call, other_organisation
):
    services.application_create(by=other_member, call=call, organisation=other_organisation)
    ids = [row["id"] for row in client_for(member).get(APPLICATIONS).data["results"]]
    assert ids == [draft.pk]


def test_members_do_not_see_calls_before_they_open(client_for, member, programme, staff):
    services.call_create(
        by=staff,
        programme=programme,
        title="Future call",
        opens_at=timezone.now() + datetime.timedelta(days=3),
        closes_at=timezone.now() + datetime.timedelta(days=30),
        criteria=[{"name": "Fit", "weight": Decimal(1), "max_score": 10}],
    )
    titles = [
        c["title"] for c in client_for(member).get("/api/v1/incubation/calls/").data["results"]
    ]
    assert "Future call" not in titles
    titles = [
        c["title"] for c in client_for(staff).get("/api/v1/incubation/calls/").data["results"]
    ]
    assert "Future call" in titles


def test_staff_create_a_call_with_questions_and_weighted_criteria(client_for, staff, programme):
    response = client_for(staff).post(
        "/api/v1/incubation/calls/",
        {
            "programme": programme.pk,
            "title": "CAIAC prototyping track 2027",
            "opens_at": "2026-12-01T09:00:00+00:00",
            "closes_at": "2027-01-15T18:00:00+00:00",
            "questions": [{"text": "What will you prototype?"}],
            "criteria": [
                {"name": "Innovation", "weight": "2.5", "max_score": 10},
                {"name": "Market", "weight": "1", "max_score": 5},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert [c["name"] for c in response.data["criteria"]] == ["Innovation", "Market"]
    assert response.data["closes_at"] == "2027-01-15T18:00:00Z" or response.data[
        "closes_at"
    ].startswith("2027-01-15T18:00:00")


def test_a_call_that_closes_before_it_opens_is_refused(client_for, staff, programme):
    response = client_for(staff).post(
        "/api/v1/incubation/calls/",
        {
            "programme": programme.pk,
            "title": "Backwards",
            "opens_at": "2027-01-15T18:00:00+00:00",
            "closes_at": "2026-12-01T09:00:00+00:00",
            "criteria": [{"name": "Fit", "weight": "1", "max_score": 10}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "closes_at" in response.data["fields"]


def test_criteria_cannot_change_once_scoring_started(
    client_for, staff, juror, call, criteria, assigned
):
    services.evaluation_create(juror=juror, application=assigned, criterion=criteria[0], score=3)
    response = client_for(staff).patch(
        f"/api/v1/incubation/calls/{call.pk}/",
        {"criteria": [{"name": "Only one", "weight": "1", "max_score": 10}]},
        format="json",
    )
    assert response.status_code == 409
    assert response.data["code"] == "scoring_started"


# --- Programmes --------------------------------------------------------------------------------
def test_staff_create_a_programme_with_stage_benefits(client_for, staff, member):
    body = {
        "name": "CAIAC prototyping track",
        "stages": [
            {"stage": "pre_incubation", "lab_hours_per_month": "4"},
            {
                "stage": "incubation",
                "lab_hours_per_month": "12.5",
                "trainings_included": ["Vacuum emulsifier: safe use"],
            },
        ],
    }
    response = client_for(staff).post("/api/v1/incubation/programmes/", body, format="json")
    assert response.status_code == 201, response.data
    stages = {s["stage"]: s for s in response.data["stages"]}
    assert stages["incubation"]["lab_hours_per_month"] == "12.50"
    assert stages["incubation"]["trainings_included"] == ["Vacuum emulsifier: safe use"]
    listed = client_for(member).get("/api/v1/incubation/programmes/").data["results"]
    assert [p["name"] for p in listed] == ["CAIAC prototyping track"]
    response = client_for(staff).post("/api/v1/incubation/programmes/", body, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "programme_exists"


def test_a_final_stage_carries_no_benefit(client_for, staff):
    response = client_for(staff).post(
        "/api/v1/incubation/programmes/",
        {"name": "P", "stages": [{"stage": "graduated", "lab_hours_per_month": "4"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "stages" in response.data["fields"]


def test_applying_before_the_call_opens_is_refused(member, organisation, call):
    from caiac.errors import Invalid

    with (
        time_machine.travel(call.opens_at - datetime.timedelta(minutes=1)),
        pytest.raises(Invalid) as error,
    ):
        services.application_create(by=member, call=call, organisation=organisation)
    assert error.value.code == "call_not_open"


def test_open_calls_filter(client_for, member, call, programme, staff):
    closed = services.call_create(
        by=staff,
        programme=programme,
        title="Closed call",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        criteria=[{"name": "Fit", "weight": Decimal(1), "max_score": 10}],
    )
    rows = client_for(member).get("/api/v1/incubation/calls/", {"open": "1"}).data["results"]
    assert [(r["title"], r["is_open"]) for r in rows] == [("Appel 2026", True)]
    everything = client_for(member).get("/api/v1/incubation/calls/").data["results"]
    assert closed.title in [r["title"] for r in everything]
