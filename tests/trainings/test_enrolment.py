import datetime

import pytest
import time_machine
from django.utils import timezone

from caiac.notifications.models import Message, MessageStatus
from tests.factories import UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Enrolment, EnrolmentStatus, SessionStatus

pytestmark = pytest.mark.django_db


def enrol(client_for, caller, session, **body):
    return client_for(caller).post(
        f"/api/v1/trainings/sessions/{session.pk}/enrol/", body, format="json"
    )


def cancel(client_for, caller, session, **body):
    return client_for(caller).post(
        f"/api/v1/trainings/sessions/{session.pk}/cancel/", body, format="json"
    )


def test_people_are_enrolled_while_seats_are_left_then_waitlisted_in_order(client_for, session):
    people = [UserFactory() for _ in range(5)]
    answers = [enrol(client_for, person, session).json() for person in people]
    assert answers == [
        {"status": "enrolled", "position": None},
        {"status": "enrolled", "position": None},
        {"status": "waitlisted", "position": 1},
        {"status": "waitlisted", "position": 2},
        {"status": "waitlisted", "position": 3},
    ]
    listed = client_for(people[0]).get(f"/api/v1/trainings/sessions/{session.pk}/").json()
    assert listed["capacity"] == 2
    assert listed["seats_left"] == 0
    assert listed["waitlist_length"] == 3
    assert listed["my_enrolment"] == {"status": "enrolled", "position": None}


def test_enrolment_answers_201(client_for, member, session):
    response = enrol(client_for, member, session)
    assert response.status_code == 201
    assert Enrolment.objects.get(user=member).status == EnrolmentStatus.ENROLLED


def test_cancelling_a_seat_promotes_the_first_waiting_person_and_tells_them(client_for, session):
    first, second, waiting1, waiting2 = (UserFactory() for _ in range(4))
    for person in (first, second, waiting1, waiting2):
        enrol(client_for, person, session)

    response = cancel(client_for, first, session)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    statuses = dict(Enrolment.objects.values_list("user__username", "status"))
    assert statuses[waiting1.username] == "enrolled"
    assert statuses[waiting2.username] == "waitlisted"
    told = Message.objects.get(kind="trainings.promoted")
    assert told.recipient == waiting1
    assert told.dedup_key == f"session:{session.pk}:user:{waiting1.pk}:promoted:r1"
    # The promoted person now gets the day-before reminder; the one who left does not.
    reminders = Message.objects.filter(kind="trainings.reminder_24h")
    assert reminders.get(recipient=waiting1).status == MessageStatus.PENDING
    assert reminders.get(recipient=first).status == MessageStatus.CANCELLED
    # Positions close up with no gap.
    mine = client_for(waiting2).get(f"/api/v1/trainings/sessions/{session.pk}/").json()
    assert mine["my_enrolment"] == {"status": "waitlisted", "position": 1}


def test_leaving_the_waiting_list_promotes_nobody(client_for, session):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        enrol(client_for, person, session)
    cancel(client_for, people[2], session)
    assert not Message.objects.filter(kind="trainings.promoted").exists()
    assert Enrolment.objects.filter(status="enrolled").count() == 2


def test_staff_may_cancel_someone_elses_enrolment_but_a_member_may_not(
    client_for, session, staff, member, other_member
):
    enrol(client_for, member, session)
    refused = cancel(client_for, other_member, session, user=member.pk)
    assert refused.status_code == 403
    done = cancel(client_for, staff, session, user=member.pk)
    assert done.status_code == 200
    assert Enrolment.objects.get(user=member).status == "cancelled"


def test_cancelling_without_an_enrolment_is_404_not_enrolled(client_for, member, session):
    response = cancel(client_for, member, session)
    assert response.status_code == 404
    assert response.json()["code"] == "not_enrolled"


def test_enrolling_twice_is_409_already_enrolled(client_for, member, session):
    enrol(client_for, member, session)
    response = enrol(client_for, member, session)
    assert response.status_code == 409
    assert response.json()["code"] == "already_enrolled"


def test_a_person_who_cancelled_may_enrol_again_at_the_back_of_the_queue(client_for, session):
    a, b, c = (UserFactory() for _ in range(3))
    enrol(client_for, a, session)
    enrol(client_for, b, session)
    enrol(client_for, c, session)  # waiting 1
    cancel(client_for, a, session)  # c promoted
    again = enrol(client_for, a, session)
    assert again.status_code == 201
    assert again.json() == {"status": "waitlisted", "position": 1}


