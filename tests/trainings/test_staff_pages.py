"""Courses and sessions from the pages: staff add and edit courses (with their French and
Arabic texts); staff schedule sessions for any trainer, trainers their own; a trainer clash and
bad times are refused inline; a trainer cannot touch another trainer's session."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking, BookingStatus
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import TrainerFactory, UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Course, Session, SessionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    """Monday 23 November 2026, 07:00 in Casablanca."""
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as traveller:
        yield traveller


def session_data(course=None, **changes) -> dict:
    data = {
        "place": "Halle Technologique, salle 2",
        "start_day": "2026-12-02",
        "start_time": "09:00",
        "end_time": "12:00",
        "end_day": "",
        "capacity": "8",
        "language": "fr",
        "deadline_day": "",
        "deadline_time": "",
        "equipment": "",
    }
    if course is not None:
        data["course"] = course.pk
    return {**data, **changes}


def test_staff_add_a_course_with_its_arabic_title(client, staff):
    client.force_login(staff)
    response = client.post(
        "/staff/trainings/courses/new/",
        {"title": "Hygiène en cosmétique", "description": "", "duration_hours": "3",
         "level": "beginner", "price": "250", "prerequisite": "", "validity_months": "24",
         "is_active": "on", "title_ar": "النظافة في مستحضرات التجميل"},
    )  # fmt: skip
    assert response.status_code == 302
    course = Course.objects.get(title="Hygiène en cosmétique")
    assert course.price == Decimal("250")
    assert course.translations == {"fr": {}, "ar": {"title": "النظافة في مستحضرات التجميل"}}
    assert f'id="course-{course.pk}"' in client.get("/staff/trainings/").content.decode()


def test_a_course_cannot_become_its_own_prerequisite_through_another(client, staff):
    first = CourseFactory(title="Bases")
    second = CourseFactory(title="Avancé", prerequisite=first)
    client.force_login(staff)
    response = client.post(
        f"/staff/trainings/courses/{first.pk}/edit/",
        {"title": "Bases", "duration_hours": "3", "level": "beginner", "price": "0",
         "prerequisite": second.pk, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["prerequisite"]
    assert "prerequisite_cycle" in response.content.decode()
    first.refresh_from_db()
    assert first.prerequisite is None


def test_staff_schedule_a_session_for_a_trainer_with_a_machine(client, staff, trainer, frozen):
    course = CourseFactory(title="Émulsions")
    machine = EquipmentFactory(name="Émulsionneur")
    client.force_login(staff)
    response = client.post(
        "/trainings/sessions/new/",
        session_data(course, trainer=trainer.pk, equipment=machine.pk),
    )
    session = Session.objects.get(course=course)
    assert response.status_code == 302 and response["Location"].endswith(f"/{session.pk}/")
    assert session.trainer == trainer and session.capacity == 8
    assert (session.start, session.end) == (local(2026, 12, 2, 9), local(2026, 12, 2, 12))
    hold = Booking.objects.get(session=session)
    assert hold.equipment == machine and hold.status == BookingStatus.CONFIRMED


def test_a_trainer_clash_is_refused_inline(client, staff, trainer, frozen):
    SessionFactory(trainer=trainer, start=local(2026, 12, 2, 10), end=local(2026, 12, 2, 13))
    course = CourseFactory()
    client.force_login(staff)
    response = client.post("/trainings/sessions/new/", session_data(course, trainer=trainer.pk))
    assert response.status_code == 200
    assert "trainer_unavailable" in response.content.decode()
    assert not Session.objects.filter(course=course).exists()


def test_a_session_ending_before_it_starts_is_refused_on_its_field(client, trainer, frozen):
    course = CourseFactory()
    client.force_login(trainer)
    response = client.post(
        "/trainings/sessions/new/", session_data(course, start_time="14:00", end_time="10:00")
    )
    assert response.status_code == 200
    assert not Session.objects.exists()
    assert response.context["form"].non_field_errors()


def test_a_trainer_schedules_their_own_session_and_chooses_no_other_trainer(
    client, trainer, frozen
):
    other = TrainerFactory(username="karim")
    course = CourseFactory()
    client.force_login(trainer)
    assert "trainer" not in client.get("/trainings/sessions/new/").context["form"].fields
    response = client.post("/trainings/sessions/new/", session_data(course, trainer=other.pk))
    assert response.status_code == 302
    assert Session.objects.get(course=course).trainer == trainer


def test_more_seats_let_the_first_waiting_person_in(client, staff, member, frozen):
    session = SessionFactory(
        capacity=1, start=local(2026, 12, 2, 9), end=local(2026, 12, 2, 12), place="Salle 1"
    )
    EnrolmentFactory(session=session, user=UserFactory(username="salma"))
    waiting = EnrolmentFactory(session=session, user=member, status="waitlisted")
    client.force_login(staff)
    form = client.get(f"/trainings/sessions/{session.pk}/edit/").context["form"]
    assert form.initial["start_time"] == datetime.time(9, 0)
    data = session_data(trainer=session.trainer_id, capacity="2", place="Salle 1")
    assert client.post(f"/trainings/sessions/{session.pk}/edit/", data).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "enrolled"


def test_a_trainer_cannot_edit_or_cancel_another_trainers_session(client, trainer, frozen):
    session = SessionFactory(start=local(2026, 12, 2, 9), end=local(2026, 12, 2, 12))
    client.force_login(trainer)
    url = f"/trainings/sessions/{session.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, session_data(capacity="20")).status_code == 403
    session.refresh_from_db()
    assert session.capacity == 2


def test_cancelling_from_the_edit_page_cancels_the_session(client, staff, frozen):
    session = SessionFactory(start=local(2026, 12, 2, 9), end=local(2026, 12, 2, 12))
    client.force_login(staff)
    page = client.get(f"/trainings/sessions/{session.pk}/edit/").content.decode()
    assert f"/trainings/sessions/{session.pk}/cancel-session/" in page
    client.post(f"/trainings/sessions/{session.pk}/cancel-session/")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


@pytest.fixture
def lab_projects(staff, organisation, other_organisation):
    """The cooperative's project and another organisation's."""
    from caiac.projects import services as projects

    own = projects.project_create(by=staff, lead=organisation, title="Argan", theme="cosmetics")
    theirs = projects.project_create(
        by=staff, lead=other_organisation, title="Safran", theme="agrifood"
    )
    return own, theirs


def test_a_trainer_names_a_project_of_their_own_organisation(
    client, organisation, lab_projects, frozen
):
    from tests.factories import MembershipFactory

    own, theirs = lab_projects
    trainer = TrainerFactory(username="hafsa.trainer")
    MembershipFactory(user=trainer, organisation=organisation)
    course = CourseFactory()
    client.force_login(trainer)
    form = client.get("/trainings/sessions/new/").context["form"]
    assert list(form.fields["project"].queryset) == [own]
    response = client.post("/trainings/sessions/new/", session_data(course, project=theirs.pk))
    assert response.status_code == 200 and response.context["form"].errors["project"]
    response = client.post("/trainings/sessions/new/", session_data(course, project=own.pk))
    assert response.status_code == 302
    session = Session.objects.get(course=course)
    assert session.project == own
    page = client.get(f"/trainings/sessions/{session.pk}/").content.decode()
    assert 'id="session-project"' in page and "Argan" in page


def test_a_trainer_without_an_organisation_is_offered_no_project(client, trainer, frozen):
    client.force_login(trainer)
    assert "project" not in client.get("/trainings/sessions/new/").context["form"].fields


def test_staff_name_any_open_project_and_the_trainer_keeps_it_when_editing(
    client, staff, trainer, lab_projects, frozen
):
    own, theirs = lab_projects
    course = CourseFactory()
    client.force_login(staff)
    form = client.get("/trainings/sessions/new/").context["form"]
    assert set(form.fields["project"].queryset) == {own, theirs}
    data = session_data(course, trainer=trainer.pk, project=theirs.pk)
    assert client.post("/trainings/sessions/new/", data).status_code == 302
    session = Session.objects.get(course=course)
    assert session.project == theirs
    # The trainer (no partner of that project) changes the seats: the project stays.
    client.force_login(trainer)
    url = f"/trainings/sessions/{session.pk}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["project"] == theirs.pk
    response = client.post(url, session_data(capacity="12", project=theirs.pk))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.project) == (12, theirs)


@pytest.mark.parametrize(
    "url", ["/staff/trainings/", "/staff/trainings/courses/new/", "/trainings/sessions/new/"]
)
def test_members_cannot_open_the_training_forms(client, member, url):
    client.force_login(member)
    assert client.get(url).status_code == 403
