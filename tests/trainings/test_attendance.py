import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests.factories import TrainerFactory, UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Certification, CertificationEvent, SessionStatus

pytestmark = pytest.mark.django_db


def mark(client, session, marks):
    return client.post(f"/api/v1/trainings/sessions/{session.pk}/attendance/", marks, format="json")


def test_present_issues_a_certification_with_expiry_and_absent_none(
    client_for, trainer, past_session, member, other_member
):
    EnrolmentFactory(session=past_session, user=member)
    EnrolmentFactory(session=past_session, user=other_member)

    response = mark(
        client_for(trainer),
        past_session,
        [{"user": member.pk, "present": True}, {"user": other_member.pk, "present": False}],
    )

    assert response.status_code == 200, response.json()
    certification = Certification.objects.get()
    assert certification.user == member
    assert certification.course == past_session.course
    assert certification.issued_at == past_session.end
    local_issue = timezone.localtime(certification.issued_at)
    local_expiry = timezone.localtime(certification.expires_at)
    assert (local_expiry.year, local_expiry.month) == (local_issue.year + 1, local_issue.month)
    assert local_expiry.time() == local_issue.time()
    past_session.refresh_from_db()
    assert past_session.status == SessionStatus.DONE
    assert certification.events.get().kind == "granted"


def test_the_certification_shows_in_me_and_in_certifications(
    client_for, trainer, past_session, member
):
    EnrolmentFactory(session=past_session, user=member)
    mark(client_for(trainer), past_session, [{"user": member.pk, "present": True}])
    me = client_for(member).get("/api/v1/me/").json()
    assert [c["course"] for c in me["certifications"]] == [past_session.course_id]
    listed = client_for(member).get("/api/v1/certifications/").json()["results"]
    assert listed[0]["course"] == past_session.course_id
    assert listed[0]["is_valid"] is True


def test_a_course_without_validity_certifies_for_ever(client_for, trainer, member):
    course = CourseFactory(validity_months=None)
    start = timezone.now() - datetime.timedelta(hours=4)
    session = SessionFactory(
        course=course, trainer=trainer, start=start, end=start + datetime.timedelta(hours=2)
    )
    EnrolmentFactory(session=session, user=member)
    mark(client_for(trainer), session, [{"user": member.pk, "present": True}])
    assert Certification.objects.get().expires_at is None


def test_marking_during_the_session_issues_it_now(client_for, trainer, member, course):
    start = timezone.now() - datetime.timedelta(hours=1)
    session = SessionFactory(
        course=course, trainer=trainer, start=start, end=start + datetime.timedelta(hours=3)
    )
    EnrolmentFactory(session=session, user=member)
    mark(client_for(trainer), session, [{"user": member.pk, "present": True}])
    issued = Certification.objects.get().issued_at
    assert session.start < issued <= timezone.now()


def test_re_marking_is_idempotent_and_absent_revokes_what_it_issued(
    client_for, trainer, past_session, member
):
    EnrolmentFactory(session=past_session, user=member)
    client = client_for(trainer)
    mark(client, past_session, [{"user": member.pk, "present": True}])
    mark(client, past_session, [{"user": member.pk, "present": True}])
    assert Certification.objects.count() == 1

    mark(client, past_session, [{"user": member.pk, "present": False}])
    certification = Certification.objects.get()
    assert certification.revoked_at is not None
    assert not client_for(member).get("/api/v1/me/").json()["certifications"]

    mark(client, past_session, [{"user": member.pk, "present": True}])
    certification.refresh_from_db()
    assert Certification.objects.count() == 1
    assert certification.revoked_at is None
    kinds = list(CertificationEvent.objects.values_list("kind", flat=True))
    assert kinds == ["granted", "revoked", "granted"]


def test_a_manual_certification_is_left_alone_by_absent_marks(
    client_for, trainer, staff, past_session, member
):
    client_for(staff).post(
        "/api/v1/certifications/",
        {"user": member.pk, "course": past_session.course_id, "reason": "Trained in Lyon"},
        format="json",
    )
    EnrolmentFactory(session=past_session, user=member)
    mark(client_for(trainer), past_session, [{"user": member.pk, "present": False}])
    assert Certification.objects.get().revoked_at is None