def test_missing_prerequisite_is_403_prerequisite_missing(client_for, member, trainer):
    basics = CourseFactory(title="GMP basics")
    advanced = CourseFactory(title="Freeze dryer operation", prerequisite=basics)
    session = SessionFactory(course=advanced, trainer=trainer)
    response = enrol(client_for, member, session)
    assert response.status_code == 403
    assert response.json()["code"] == "prerequisite_missing"


def test_a_valid_certification_of_the_prerequisite_opens_enrolment(client_for, member, trainer):
    from trainings.models import Certification

    basics = CourseFactory(title="GMP basics")
    advanced = CourseFactory(title="Freeze dryer operation", prerequisite=basics)
    session = SessionFactory(course=advanced, trainer=trainer)
    Certification.objects.create(
        user=member, course=basics, issued_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert enrol(client_for, member, session).status_code == 201


def test_enrolling_after_the_deadline_is_400_enrolment_closed(client_for, member, course, trainer):
    start = timezone.now() + datetime.timedelta(days=2)
    session = SessionFactory(
        course=course,
        trainer=trainer,
        start=start,
        end=start + datetime.timedelta(hours=2),
        enrolment_deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    response = enrol(client_for, member, session)
    assert response.status_code == 400
    assert response.json()["code"] == "enrolment_closed"


def test_enrolling_once_the_session_started_is_400_enrolment_closed(client_for, member, session):
    with time_machine.travel(session.start + datetime.timedelta(minutes=5)):
        response = enrol(client_for, member, session)
    assert response.status_code == 400
    assert response.json()["code"] == "enrolment_closed"


@pytest.mark.parametrize("state", [SessionStatus.CANCELLED, SessionStatus.DONE])
def test_enrolling_in_a_cancelled_or_done_session_is_400_session_not_open(
    client_for, member, session, state
):
    session.status = state
    session.save()
    response = enrol(client_for, member, session)
    assert response.status_code == 400
    assert response.json()["code"] == "session_not_open"


def test_a_member_cannot_enrol_someone_else(client_for, member, other_member, session):
    response = enrol(client_for, member, session, user=other_member.pk)
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_enrolment_needs_a_sign_in(api_client, session):
    response = api_client.post(f"/api/v1/trainings/sessions/{session.pk}/enrol/")
    assert response.status_code == 401


def test_enrolling_in_an_unknown_session_is_404(client_for, member):
    assert client_for(member).post("/api/v1/trainings/sessions/999999/enrol/").status_code == 404


def test_enrolment_schedules_the_day_before_reminder_with_an_ics(client_for, member, session):
    enrol(client_for, member, session)
    reminder = Message.objects.get(kind="trainings.reminder_24h", recipient=member)
    assert reminder.dedup_key == f"session:{session.pk}:user:{member.pk}:reminder-24h:r0"
    assert reminder.due_at == session.start - datetime.timedelta(hours=24)
    assert reminder.send_before == session.start
    assert reminder.context["ics"]["start"] == session.start.isoformat()


def test_waitlisted_people_get_no_reminder(client_for, session):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        enrol(client_for, person, session)
    assert not Message.objects.filter(recipient=people[2], kind__contains="reminder").exists()
    (told,) = Message.objects.filter(recipient=people[2])
    assert (told.kind, told.context["position"]) == ("trainings.enrolled", 1)
    assert "ics" not in told.context  # no invitation for a place in the queue


def test_moving_a_session_moves_the_reminders(client_for, staff, member, session):
    enrol(client_for, member, session)
    new_start = session.start + datetime.timedelta(days=2)
    response = client_for(staff).patch(
        f"/api/v1/trainings/sessions/{session.pk}/",
        {
            "start": new_start.isoformat(),
            "end": (new_start + datetime.timedelta(hours=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    reminder = Message.objects.get(
        kind="trainings.reminder_24h", recipient=member, status=MessageStatus.PENDING
    )
    assert reminder.due_at == new_start - datetime.timedelta(hours=24)


def test_more_seats_promote_the_waiting_list(client_for, staff, session):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        enrol(client_for, person, session)
    response = client_for(staff).patch(
        f"/api/v1/trainings/sessions/{session.pk}/", {"capacity": 3}, format="json"
    )
    assert response.json()["seats_left"] == 0
    assert response.json()["waitlist_length"] == 0
    assert Message.objects.filter(kind="trainings.promoted", recipient=people[2]).exists()


def test_fewer_seats_than_people_enrolled_is_refused_with_the_field(client_for, staff, session):
    for _ in range(2):
        enrol(client_for, UserFactory(), session)
    response = client_for(staff).patch(
        f"/api/v1/trainings/sessions/{session.pk}/", {"capacity": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "capacity_below_enrolled"
    assert "capacity" in response.json()["fields"]


def test_cancelling_a_session_tells_everyone_and_drops_reminders(client_for, staff, session):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        enrol(client_for, person, session)

    response = client_for(staff).post(f"/api/v1/trainings/sessions/{session.pk}/cancel-session/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    told = Message.objects.filter(kind="trainings.session_cancelled")
    assert {m.recipient for m in told} == set(people)
    assert told.get(recipient=people[2]).context["was_waiting"] is True
    reminders = Message.objects.filter(kind="trainings.reminder_24h")
    assert reminders.filter(recipient__in=people).count() == 2
    assert all(m.status == MessageStatus.CANCELLED for m in reminders)


def test_a_member_cannot_cancel_a_session(client_for, member, session):
    response = client_for(member).post(f"/api/v1/trainings/sessions/{session.pk}/cancel-session/")
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_cancelling_an_already_cancelled_session_is_400(client_for, staff, session):
    client_for(staff).post(f"/api/v1/trainings/sessions/{session.pk}/cancel-session/")
    again = client_for(staff).post(f"/api/v1/trainings/sessions/{session.pk}/cancel-session/")
    assert again.status_code == 400
    assert again.json()["code"] == "session_not_open"


def test_cancelling_an_enrolment_after_the_start_is_400(client_for, member, session):
    EnrolmentFactory(session=session, user=member)
    with time_machine.travel(session.start + datetime.timedelta(minutes=1)):
        response = cancel(client_for, member, session)
    assert response.status_code == 400
    assert response.json()["code"] == "session_started"


def test_my_enrolments_list_my_seats_and_queue_places_only(client_for, member, other_member):
    full = SessionFactory(capacity=1)
    EnrolmentFactory(session=full, user=UserFactory())
    open_session = SessionFactory(capacity=5)
    enrol(client_for, member, full)
    enrol(client_for, member, open_session)
    enrol(client_for, other_member, open_session)
    listed = client_for(member).get("/api/v1/trainings/enrolments/").json()["results"]
    assert [(e["session"]["id"], e["status"], e["position"]) for e in listed] == [
        (full.pk, "waitlisted", 1),
        (open_session.pk, "enrolled", None),
    ]


def test_only_staff_may_list_someone_elses_enrolments(client_for, staff, member, other_member):
    session = SessionFactory()
    enrol(client_for, other_member, session)
    url = f"/api/v1/trainings/enrolments/?user={other_member.pk}"
    assert client_for(member).get(url).json()["count"] == 0
    assert client_for(staff).get(url).json()["count"] == 1


def test_reminder_stays_a_full_day_ahead_when_a_session_moves_to_the_day_of_the_2026_switch(
    course, trainer, staff, member
):
    from zoneinfo import ZoneInfo

    from trainings.services import session_create, session_enrol, session_update

    casa = ZoneInfo("Africa/Casablanca")
    with time_machine.travel(datetime.datetime(2026, 9, 10, 12, tzinfo=casa), tick=False):
        session = session_create(
            by=staff,
            course=course,
            trainer=trainer,
            place="Halle Technologique, salle 2",
            start=datetime.datetime(2026, 9, 17, 10, 0, tzinfo=casa),
            end=datetime.datetime(2026, 9, 17, 13, 0, tzinfo=casa),
            capacity=4,
        )
        session_enrol(by=member, session=session)
        session_update(
            by=staff,
            session=session,
            start=datetime.datetime(2026, 9, 20, 10, 0, tzinfo=casa),  # UTC+0 from that day
            end=datetime.datetime(2026, 9, 20, 13, 0, tzinfo=casa),
        )
    reminder = Message.objects.get(
        kind="trainings.reminder_24h", recipient=member, status=MessageStatus.PENDING
    )
    assert reminder.due_at == datetime.datetime(2026, 9, 19, 10, 0, tzinfo=datetime.UTC)
