import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory, member_of
from tests.trainings.factories import CourseFactory
from trainings.models import Certification
from trainings.selectors import certifications_of, user_is_certified
from trainings.services import certification_grant

pytestmark = pytest.mark.django_db

CERTS = "/api/v1/certifications/"


def test_a_certification_is_valid_until_it_expires(staff, member):
    course = CourseFactory(validity_months=6)
    issued = datetime.datetime(2026, 1, 10, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued):
        certification = certification_grant(by=staff, user=member, course=course, reason="test")
    # 10 January 11:00 in Casablanca (UTC+1) → 10 July 11:00 local (UTC+1) → 10:00 UTC.
    assert certification.expires_at == datetime.datetime(2026, 7, 10, 10, 0, tzinfo=datetime.UTC)
    with time_machine.travel(certification.expires_at - datetime.timedelta(minutes=1)):
        assert user_is_certified(user=member, course=course)
        assert list(certifications_of(member)) == [certification]
    with time_machine.travel(certification.expires_at + datetime.timedelta(minutes=1)):
        assert not user_is_certified(user=member, course=course)
        assert list(certifications_of(member)) == []


def test_expiry_keeps_the_wall_clock_across_moroccos_switch_to_utc0(staff, member):
    course = CourseFactory(validity_months=12)
    issued = datetime.datetime(2026, 3, 31, 8, 0, tzinfo=datetime.UTC)  # 09:00 local, UTC+1
    certification = certification_grant(
        by=staff, user=member, course=course, reason="x", issued_at=issued
    )
    # Permanent UTC+0 from 20 September 2026: 09:00 local is 09:00 UTC a year later.
    assert certification.expires_at == datetime.datetime(2027, 3, 31, 9, 0, tzinfo=datetime.UTC)


def test_staff_grant_by_hand_with_a_reason_and_the_history_stays(client_for, staff, member):
    course = CourseFactory(validity_months=None)
    granted = client_for(staff).post(
        CERTS,
        {"user": member.pk, "course": course.pk, "reason": "Certified by the maker"},
        format="json",
    )
    assert granted.status_code == 201, granted.json()
    cert_id = granted.json()["id"]
    assert granted.json()["expires_at"] is None
    assert user_is_certified(user=member, course=course)

    revoked = client_for(staff).post(
        f"{CERTS}{cert_id}/revoke/", {"reason": "Unsafe handling"}, format="json"
    )
    assert revoked.status_code == 200
    assert revoked.json()["is_valid"] is False
    assert not user_is_certified(user=member, course=course)
    history = client_for(staff).get(f"{CERTS}{cert_id}/").json()["events"]
    assert [(e["kind"], e["by"], e["reason"]) for e in history] == [
        ("granted", staff.username, "Certified by the maker"),
        ("revoked", staff.username, "Unsafe handling"),
    ]


def test_revoking_twice_is_409(client_for, staff, member):
    certification = certification_grant(by=staff, user=member, course=CourseFactory(), reason="x")
    client = client_for(staff)
    client.post(f"{CERTS}{certification.pk}/revoke/", {"reason": "a"}, format="json")
    again = client.post(f"{CERTS}{certification.pk}/revoke/", {"reason": "b"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_revoked"


def test_grant_and_revoke_need_a_reason(client_for, staff, member):
    course = CourseFactory()
    response = client_for(staff).post(
        CERTS, {"user": member.pk, "course": course.pk}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    certification = certification_grant(by=staff, user=member, course=course, reason="x")
    response = client_for(staff).post(f"{CERTS}{certification.pk}/revoke/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_members_and_trainers_cannot_grant_or_revoke(client_for, staff, member, trainer):
    course = CourseFactory()
    certification = certification_grant(by=staff, user=member, course=course, reason="x")
    for who in (member, trainer):
        client = client_for(who)
        grant = client.post(CERTS, {"user": who.pk, "course": course.pk, "reason": "me"})
        assert grant.status_code == 403
    assert (
        client_for(member).post(f"{CERTS}{certification.pk}/revoke/", {"reason": "x"}).status_code
        == 403
    )
    certification.refresh_from_db()
    assert certification.revoked_at is None


def test_members_see_their_own_and_their_organisations_people_only(
    client_for, staff, organisation, member, other_member
):
    colleague = member_of(organisation)
    course = CourseFactory()
    mine = certification_grant(by=staff, user=member, course=course, reason="x")
    theirs = certification_grant(by=staff, user=colleague, course=course, reason="x")
    foreign = certification_grant(by=staff, user=other_member, course=course, reason="x")
    listed = {c["id"] for c in client_for(member).get(CERTS).json()["results"]}
    assert listed == {mine.pk, theirs.pk}
    assert client_for(member).get(f"{CERTS}{foreign.pk}/").status_code == 404
    assert client_for(staff).get(CERTS).json()["count"] == 3


def test_certifications_filter_by_user_course_and_validity(client_for, staff, member):
    a, b = CourseFactory(), CourseFactory()
    valid = certification_grant(by=staff, user=member, course=a, reason="x")
    old = certification_grant(
        by=staff,
        user=member,
        course=b,
        reason="x",
        issued_at=timezone.now() - datetime.timedelta(days=400),
        expires_at=timezone.now() - datetime.timedelta(days=35),
    )
    client = client_for(staff)
    assert [c["id"] for c in client.get(CERTS, {"valid": "true"}).json()["results"]] == [valid.pk]
    assert [c["id"] for c in client.get(CERTS, {"valid": "false"}).json()["results"]] == [old.pk]
    assert [c["id"] for c in client.get(CERTS, {"course": b.pk}).json()["results"]] == [old.pk]
    other = UserFactory()
    assert client.get(CERTS, {"user": other.pk}).json()["count"] == 0


def test_certifications_need_a_sign_in(api_client):
    assert api_client.get(CERTS).status_code == 401


def test_expiry_before_issue_is_400_on_expires_at(client_for, staff, member):
    response = client_for(staff).post(
        CERTS,
        {
            "user": member.pk,
            "course": CourseFactory().pk,
            "reason": "x",
            "expires_at": (timezone.now() - datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["fields"]
    assert not Certification.objects.exists()