def test_a_member_cannot_mark_attendance(client_for, member, past_session):
    EnrolmentFactory(session=past_session, user=member)
    response = mark(client_for(member), past_session, [{"user": member.pk, "present": True}])
    assert response.status_code == 403
    assert not Certification.objects.exists()


def test_a_trainer_cannot_mark_another_trainers_session(client_for, past_session, member):
    EnrolmentFactory(session=past_session, user=member)
    response = mark(
        client_for(TrainerFactory()), past_session, [{"user": member.pk, "present": True}]
    )
    assert response.status_code == 403
    assert not Certification.objects.exists()


def test_staff_may_mark_attendance(client_for, staff, past_session, member):
    EnrolmentFactory(session=past_session, user=member)
    response = mark(client_for(staff), past_session, [{"user": member.pk, "present": True}])
    assert response.status_code == 200


def test_anonymous_attendance_is_401(api_client, past_session):
    assert mark(api_client, past_session, []).status_code == 401


def test_only_enrolled_people_can_be_marked(client_for, trainer, past_session):
    stranger = UserFactory()
    response = mark(client_for(trainer), past_session, [{"user": stranger.pk, "present": True}])
    assert response.status_code == 400
    assert response.json()["code"] == "not_enrolled"
    assert response.json()["fields"]["user"] == [str(stranger.pk)]


def test_attendance_before_the_start_is_400(client_for, trainer, session, member):
    EnrolmentFactory(session=session, user=member)
    response = mark(client_for(trainer), session, [{"user": member.pk, "present": True}])
    assert response.status_code == 400
    assert response.json()["code"] == "session_not_started"


def test_attendance_on_a_cancelled_session_is_400(client_for, trainer, past_session, member):
    EnrolmentFactory(session=past_session, user=member)
    past_session.status = SessionStatus.CANCELLED
    past_session.save()
    response = mark(client_for(trainer), past_session, [{"user": member.pk, "present": True}])
    assert response.status_code == 400
    assert response.json()["code"] == "session_not_open"


def test_malformed_marks_are_400_with_the_field(client_for, trainer, past_session):
    response = mark(client_for(trainer), past_session, [{"user": "x"}])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_enrolment_lists_are_for_the_trainer_and_staff_only(
    client_for, trainer, staff, member, session
):
    waiting = UserFactory()
    EnrolmentFactory(session=session, user=member)
    EnrolmentFactory(session=session, user=waiting, status="waitlisted")
    url = f"/api/v1/trainings/sessions/{session.pk}/enrolments/"
    data = client_for(trainer).get(url).json()
    assert [e["username"] for e in data["enrolled"]] == [member.username]
    assert [(e["username"], e["position"]) for e in data["waitlisted"]] == [(waiting.username, 1)]
    assert client_for(staff).get(url).status_code == 200
    assert client_for(member).get(url).status_code == 403
    assert client_for(TrainerFactory()).get(url).status_code == 403


def test_attendance_sheet_is_a_csv_of_the_enrolled(client_for, trainer, member, session):
    EnrolmentFactory(session=session, user=member)
    response = client_for(trainer).get(f"/api/v1/trainings/sessions/{session.pk}/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][3:6] == ["Identifiant", "Nom", "E-mail"]
    assert rows[1][3] == member.username
    assert all(len(row) == len(rows[0]) for row in rows), "one table"
    refused = client_for(member).get(f"/api/v1/trainings/sessions/{session.pk}/attendance.csv")
    assert refused.status_code == 403


def test_a_formula_typed_as_a_name_is_quoted_in_the_attendance_sheet(client_for, trainer, session):
    EnrolmentFactory(
        session=session, user=UserFactory(username="mallory", first_name="=cmd|' /C calc'!A0")
    )
    response = client_for(trainer).get(f"/api/v1/trainings/sessions/{session.pk}/attendance.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    name = rows[0].index("Nom")
    [row] = rows[1:]
    assert row[name].startswith("'=cmd")  # text for a spreadsheet, never a formula
