"""Projects spend the lab: a booking, a training session and a mentoring session may name a
project their organisation takes part in; the project shows its lab hours and their cost."""

import datetime
from decimal import Decimal

import pytest

from booking import selectors as booking_selectors
from booking import services as booking
from caiac.errors import Invalid
from caiac.projects import services
from incubation import services as incubation
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import MembershipFactory
from tests.incubation.factories import CohortFactory, ProgrammeFactory
from tests.trainings.factories import CourseFactory
from trainings import services as trainings


@pytest.fixture
def mixer(db, frozen):
    lab_open_weekdays()
    return EquipmentFactory(name="Émulsionneur sous vide", hourly_rate_member=Decimal("150"))


def _book(user, machine, day, hour, hours=2, **kwargs):
    return booking.booking_create(
        user=user,
        equipment=machine,
        start=local(2026, 11, day, hour, 0),
        end=local(2026, 11, day, hour + hours, 0),
        **kwargs,
    )


def test_a_booking_names_a_project_of_its_organisation(project, owner, mixer):
    made = _book(owner, mixer, 24, 9, project=project.pk)
    assert made.project == project


def test_a_booking_for_another_organisations_project_is_refused(
    client_for, project, other_member, mixer
):
    response = client_for(other_member).post(
        "/api/v1/bookings/",
        {
            "equipment": mixer.pk,
            "start": local(2026, 11, 24, 9, 0).isoformat(),
            "end": local(2026, 11, 24, 10, 0).isoformat(),
            "project": project.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "project_not_partner"
    assert "project" in response.json()["fields"]


def test_a_weekly_series_names_its_project_on_every_booking(project, owner, mixer):
    result = booking.booking_series_create(
        user=owner,
        equipment=mixer,
        start=local(2026, 11, 24, 9, 0),
        end=local(2026, 11, 24, 10, 0),
        weekly_until=datetime.date(2026, 12, 8),
        project=project,
    )
    assert {b.project_id for b in result.booked} == {project.pk}
    assert len(result.booked) == 3


def test_the_project_counts_its_lab_hours_and_their_cost(project, owner, staff, mixer, frozen):
    first = _book(owner, mixer, 23, 9, hours=2, project=project)  # 2 h at 150 MAD
    _book(owner, mixer, 24, 9, hours=3, project=project)  # 3 h booked, not yet used
    cancelled = _book(owner, mixer, 25, 9, hours=1, project=project)
    booking.booking_cancel(user=owner, booking=cancelled)
    _book(owner, mixer, 26, 9, hours=1)  # no project: not counted
    frozen.move_to(local(2026, 11, 23, 9, 30))
    booking.booking_check_in(user=staff, booking=first)

    use = booking_selectors.project_lab_use([project.pk])[project.pk]
    assert (use.bookings, use.hours_booked, use.hours_used, use.cost_mad) == (
        2,
        Decimal("5.00"),
        Decimal("2.00"),
        Decimal("750.00"),
    )


def test_the_lab_use_endpoint_is_for_the_partners_only(
    client_for, project, owner, researcher, other_member, mixer
):
    _book(owner, mixer, 24, 9, hours=2, project=project)
    url = f"/api/v1/projects/{project.pk}/lab-use/"
    body = client_for(researcher).get(url).json()
    assert (body["hours_booked"], body["cost_mad"]) == ("2.00", "300.00")
    assert [row["equipment_name"] for row in body["rows"]] == ["Émulsionneur sous vide"]
    assert client_for(other_member).get(url).status_code == 404


def test_a_trainer_names_only_a_project_of_their_organisation_staff_any(
    project, trainer, staff, university, frozen
):
    course = CourseFactory(title="Formulation à froid")
    session = dict(
        course=course,
        place="Halle Technologique, salle 2",
        start=local(2026, 12, 1, 9, 0),
        end=local(2026, 12, 1, 12, 0),
        capacity=10,
        project=project.pk,
    )
    with pytest.raises(Invalid) as refused:
        trainings.session_create(by=trainer, **session)
    assert refused.value.code == "project_not_partner"
    assert trainings.session_create(by=staff, trainer=trainer, **session).project == project
    MembershipFactory(user=trainer, organisation=university)
    session["start"], session["end"] = local(2026, 12, 2, 9, 0), local(2026, 12, 2, 12, 0)
    assert trainings.session_create(by=trainer, **session).project == project


def test_a_mentoring_session_names_a_project_of_the_incubatee(
    project, staff, organisation, other_organisation
):
    cohort = CohortFactory(programme=ProgrammeFactory(name="Pépinière cosmétique"))
    ours = incubation.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    theirs = incubation.incubatee_create(by=staff, cohort=cohort, organisation=other_organisation)
    common = dict(
        date=datetime.date(2026, 11, 10), hours=Decimal("2"), topic="Dossier de financement"
    )
    logged = incubation.mentoring_session_create(
        by=staff, incubatee=ours, mentor_name="M. Ait Taleb", project=project, **common
    )
    assert logged.project == project
    with pytest.raises(Invalid) as refused:
        incubation.mentoring_session_create(
            by=staff, incubatee=theirs, mentor_name="M. Ait Taleb", project=project, **common
        )
    assert refused.value.code == "project_not_partner"


def test_a_closed_project_takes_no_more_lab_use(project, owner, mixer):
    services.project_change_status(by=owner, project=project, status="abandoned", reason="Arrêt")
    with pytest.raises(Invalid) as refused:
        _book(owner, mixer, 24, 9, project=project)
    assert refused.value.code == "project_not_open"
