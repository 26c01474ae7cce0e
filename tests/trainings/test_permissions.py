"""Who may do what, endpoint by endpoint."""

import pytest

from tests.factories import TrainerFactory
from tests.trainings.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/trainings/courses/"),
    ("post", "/api/v1/trainings/courses/"),
    ("get", "/api/v1/trainings/sessions/"),
    ("post", "/api/v1/trainings/sessions/"),
    ("get", "/api/v1/trainings/sessions/mine/"),
    ("get", "/api/v1/trainings/sessions/{id}/"),
    ("patch", "/api/v1/trainings/sessions/{id}/"),
    ("post", "/api/v1/trainings/sessions/{id}/enrol/"),
    ("post", "/api/v1/trainings/sessions/{id}/cancel/"),
    ("post", "/api/v1/trainings/sessions/{id}/cancel-session/"),
    ("post", "/api/v1/trainings/sessions/{id}/attendance/"),
    ("get", "/api/v1/trainings/sessions/{id}/enrolments/"),
    ("get", "/api/v1/trainings/sessions/{id}/attendance.csv"),
    ("get", "/api/v1/trainings/enrolments/"),
    ("get", "/api/v1/certifications/"),
    ("post", "/api/v1/certifications/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_get_401(api_client, method, url):
    session = SessionFactory()
    response = getattr(api_client, method)(url.format(id=session.pk), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# (caller, method, url suffix, body) → status, for a session run by ``trainer``.
MANAGE = [
    ("post", "cancel-session/", None),
    ("patch", "", {"capacity": 5}),
    ("get", "enrolments/", None),
    ("get", "attendance.csv", None),
    ("post", "attendance/", []),
]


@pytest.mark.parametrize(("method", "suffix", "body"), MANAGE)
@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("other_trainer", 403)])
def test_only_the_sessions_trainer_and_staff_manage_it(
    client_for, member, trainer, who, expected, method, suffix, body
):
    session = SessionFactory(trainer=trainer, course=CourseFactory())
    caller = member if who == "member" else TrainerFactory()
    url = f"/api/v1/trainings/sessions/{session.pk}/{suffix}"
    response = getattr(client_for(caller), method)(url, body, format="json")
    assert response.status_code == expected


def test_the_sessions_trainer_and_staff_may_read_the_lists(client_for, trainer, staff):
    session = SessionFactory(trainer=trainer)
    for caller in (trainer, staff):
        url = f"/api/v1/trainings/sessions/{session.pk}/enrolments/"
        assert client_for(caller).get(url).status_code == 200


def test_unknown_sessions_are_404(client_for, staff):
    for suffix in ("", "enrolments/", "attendance.csv"):
        response = client_for(staff).get(f"/api/v1/trainings/sessions/424242/{suffix}")
        assert response.status_code == 404
