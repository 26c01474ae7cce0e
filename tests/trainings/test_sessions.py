import datetime

import pytest
from django.utils import timezone

from tests.factories import TrainerFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, SessionFactory
from trainings.models import Session, SessionStatus

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/trainings/sessions/"


def slot(days: int, hour: int = 9, hours: int = 3):
    start = (timezone.now() + datetime.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return start, start + datetime.timedelta(hours=hours)


def body(course, trainer, start, end, **extra):
    return {
        "course": course.pk,
        "trainer": trainer.pk,
        "place": "Salle de formation",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "capacity": 8,
        "language": "fr",
        **extra,
    }


def test_staff_schedule_a_session_for_a_trainer(client_for, staff, trainer, course):
    start, end = slot(10)
    response = client_for(staff).post(SESSIONS, body(course, trainer, start, end), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["trainer"] == trainer.pk
    assert data["capacity"] == 8
    assert data["seats_left"] == 8
    assert data["waitlist_length"] == 0
    assert data["status"] == "scheduled"


def test_a_trainer_schedules_their_own_session_but_not_someone_elses(client_for, trainer, course):
    colleague = TrainerFactory()
    start, end = slot(10)
    own = client_for(trainer).post(SESSIONS, body(course, trainer, start, end), format="json")
    assert own.status_code == 201
    start, end = slot(11)
    other = client_for(trainer).post(SESSIONS, body(course, colleague, start, end), format="json")
    assert other.status_code == 403


def test_a_member_cannot_schedule_sessions(client_for, member, trainer, course):
    start, end = slot(10)
    response = client_for(member).post(SESSIONS, body(course, trainer, start, end), format="json")
    assert response.status_code == 403


def test_overlapping_sessions_of_one_trainer_are_refused_with_409(
    client_for, staff, trainer, course
):
    start, end = slot(10)
    client_for(staff).post(SESSIONS, body(course, trainer, start, end), format="json")
    clash = client_for(staff).post(
        SESSIONS,
        body(
            course, trainer, start + datetime.timedelta(hours=1), end + datetime.timedelta(hours=1)
        ),
        format="json",
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "trainer_unavailable"
    assert Session.objects.count() == 1


def test_back_to_back_sessions_and_other_trainers_are_fine(client_for, staff, trainer, course):
    start, end = slot(10)
    client = client_for(staff)
    assert (
        client.post(SESSIONS, body(course, trainer, start, end), format="json").status_code == 201
    )
    after = client.post(
        SESSIONS, body(course, trainer, end, end + datetime.timedelta(hours=2)), format="json"
    )
    assert after.status_code == 201
    other = client.post(SESSIONS, body(course, TrainerFactory(), start, end), format="json")
    assert other.status_code == 201


def test_a_cancelled_session_frees_the_trainer(client_for, staff, trainer, course):
    start, end = slot(10)
    first = client_for(staff).post(SESSIONS, body(course, trainer, start, end), format="json")
    client_for(staff).post(f"{SESSIONS}{first.json()['id']}/cancel-session/")
    again = client_for(staff).post(SESSIONS, body(course, trainer, start, end), format="json")
    assert again.status_code == 201


def test_moving_a_session_onto_another_of_the_trainer_is_409(client_for, staff, trainer, course):
    a = SessionFactory(trainer=trainer, course=course, start=slot(10)[0], end=slot(10)[1])
    b = SessionFactory(trainer=trainer, course=course, start=slot(12)[0], end=slot(12)[1])
    response = client_for(staff).patch(
        f"{SESSIONS}{b.pk}/",
        {"start": a.start.isoformat(), "end": a.end.isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "trainer_unavailable"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_before_start": True}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"course": 999999}, "course"),
        ({"start": "tomorrow"}, "start"),
    ],
)
def test_bad_input_is_400_with_the_field_named(client_for, staff, trainer, course, change, field):
    start, end = slot(10)
    data = body(course, trainer, start, end)
    if change.pop("end_before_start", False):
        data["end"] = (start - datetime.timedelta(hours=1)).isoformat()
    data.update(change)
    response = client_for(staff).post(SESSIONS, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_session_in_the_past_cannot_be_scheduled(client_for, staff, trainer, course):
    start, end = slot(-2)
    response = client_for(staff).post(SESSIONS, body(course, trainer, start, end), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "session_in_past"


def test_a_member_cannot_be_made_the_trainer(client_for, staff, member, course):
    start, end = slot(10)
    response = client_for(staff).post(SESSIONS, body(course, member, start, end), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_trainer"


def test_a_trainer_cannot_edit_another_trainers_session(client_for, trainer, course):
    theirs = SessionFactory(course=course)
    response = client_for(trainer).patch(f"{SESSIONS}{theirs.pk}/", {"capacity": 9}, format="json")
    assert response.status_code == 403
    cancel = client_for(trainer).post(f"{SESSIONS}{theirs.pk}/cancel-session/")
    assert cancel.status_code == 403
    theirs.refresh_from_db()
    assert theirs.capacity == 2
    assert theirs.status == SessionStatus.SCHEDULED


def test_the_schedule_needs_a_sign_in(api_client):
    assert api_client.get(SESSIONS).status_code == 401
    assert api_client.get("/api/v1/trainings/courses/").status_code == 401


def test_trainers_see_their_own_upcoming_sessions(client_for, trainer, course):
    mine = SessionFactory(trainer=trainer, course=course)
    SessionFactory(course=course)  # another trainer's
    past = SessionFactory(
        trainer=trainer,
        course=course,
        start=timezone.now() - datetime.timedelta(days=3),
        end=timezone.now() - datetime.timedelta(days=3, hours=-2),
    )
    listed = client_for(trainer).get(f"{SESSIONS}mine/").json()["results"]
    assert [s["id"] for s in listed] == [mine.pk]
    filtered = client_for(trainer).get(SESSIONS, {"mine": 1}).json()["results"]
    assert {s["id"] for s in filtered} == {mine.pk, past.pk}
    upcoming = client_for(trainer).get(SESSIONS, {"mine": 1, "upcoming": 1}).json()["results"]
    assert [s["id"] for s in upcoming] == [mine.pk]


def test_session_list_query_count_does_not_grow_with_sessions(
    client_for, member, course, django_assert_max_num_queries
):
    for days in range(1, 16):
        session = SessionFactory(
            course=course,
            start=timezone.now() + datetime.timedelta(days=days),
            end=timezone.now() + datetime.timedelta(days=days, hours=2),
        )
        EnrolmentFactory(session=session, user=UserFactory())
        if days % 2:
            EnrolmentFactory(session=session, user=member, status="waitlisted")
    client = client_for(member)
    with django_assert_max_num_queries(8):
        response = client.get(SESSIONS)
    assert response.json()["count"] == 15
    first = response.json()["results"][0]
    assert first["seats_left"] == 1
    assert first["my_enrolment"] == {"status": "waitlisted", "position": 1}


def test_a_time_without_offset_is_read_on_the_casablanca_wall_clock(
    client_for, staff, trainer, course
):
    data = body(course, trainer, timezone.now(), timezone.now())
    data.update(start="2030-06-03T09:00:00", end="2030-06-03T12:00:00")
    response = client_for(staff).post(SESSIONS, data, format="json")
    assert response.status_code == 201, response.json()
    session = Session.objects.get()
    # Permanent UTC+0 since 20 September 2026 (IANA 2026c).
    assert session.start == datetime.datetime(2030, 6, 3, 9, 0, tzinfo=datetime.UTC)


def test_a_local_time_skipped_by_a_clock_switch_is_refused(client_for, staff, trainer, course):
    data = body(course, trainer, timezone.now(), timezone.now())
    # 22 March 2026: clocks went from 02:00 to 03:00 after Ramadan; 02:30 never happened.
    data.update(start="2026-03-22T02:30:00", end="2026-03-22T05:00:00")
    response = client_for(staff).post(SESSIONS, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # the field refuses it, before any rule
    assert "start" in response.json()["fields"]
