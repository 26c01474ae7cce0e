import pytest

from tests.trainings.factories import CourseFactory
from trainings.models import Course

pytestmark = pytest.mark.django_db

COURSES = "/api/v1/trainings/courses/"


def test_course_titles_follow_the_request_language_with_fallback(client_for, member):
    CourseFactory(
        title="Freeze dryer operation",
        translations={"fr": {"title": "Conduite du lyophilisateur"}, "ar": {}},
    )
    client = client_for(member)
    fr = client.get(COURSES, HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]
    ar = client.get(COURSES, HTTP_ACCEPT_LANGUAGE="ar").json()["results"][0]
    en = client.get(COURSES, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert fr["title"] == "Conduite du lyophilisateur"
    assert ar["title"] == "Freeze dryer operation"
    assert en["title"] == "Freeze dryer operation"


def test_staff_create_a_course_with_price_prerequisite_and_validity(client_for, staff):
    basics = CourseFactory(title="GMP basics")
    response = client_for(staff).post(
        COURSES,
        {
            "title": "Vacuum emulsifier",
            "translations": {"fr": {"title": "Émulsionneur sous vide"}},
            "duration_hours": "3.5",
            "level": "intermediate",
            "price": "450.00",
            "prerequisite": basics.pk,
            "validity_months": 24,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["price"] == "450.00"
    assert data["is_free"] is False
    assert data["prerequisite_title"] == "GMP basics"
    assert data["validity_months"] == 24
    assert data["certified_equipment"] == []


def test_members_cannot_create_courses(client_for, member):
    response = client_for(member).post(COURSES, {"title": "x"}, format="json")
    assert response.status_code == 403


def test_unknown_translation_language_is_400_on_translations(client_for, staff):
    response = client_for(staff).post(
        COURSES, {"title": "x", "translations": {"de": {"title": "y"}}}, format="json"
    )
    assert response.status_code == 400
    assert "translations" in response.json()["fields"]


def test_a_prerequisite_cycle_is_refused(client_for, staff):
    a = CourseFactory()
    b = CourseFactory(prerequisite=a)
    response = client_for(staff).patch(f"{COURSES}{a.pk}/", {"prerequisite": b.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "prerequisite_cycle"
    assert Course.objects.get(pk=a.pk).prerequisite is None


def test_members_do_not_see_withdrawn_courses(client_for, member, staff):
    CourseFactory(title="Old course", is_active=False)
    assert client_for(member).get(COURSES).json()["count"] == 0
    assert client_for(staff).get(COURSES).json()["count"] == 1


def test_course_list_query_count_does_not_grow_with_courses(
    client_for, member, django_assert_max_num_queries
):
    basics = CourseFactory(title="Lab safety induction")
    for n in range(12):
        CourseFactory(title=f"Machine course {n}", prerequisite=basics)
    client = client_for(member)
    with django_assert_max_num_queries(6):
        response = client.get(COURSES)
    assert response.json()["count"] == 13
    assert {c["prerequisite_title"] for c in response.json()["results"]} == {
        None,
        "Lab safety induction",
    }
