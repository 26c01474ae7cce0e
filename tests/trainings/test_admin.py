"""The trainings back office writes through the services."""

import pytest

from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Course, SessionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def course_form(course, **changes):
    data = {
        "title": course.title,
        "description": course.description,
        "translations": "{}",
        "duration_hours": course.duration_hours,
        "level": course.level,
        "price": course.price,
        "prerequisite": course.prerequisite_id or "",
        "validity_months": course.validity_months or "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_prerequisite_cycle_is_refused_in_the_admin(admin_client):
    basics = CourseFactory(title="Bonnes pratiques")
    advanced = CourseFactory(title="Émulsion avancée", prerequisite=basics)
    response = admin_client.post(
        f"/admin/trainings/course/{basics.pk}/change/",
        course_form(basics, prerequisite=advanced.pk),
    )
    assert response.status_code == 200
    assert "prerequisite" in response.context["adminform"].form.errors
    basics.refresh_from_db()
    assert basics.prerequisite is None


def test_a_course_created_in_the_admin_goes_through_the_service(admin_client):
    template = Course(title="Lyophilisation", duration_hours=4, level="beginner", price=0)
    response = admin_client.post("/admin/trainings/course/add/", course_form(template))
    assert response.status_code == 302
    assert Course.objects.get(title="Lyophilisation").duration_hours == 4


def test_cancelling_a_session_in_the_admin_tells_the_people_enrolled(admin_client, member):
    session = SessionFactory()
    EnrolmentFactory(session=session, user=member)
    response = admin_client.post(
        "/admin/trainings/session/",
        {"action": "cancel_sessions", "_selected_action": [session.pk]},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert member.messages.filter(kind="trainings.session_cancelled").exists()
