"""The back office writes through the booking services: same rules, same cancellations."""

import datetime

import pytest

from booking import services
from booking.models import BookingStatus, Closure, Equipment, EquipmentStatus, OpeningHours
from booking.services.disruptions import LAB_CANCELLED_KIND
from caiac.notifications.models import Message
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


@pytest.fixture
def booked(frozen, member, machine):
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


def equipment_form(machine: Equipment, **changes) -> dict:
    data = {
        "name": machine.name,
        "category": machine.category,
        "line": machine.line,
        "location": machine.location,
        "description": machine.description,
        "status": machine.status,
        "slot_minutes": machine.slot_minutes,
        "min_duration_minutes": machine.min_duration_minutes,
        "max_duration_minutes": machine.max_duration_minutes,
        "buffer_minutes": machine.buffer_minutes,
        "lead_time_minutes": machine.lead_time_minutes,
        "horizon_days": machine.horizon_days,
        "hourly_rate_member": machine.hourly_rate_member,
        "hourly_rate_non_member": machine.hourly_rate_non_member,
        "cancellation_deadline_hours": machine.cancellation_deadline_hours,
        "required_course": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("opening_hours", "closures")
            for key, value in {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            }.items()
        },
    }
    data.update(changes)
    return data


def test_a_45_minute_minimum_on_a_30_minute_step_is_refused_in_the_admin(admin_client, machine):
    url = f"/admin/booking/equipment/{machine.pk}/change/"
    response = admin_client.post(url, equipment_form(machine, min_duration_minutes=45))
    assert response.status_code == 200  # the form again, with the error
    assert "min_duration_minutes" in response.context["adminform"].form.errors
    machine.refresh_from_db()
    assert machine.min_duration_minutes == 30


def test_putting_a_machine_into_maintenance_in_the_admin_lists_then_cancels_its_bookings(
    admin_client, machine, booked
):
    url = f"/admin/booking/equipment/{machine.pk}/change/"
    first = admin_client.post(url, equipment_form(machine, status="maintenance"))
    assert first.status_code == 200
    assert "fatima" in first.content.decode() or "Coopérative Amalou" in first.content.decode()
    machine.refresh_from_db()
    assert machine.status == EquipmentStatus.AVAILABLE

    confirmed = admin_client.post(
        url, equipment_form(machine, status="maintenance", confirm_cancellations="on")
    )
    assert confirmed.status_code == 302
    machine.refresh_from_db()
    booked.refresh_from_db()
    assert machine.status == EquipmentStatus.MAINTENANCE
    assert booked.status == BookingStatus.CANCELLED
    assert Message.objects.filter(kind=LAB_CANCELLED_KIND, recipient=booked.booked_by).exists()


def test_a_closure_added_in_the_admin_cancels_the_booking_once_confirmed(
    admin_client, machine, booked
):
    form = {
        "equipment": machine.pk,
        "start_0": "2026-11-26",
        "start_1": "08:00",
        "end_0": "2026-11-26",
        "end_1": "12:00",
        "reason": "Fuite",
    }
    first = admin_client.post("/admin/booking/closure/add/", form)
    assert first.status_code == 200 and not Closure.objects.exists()
    confirmed = admin_client.post(
        "/admin/booking/closure/add/", {**form, "confirm_cancellations": "on"}
    )
    assert confirmed.status_code == 302
    assert Closure.objects.get().reason == "Fuite"
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED


def test_an_opening_hours_deletion_in_the_admin_shows_the_bookings_first(
    admin_client, lab_hours, booked
):
    thursday = next(r for r in lab_hours if r.weekday == 3)
    url = f"/admin/booking/openinghours/{thursday.pk}/delete/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "affected-bookings" in page.content.decode()
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not OpeningHours.objects.filter(pk=thursday.pk).exists()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED


def test_a_machine_created_in_the_admin_goes_through_the_service(admin_client, lab_hours):
    template = Equipment(
        name="Autoclave", category="transformation", line="both", slot_minutes=60,
        min_duration_minutes=60, max_duration_minutes=240,
    )  # fmt: skip
    response = admin_client.post("/admin/booking/equipment/add/", equipment_form(template))
    assert response.status_code == 302
    assert Equipment.objects.get(name="Autoclave").slot_minutes == 60


def test_opening_hours_added_in_the_admin(admin_client, lab_hours):
    form = {"weekday": 5, "opens_at": "08:30", "closes_at": "12:30", "label": "Samedi"}
    assert admin_client.post("/admin/booking/openinghours/add/", form).status_code == 302
    assert OpeningHours.objects.get(weekday=5).closes_at == datetime.time(12, 30)


def test_cancelling_from_the_admin_list_goes_through_the_service(admin_client, staff, booked):
    from caiac.notifications.models import MessageStatus

    reminders = Message.objects.filter(dedup_key__startswith=f"booking:{booked.pk}:reminder")
    assert reminders.filter(status=MessageStatus.PENDING).exists()
    response = admin_client.post(
        "/admin/booking/booking/", {"action": "cancel", "_selected_action": [booked.pk]}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED
    assert booked.events.filter(to_status=BookingStatus.CANCELLED, actor=staff).exists()
    assert not reminders.filter(status=MessageStatus.PENDING).exists()  # reminders dropped


def test_a_booking_cannot_be_edited_or_added_in_the_admin(admin_client, booked):
    assert admin_client.get("/admin/booking/booking/add/").status_code == 403
    page = admin_client.get(f"/admin/booking/booking/{booked.pk}/change/")
    assert page.status_code == 200
    assert 'name="start"' not in page.content.decode()  # every field read-only
