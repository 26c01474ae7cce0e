"""End to end through the API: a machine that needs a course cannot be booked until the
trainer marks the person present at a session of that course."""

import datetime
import zoneinfo

import pytest
import time_machine

from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.trainings.factories import CourseFactory

pytestmark = pytest.mark.django_db

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=CASA)


def booking(machine, start, end):
    return {"equipment": machine.pk, "start": start.isoformat(), "end": end.isoformat()}


def test_certification_unlocks_booking_through_the_api(client_for, staff, trainer, member):
    lab_open_weekdays()
    course = CourseFactory(title="Safe use of the vacuum emulsifier", validity_months=24)
    machine = EquipmentFactory(name="Émulsionneur sous vide 20 L", required_course=course)
    slot = booking(machine, local(2026, 11, 25, 10), local(2026, 11, 25, 11))

    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as clock:
        created = client_for(staff).post(
            "/api/v1/trainings/sessions/",
            {
                "course": course.pk,
                "trainer": trainer.pk,
                "place": "Atelier cosmétique",
                "start": local(2026, 11, 24, 9).isoformat(),
                "end": local(2026, 11, 24, 12).isoformat(),
                "capacity": 6,
                "language": "fr",
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        session_id = created.json()["id"]
        course_view = client_for(member).get(f"/api/v1/trainings/courses/{course.pk}/").json()
        assert course_view["certified_equipment"] == [machine.name]

        enrolled = client_for(member).post(f"/api/v1/trainings/sessions/{session_id}/enrol/")
        assert enrolled.json() == {"status": "enrolled", "position": None}

        refused = client_for(member).post("/api/v1/bookings/", slot, format="json")
        assert refused.status_code == 403
        assert refused.json()["code"] == "certification_required"

        clock.move_to(local(2026, 11, 24, 12, 15))
        marked = client_for(trainer).post(
            f"/api/v1/trainings/sessions/{session_id}/attendance/",
            [{"user": member.pk, "present": True}],
            format="json",
        )
        assert marked.status_code == 200, marked.json()

        booked = client_for(member).post("/api/v1/bookings/", slot, format="json")
        assert booked.status_code == 201, booked.json()
        me = client_for(member).get("/api/v1/me/").json()
        assert [c["course"] for c in me["certifications"]] == [course.pk]
