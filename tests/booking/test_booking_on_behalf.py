"""Staff booking a machine for an organisation: who must hold the machine's certification.

The rule (docs/booking.md): someone trained is behind every booking. A member needs the
certification themselves; staff book on an organisation's behalf when one of that organisation's
people holds it at the start of the slot, or when they hold it themselves (the lab runs the
machine as a service).
"""

import datetime

import pytest

from booking import services
from booking.models import BookingStatus
from caiac.errors import NotAllowed
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import StaffFactory, member_of
from trainings.models import Certification, Course

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def course(db):
    return Course.objects.create(title="Safe use of the vacuum emulsifier", validity_months=12)


@pytest.fixture
def emulsifier(lab_hours, course):
    return EquipmentFactory(name="Émulsionneur sous vide", required_course=course)


def certify(user, course, *, issued_at=None, expires_at=None, revoked_at=None):
    return Certification.objects.create(
        user=user,
        course=course,
        issued_at=issued_at or local(2026, 11, 1, 9, 0),
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


def slot(machine, organisation):
    return {
        "equipment": machine.pk,
        "start": local(2026, 11, 24, 9, 0).isoformat(),
        "end": local(2026, 11, 24, 10, 0).isoformat(),
        "organisation": organisation.pk,
    }


def test_staff_book_for_an_organisation_whose_person_is_certified(
    frozen, client_for, staff, member, organisation, emulsifier, course
):
    certify(member, course)
    response = client_for(staff).post(BOOKINGS, slot(emulsifier, organisation), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"] == organisation.pk
    assert body["status"] == BookingStatus.CONFIRMED


def test_staff_cannot_book_for_an_organisation_where_nobody_is_certified(
    frozen, client_for, staff, member, organisation, emulsifier
):
    response = client_for(staff).post(BOOKINGS, slot(emulsifier, organisation), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "certification_required"
    assert organisation.name in response.json()["detail"]


def test_a_certified_person_of_another_organisation_does_not_count(
    frozen, client_for, staff, member, organisation, other_member, emulsifier, course
):
    certify(other_member, course)
    response = client_for(staff).post(BOOKINGS, slot(emulsifier, organisation), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "certification_required"


def test_an_expired_or_revoked_certification_of_the_organisation_does_not_count(
    frozen, staff, organisation, emulsifier, course
):
    expired = member_of(organisation)
    certify(expired, course, expires_at=local(2026, 11, 20, 9, 0))
    revoked = member_of(organisation)
    certify(revoked, course, revoked_at=local(2026, 11, 10, 9, 0))
    with pytest.raises(NotAllowed) as refused:
        services.booking_create(
            user=staff,
            equipment=emulsifier,
            organisation=organisation,
            start=local(2026, 11, 24, 9, 0),
            end=local(2026, 11, 24, 10, 0),
        )
    assert refused.value.code == "certification_required"


def test_a_certification_that_expires_before_the_slot_does_not_count(
    frozen, staff, member, organisation, emulsifier, course
):
    certify(member, course, expires_at=local(2026, 11, 24, 8, 0))  # valid today, not at 09:00
    with pytest.raises(NotAllowed) as refused:
        services.booking_create(
            user=staff,
            equipment=emulsifier,
            organisation=organisation,
            start=local(2026, 11, 24, 9, 0),
            end=local(2026, 11, 24, 10, 0),
        )
    assert refused.value.code == "certification_required"


def test_certified_staff_book_for_any_organisation_as_a_service(
    frozen, client_for, organisation, emulsifier, course
):
    technician = StaffFactory(username="technicienne")
    certify(technician, course)
    response = client_for(technician).post(BOOKINGS, slot(emulsifier, organisation), format="json")
    assert response.status_code == 201, response.json()


def test_a_member_still_needs_the_certification_even_if_a_colleague_holds_it(
    frozen, client_for, member, organisation, emulsifier, course
):
    certify(member_of(organisation, username="colleague"), course)
    response = client_for(member).post(BOOKINGS, slot(emulsifier, organisation), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "certification_required"


def test_a_weekly_series_booked_by_staff_follows_the_same_rule(
    frozen, staff, member, organisation, emulsifier, course
):
    with pytest.raises(NotAllowed) as refused:
        services.booking_series_create(
            user=staff,
            equipment=emulsifier,
            organisation=organisation,
            start=local(2026, 11, 24, 9, 0),
            end=local(2026, 11, 24, 10, 0),
            weekly_until=datetime.date(2026, 12, 8),
        )
    assert refused.value.code == "certification_required"
    certify(member, course)
    result = services.booking_series_create(
        user=staff,
        equipment=emulsifier,
        organisation=organisation,
        start=local(2026, 11, 24, 9, 0),
        end=local(2026, 11, 24, 10, 0),
        weekly_until=datetime.date(2026, 12, 8),
    )
    assert len(result.booked) == 3
