"""Cohorts, incubatees, stage history and the lab hours each stage grants."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from booking.models import LabCredit
from incubation import services
from incubation.models import Stage, StageChange
from incubation.tasks import grant_monthly_lab_hours

pytestmark = pytest.mark.django_db

INCUBATEES = "/api/v1/incubation/incubatees/"
NOV_2026 = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)


def test_stage_history_keeps_date_author_and_reason(client_for, staff, cohort, organisation):
    client = client_for(staff)
    with time_machine.travel(NOV_2026 - datetime.timedelta(days=40)):
        incubatee = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    with time_machine.travel(NOV_2026):
        response = client.post(
            f"{INCUBATEES}{incubatee.pk}/stage/",
            {"stage": "incubation", "reason": "Prototype validated"},
            format="json",
        )
    assert response.status_code == 200, response.data
    assert response.data["stage"] == "incubation"
    history = response.data["stage_changes"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("", "pre_incubation"),
        ("pre_incubation", "incubation"),
    ]
    last = history[-1]
    assert last["changed_by"] == staff.pk
    assert last["reason"] == "Prototype validated"
    assert last["changed_at"].startswith("2026-11-16T10:00:00")
    assert response.data["stage_started_at"].startswith("2026-11-16T10:00:00")


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "pre_incubation"),  # not a move
        (["incubation"], "pre_incubation"),  # backwards
        (["incubation", "acceleration", "graduated"], "exited"),  # graduated is final
        (["exited"], "incubation"),  # exited is final
        (["acceleration"], "incubation"),  # backwards
    ],
)
def test_invalid_stage_transitions_are_refused_with_400(client_for, staff, incubatee, path, target):
    for stage in path:
        services.incubatee_move_stage(by=staff, incubatee=incubatee, stage=stage)
    changes = StageChange.objects.count()
    response = client_for(staff).post(
        f"{INCUBATEES}{incubatee.pk}/stage/", {"stage": target, "reason": "?"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid_stage_transition"
    assert StageChange.objects.count() == changes


@pytest.mark.parametrize("live", ["pre_incubation", "incubation", "acceleration"])
def test_exit_is_allowed_from_every_live_stage(staff, incubatee, live):
    for stage in ["incubation", "acceleration"][
        : ["pre_incubation", "incubation", "acceleration"].index(live)
    ]:
        services.incubatee_move_stage(by=staff, incubatee=incubatee, stage=stage)
    moved = services.incubatee_move_stage(
        by=staff, incubatee=incubatee, stage="exited", reason="Moved abroad"
    )
    assert moved.stage == Stage.EXITED


def test_forward_moves_may_skip_a_stage(staff, incubatee):
    moved = services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="acceleration")
    assert moved.stage == "acceleration"


def test_members_cannot_move_stages(client_for, member, incubatee):
    response = client_for(member).post(
        f"{INCUBATEES}{incubatee.pk}/stage/", {"stage": "incubation"}, format="json"
    )
    assert response.status_code == 403


def test_an_unknown_stage_is_refused_naming_the_field(client_for, staff, incubatee):
    response = client_for(staff).post(
        f"{INCUBATEES}{incubatee.pk}/stage/", {"stage": "unicorn"}, format="json"
    )
    assert response.status_code == 400
    assert "stage" in response.data["fields"]


def test_joining_grants_the_stage_lab_hours_for_the_current_month(staff, cohort, organisation):
    with time_machine.travel(NOV_2026):
        incubatee = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    credit = LabCredit.objects.get(organisation=organisation)
    assert credit.hours == Decimal("4")
    assert (credit.period_start, credit.period_end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert credit.source_ref == f"incubatee:{incubatee.pk}:stage:pre_incubation:2026-11"


def test_a_stage_start_grants_that_stages_hours(staff, incubatee):
    with time_machine.travel(NOV_2026):
        services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="incubation")
    refs = sorted(LabCredit.objects.values_list("source_ref", "hours"))
    assert (f"incubatee:{incubatee.pk}:stage:incubation:2026-11", Decimal("10.00")) in refs


def test_graduating_grants_nothing(staff, incubatee):
    services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="acceleration")
    before = LabCredit.objects.count()
    services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="graduated")
    assert LabCredit.objects.count() == before


@pytest.fixture
def created_mid_november():
    """Incubatees started on 15 Nov 2026 (whatever today is), so December is still to grant."""
    with time_machine.travel(datetime.datetime(2026, 11, 15, 12, 0, tzinfo=datetime.UTC)):
        yield


def test_the_monthly_task_grants_the_new_month_once_to_live_incubatees(
    created_mid_november, staff, incubatee, other_incubatee
):
    services.incubatee_move_stage(by=staff, incubatee=other_incubatee, stage="exited")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 0, 10, tzinfo=datetime.UTC)):
        assert grant_monthly_lab_hours.delay().get() == 1
        grant_monthly_lab_hours.delay().get()  # a second run changes nothing
    december = LabCredit.objects.filter(period_start=datetime.date(2026, 12, 1))
    assert list(december.values_list("organisation_id", "hours", "period_end")) == [
        (incubatee.organisation_id, Decimal("4.00"), datetime.date(2026, 12, 31))
    ]


def test_the_month_follows_the_casablanca_calendar(created_mid_november, staff, incubatee):
    # 30 Nov 23:30 UTC is already 1 Dec on the Casablanca clock only while it is UTC+1; since
    # 20 Sep 2026 Morocco is on UTC+0, so this instant is still November there.
    with time_machine.travel(datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)):
        services.lab_hours_grant_monthly()
    assert not LabCredit.objects.filter(period_start=datetime.date(2026, 12, 1)).exists()


def test_incubatee_api_hides_other_organisations(client_for, member, incubatee, other_incubatee):
    client = client_for(member)
    ids = [row["id"] for row in client.get(INCUBATEES).data["results"]]
    assert ids == [incubatee.pk]
    assert client.get(f"{INCUBATEES}{other_incubatee.pk}/").status_code == 404


def test_the_list_shows_each_incubatee_as_its_own_page_does(
    client_for, staff, incubatee, other_incubatee
):
    services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="incubation")
    LabCredit.objects.filter(organisation=other_incubatee.organisation).delete()  # none left
    client = client_for(staff)
    listed = client.get(INCUBATEES).json()["results"]
    detailed = [client.get(f"{INCUBATEES}{row['id']}/").json() for row in listed]
    assert listed == [
        {key: value for key, value in page.items() if key != "stage_changes"} for page in detailed
    ]
    assert sorted(row["lab_hours_balance"] for row in listed) == ["0.00", "14.00"]
    filtered = client.get(INCUBATEES, {"stage": "incubation"}).json()["results"]
    assert [row["id"] for row in filtered] == [incubatee.pk]


def test_staff_add_an_organisation_to_a_cohort_once(client_for, staff, cohort, organisation):
    client = client_for(staff)
    body = {"cohort": cohort.pk, "organisation": organisation.pk, "stage": "incubation"}
    response = client.post(INCUBATEES, body, format="json")
    assert response.status_code == 201
    assert response.data["stage"] == "incubation"
    response = client.post(INCUBATEES, body, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "incubatee_exists"


def test_the_monthly_grant_is_on_the_beat_schedule():
    from caiac.celery import app

    entry = app.conf.beat_schedule["incubation-grant-monthly-lab-hours"]
    assert (
        entry["task"] == grant_monthly_lab_hours.name == "incubation.tasks.grant_monthly_lab_hours"
    )
