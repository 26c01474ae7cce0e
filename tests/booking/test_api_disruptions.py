"""`dry_run` on closures, machine status and opening hours through the API."""

import pytest

from booking import services
from booking.models import Booking, BookingStatus, Closure, EquipmentStatus, OpeningHours
from caiac.notifications.models import Message
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(frozen, member, machine):
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


def closure_body(machine, **extra):
    return {
        "equipment": machine.pk,
        "start": local(2026, 11, 26, 0).isoformat(),
        "end": local(2026, 11, 27, 0).isoformat(),
        "reason": "Panne électrique",
        **extra,
    }


def test_a_closure_dry_run_answers_the_affected_bookings_and_writes_nothing(
    client_for, staff, machine, booked
):
    messages_before = Message.objects.count()
    response = client_for(staff).post(
        "/api/v1/closures/", closure_body(machine, dry_run=True), format="json"
    )
    assert response.status_code == 200
    affected = response.json()["affected_bookings"]
    assert [b["id"] for b in affected] == [booked.pk]
    assert affected[0]["organisation_name"] == "Coopérative Amalou"
    assert affected[0]["booked_by"] == "fatima"
    assert not Closure.objects.exists()
    assert Message.objects.count() == messages_before
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CONFIRMED


def test_a_closure_without_dry_run_is_created_and_names_the_cancelled_bookings(
    client_for, staff, machine, booked
):
    response = client_for(staff).post("/api/v1/closures/", closure_body(machine), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["cancelled_bookings"] == [booked.pk]
    assert body["reason"] == "Panne électrique" and "dry_run" not in body
    assert Closure.objects.get().pk == body["id"]
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED


def test_closure_dry_run_also_as_a_query_parameter(client_for, staff, machine, booked):
    response = client_for(staff).post(
        "/api/v1/closures/?dry_run=true", closure_body(machine), format="json"
    )
    assert response.status_code == 200 and not Closure.objects.exists()


def test_moving_a_closure_via_patch_dry_run_and_then_for_real(client_for, staff, machine, booked):
    closure = services.closure_create(
        by=staff,
        equipment=machine,
        start=local(2026, 11, 30, 9),
        end=local(2026, 11, 30, 12),
        reason="Audit",
    ).instance
    move = {"start": local(2026, 11, 26, 8).isoformat(), "end": local(2026, 11, 26, 12).isoformat()}
    url = f"/api/v1/closures/{closure.pk}/"
    dry = client_for(staff).patch(url, {**move, "dry_run": True}, format="json")
    assert dry.status_code == 200 and [b["id"] for b in dry.json()["affected_bookings"]] == [
        booked.pk
    ]
    real = client_for(staff).patch(url, move, format="json")
    assert real.status_code == 200 and real.json()["cancelled_bookings"] == [booked.pk]


def test_machine_status_change_dry_run_then_confirm(client_for, staff, machine, booked):
    url = f"/api/v1/equipment/{machine.pk}/"
    dry = client_for(staff).patch(url, {"status": "maintenance", "dry_run": True}, format="json")
    assert dry.status_code == 200
    assert [b["id"] for b in dry.json()["affected_bookings"]] == [booked.pk]
    machine.refresh_from_db()
    assert machine.status == EquipmentStatus.AVAILABLE

    real = client_for(staff).patch(
        url, {"status": "maintenance", "reason": "Pompe à vide en panne"}, format="json"
    )
    assert real.status_code == 200
    assert real.json()["status"] == "maintenance"
    assert real.json()["cancelled_bookings"] == [booked.pk]
    booked.refresh_from_db()
    assert booked.status_reason == "Pompe à vide en panne"


def test_opening_hours_dry_run_on_update_and_delete(client_for, staff, lab_hours, booked):
    thursday = next(r for r in lab_hours if r.weekday == 3)
    url = f"/api/v1/opening-hours/{thursday.pk}/"
    dry = client_for(staff).patch(url, {"opens_at": "10:00", "dry_run": True}, format="json")
    assert dry.status_code == 200
    assert [b["id"] for b in dry.json()["affected_bookings"]] == [booked.pk]
    dry_delete = client_for(staff).delete(f"{url}?dry_run=true")
    assert dry_delete.status_code == 200 and len(dry_delete.json()["affected_bookings"]) == 1
    assert OpeningHours.objects.filter(pk=thursday.pk).exists()
    real = client_for(staff).patch(url, {"opens_at": "10:00"}, format="json")
    assert real.status_code == 200 and real.json()["cancelled_bookings"] == [booked.pk]
    assert client_for(staff).delete(url).status_code == 204


@pytest.mark.parametrize(
    "method, url, body",
    [
        ("post", "/api/v1/closures/", "closure"),
        ("patch", "/api/v1/equipment/{machine}/", {"status": "maintenance", "dry_run": True}),
        (
            "post",
            "/api/v1/opening-hours/",
            {"weekday": 6, "opens_at": "09:00", "closes_at": "10:00"},
        ),
    ],
)
def test_members_get_403_even_on_a_dry_run(client_for, member, machine, booked, method, url, body):
    if body == "closure":
        body = closure_body(machine, dry_run=True)
    response = getattr(client_for(member), method)(
        url.format(machine=machine.pk), body, format="json"
    )
    assert response.status_code == 403
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
