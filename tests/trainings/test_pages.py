import datetime

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, TrainerFactory, UserFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Certification, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def do(user):
        client.login(username=user.username, password=PASSWORD)
        return client

    return do


def test_catalogue_shows_sessions_with_seats_left_and_courses(signed_in, member, session):
    EnrolmentFactory(session=session, user=UserFactory())
    page = signed_in(member).get("/trainings/").content.decode()
    assert "Safe use of the vacuum emulsifier" in page
    assert "1 / 2" in page
    assert f'hx-post="/trainings/sessions/{session.pk}/enrol/"' in page


def test_seats_and_enrolled_counts_read_left_to_right_in_arabic(signed_in, trainer, session):
    # "1 / 2" in a right-to-left page is drawn "2 / 1" (a count above its capacity) unless
    # isolated left to right, as the home's "1/2" badges already read.
    EnrolmentFactory(session=session, user=UserFactory())
    trainer.language = "ar"
    trainer.save()
    client = signed_in(trainer)
    for url in ["/trainings/", "/trainings/teach/"]:
        page = client.get(url).content.decode()
        assert 'dir="rtl"' in page, url
        assert '<bdi dir="ltr">1 / 2</bdi>' in page, url
    manage = client.get(f"/trainings/sessions/{session.pk}/").content.decode()
    assert '<bdi dir="ltr">(1 / 2)</bdi></h2>' in manage


def test_pages_need_a_sign_in(client, session):
    for url in ["/trainings/", "/trainings/mine/", "/trainings/teach/"]:
        assert client.get(url)["Location"].startswith("/login/")


def test_enrolling_with_htmx_returns_the_row_showing_the_member_enrolled(
    signed_in, member, session
):
    response = signed_in(member).post(
        f"/trainings/sessions/{session.pk}/enrol/", HTTP_HX_REQUEST="true"
    )
    row = response.content.decode()
    assert 'data-enrolment-status="enrolled"' in row
    assert Enrolment.objects.get(user=member).status == "enrolled"
    cancel = signed_in(member).post(
        f"/trainings/sessions/{session.pk}/cancel/", HTTP_HX_REQUEST="true"
    )
    assert 'data-enrolment-status="none"' in cancel.content.decode()


def test_a_refused_enrolment_shows_the_reason_in_the_row(signed_in, member, trainer):
    advanced = CourseFactory(title="Freeze dryer", prerequisite=CourseFactory(title="Safety"))
    session = SessionFactory(course=advanced, trainer=trainer)
    row = (
        signed_in(member)
        .post(f"/trainings/sessions/{session.pk}/enrol/", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'role="alert"' in row
    assert "Safety" in row
    assert not Enrolment.objects.exists()


def test_enrolling_without_htmx_redirects_back_to_the_catalogue(signed_in, member, session):
    response = signed_in(member).post(f"/trainings/sessions/{session.pk}/enrol/")
    assert response.status_code == 302
    assert Enrolment.objects.filter(user=member).exists()


def test_my_trainings_lists_my_sessions_and_certifications(signed_in, member, session, course):
    EnrolmentFactory(session=session, user=member, status="waitlisted")
    Certification.objects.create(
        user=member, course=course, issued_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = signed_in(member).get("/trainings/mine/").content.decode()
    assert 'data-enrolment-status="waitlisted"' in page
    assert "n° 1" in page
    assert course.title in page


def test_members_cannot_open_the_trainer_pages(signed_in, member, session):
    client = signed_in(member)
    assert client.get("/trainings/teach/").status_code == 403
    assert client.get(f"/trainings/sessions/{session.pk}/").status_code == 403


def test_a_trainer_sees_their_sessions_but_not_anothers_lists(signed_in, trainer, session):
    client = signed_in(trainer)
    assert session.course.title in client.get("/trainings/teach/").content.decode()
    other = SessionFactory(trainer=TrainerFactory())
    assert client.get(f"/trainings/sessions/{other.pk}/").status_code == 403


def test_the_trainer_takes_attendance_from_the_page(signed_in, trainer, past_session):
    came, missed = UserFactory(), UserFactory()
    EnrolmentFactory(session=past_session, user=came)
    EnrolmentFactory(session=past_session, user=missed)
    waiting = UserFactory(first_name="Zineb", last_name="Waiting")
    EnrolmentFactory(session=past_session, user=waiting, status="waitlisted")
    client = signed_in(trainer)
    page = client.get(f"/trainings/sessions/{past_session.pk}/").content.decode()
    assert "Zineb Waiting" in page
    response = client.post(f"/trainings/sessions/{past_session.pk}/", {"present": [came.pk]})
    assert response.status_code == 302
    assert list(Certification.objects.values_list("user", flat=True)) == [came.pk]
    assert Enrolment.objects.get(user=missed).present is False


def test_attendance_too_early_shows_the_reason(signed_in, trainer, session):
    person = UserFactory()
    EnrolmentFactory(session=session, user=person)
    response = signed_in(trainer).post(
        f"/trainings/sessions/{session.pk}/", {"present": [person.pk]}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Certification.objects.exists()


def test_the_trainer_cancels_the_session_from_its_page(signed_in, trainer, session, member):
    EnrolmentFactory(session=session, user=member)
    client = signed_in(trainer)
    assert "Annuler la séance" in client.get(f"/trainings/sessions/{session.pk}/").content.decode()
    response = client.post(f"/trainings/sessions/{session.pk}/cancel-session/")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_a_member_cannot_cancel_a_session_from_the_page(signed_in, member, session):
    response = signed_in(member).post(f"/trainings/sessions/{session.pk}/cancel-session/")
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_the_session_page_title_is_the_course_and_the_cancel_form_shows_once(
    signed_in, trainer, session
):
    import re

    page = signed_in(trainer).get(f"/trainings/sessions/{session.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title
    assert page.count("/cancel-session/") == 1
