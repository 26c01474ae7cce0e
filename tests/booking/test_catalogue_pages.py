"""Staff pages of the catalogue: machines, opening hours (seasonal too), closure edit and lift.
Each goes through booking.services; a change that hits live bookings shows them first and
cancels them (with the reason, the bookers told) only once confirmed."""

import datetime
from decimal import Decimal

import pytest

from booking import services
from booking.models import BookingStatus, Closure, Equipment, EquipmentStatus, OpeningHours
from booking.services.disruptions import LAB_CANCELLED_KIND
from caiac.notifications.models import Message
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db


def book(user, machine, day, hour, hours=1):
    start, end = local(2026, 11, day, hour), local(2026, 11, day, hour + hours)
    return services.booking_create(user=user, equipment=machine, start=start, end=end)


MACHINE = {
    "name": "Émulsionneur sous vide",
    "category": "transformation",
    "line": "cosmetics",
    "location": "Halle B",
    "description": "",
    "status": "available",
    "slot_minutes": "30",
    "min_duration_minutes": "60",
    "max_duration_minutes": "240",
    "buffer_minutes": "15",
    "lead_time_minutes": "0",
    "horizon_days": "90",
    "cancellation_deadline_hours": "24",
    "required_course": "",
    "hourly_rate_member": "150.00",
    "hourly_rate_non_member": "300.00",
    "no_show_fee_percent": "100",
    "late_cancellation_fee_percent": "50",
    "reason": "",
}


def machine_data(machine: Equipment, **changes) -> dict:
    data = {k: getattr(machine, k) for k in MACHINE if k not in ("reason", "required_course")}
    data.update(required_course=machine.required_course_id or "", reason="")
    if machine.requires_approval:
        data["requires_approval"] = "on"
    return {**data, **changes}


def test_staff_add_a_machine_with_its_rules_and_rates(client, staff):
    client.force_login(staff)
    response = client.post("/staff/machines/new/", MACHINE)
    assert response.status_code == 302
    machine = Equipment.objects.get(name="Émulsionneur sous vide")
    assert (machine.min_duration_minutes, machine.buffer_minutes) == (60, 15)
    assert machine.hourly_rate_non_member == Decimal("300.00")
    listing = client.get("/staff/machines/").content.decode()
    assert f'id="machine-{machine.pk}"' in listing


def test_a_minimum_off_the_slot_step_is_refused_inline_with_the_services_message(client, staff):
    client.force_login(staff)
    response = client.post("/staff/machines/new/", {**MACHINE, "min_duration_minutes": "45"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "multiples" in page and "invalid" in page  # the service's sentence and code
    assert 'id="id_min_duration_minutes"' in page and "is-invalid" in page
    assert not Equipment.objects.filter(name="Émulsionneur sous vide").exists()


def test_a_negative_rate_is_shown_on_its_field(client, staff, machine):
    client.force_login(staff)
    response = client.post(
        f"/staff/machines/{machine.pk}/edit/", machine_data(machine, hourly_rate_member="-5")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hourly_rate_member"]
    machine.refresh_from_db()
    assert machine.hourly_rate_member == Decimal("100.00")


def test_editing_rules_and_rates_saves_them(client, staff, machine):
    client.force_login(staff)
    response = client.post(
        f"/staff/machines/{machine.pk}/edit/",
        machine_data(machine, slot_minutes="60", min_duration_minutes="60",
                     hourly_rate_member="120.50", requires_approval="on"),
    )  # fmt: skip
    assert response.status_code == 302
    machine.refresh_from_db()
    assert (machine.slot_minutes, machine.hourly_rate_member) == (60, Decimal("120.50"))
    assert machine.requires_approval


def test_putting_a_booked_machine_into_maintenance_shows_its_bookings_then_cancels_them(
    client, staff, member, machine, frozen
):
    booking = book(member, machine, 24, 9)
    client.force_login(staff)
    url = f"/staff/machines/{machine.pk}/edit/"
    data = machine_data(machine, status="maintenance", reason="Joint de cuve à changer")
    first = client.post(url, data)
    assert first.status_code == 200
    assert f'data-booking="{booking.pk}"' in first.content.decode()
    machine.refresh_from_db()
    booking.refresh_from_db()
    assert machine.status == EquipmentStatus.AVAILABLE and booking.status == "confirmed"

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    machine.refresh_from_db()
    booking.refresh_from_db()
    assert machine.status == EquipmentStatus.MAINTENANCE
    assert (booking.status, booking.status_reason) == (
        BookingStatus.CANCELLED,
        "Joint de cuve à changer",
    )
    assert Message.objects.filter(kind=LAB_CANCELLED_KIND, recipient=member).count() == 1


def test_a_seasonal_ramadan_timetable_is_added_for_one_machine(client, staff, machine):
    client.force_login(staff)
    response = client.post(
        "/staff/opening-hours/",
        {"equipment": machine.pk, "weekday": "0", "opens_at": "09:00", "closes_at": "15:00",
         "valid_from": "2027-02-08", "valid_until": "2027-03-09", "label": "Ramadan 2027"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = OpeningHours.objects.get(equipment=machine)
    assert rule.is_dated and rule.valid_until == datetime.date(2027, 3, 9)
    page = client.get("/staff/opening-hours/").content.decode()
    assert f'id="rule-{rule.pk}"' in page and "Ramadan 2027" in page


def test_hours_that_close_before_they_open_are_refused_on_the_field(client, staff, lab_hours):
    client.force_login(staff)
    response = client.post(
        "/staff/opening-hours/",
        {"weekday": "5", "opens_at": "13:00", "closes_at": "09:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"]
    assert OpeningHours.objects.filter(weekday=5).count() == 0


def test_shortening_hours_under_a_booking_shows_it_then_cancels_it(
    client, staff, member, machine, frozen, lab_hours
):
    booking = book(member, machine, 24, 16)  # Tuesday 16:00-17:00
    tuesday = next(r for r in lab_hours if r.weekday == 1)
    client.force_login(staff)
    url = f"/staff/opening-hours/{tuesday.pk}/edit/"
    data = {"weekday": "1", "opens_at": "08:30", "closes_at": "13:00", "reason": "Demi-journée"}
    first = client.post(url, data)
    assert f'data-booking="{booking.pk}"' in first.content.decode()
    tuesday.refresh_from_db()
    assert tuesday.closes_at == datetime.time(17, 30)

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    tuesday.refresh_from_db()
    booking.refresh_from_db()
    assert tuesday.closes_at == datetime.time(13, 0)
    assert booking.status == BookingStatus.CANCELLED


def test_removing_hours_shows_what_it_cancels_and_removes_them_on_confirmation(
    client, staff, member, machine, frozen, lab_hours
):
    booking = book(member, machine, 24, 10)
    tuesday = next(r for r in lab_hours if r.weekday == 1)
    client.force_login(staff)
    url = f"/staff/opening-hours/{tuesday.pk}/delete/"
    assert f'data-booking="{booking.pk}"' in client.get(url).content.decode()
    assert OpeningHours.objects.filter(pk=tuesday.pk).exists()
    assert client.post(url, {"confirm": "1", "reason": "Fermé le mardi"}).status_code == 302
    booking.refresh_from_db()
    assert not OpeningHours.objects.filter(pk=tuesday.pk).exists()
    assert booking.status == BookingStatus.CANCELLED


def test_moving_a_closure_over_a_booking_shows_it_then_cancels_it(
    client, staff, member, machine, frozen
):
    booking = book(member, machine, 25, 9)
    closure = ClosureFactory(
        equipment=machine, start=local(2026, 11, 24, 0), end=local(2026, 11, 25, 0)
    )
    client.force_login(staff)
    url = f"/lab/closures/{closure.pk}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["end_day"] == datetime.date(2026, 11, 24)  # "until the end of the 24th"
    data = {
        "equipment": machine.pk, "start_day": "2026-11-24", "start_time": "00:00",
        "end_day": "2026-11-25", "end_time": "23:59", "reason": "Maintenance prolongée",
    }  # fmt: skip
    first = client.post(url, data)
    assert f'data-booking="{booking.pk}"' in first.content.decode()
    closure.refresh_from_db()
    assert closure.end == local(2026, 11, 25, 0)

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    closure.refresh_from_db()
    booking.refresh_from_db()
    assert closure.end == local(2026, 11, 26, 0) and closure.reason == "Maintenance prolongée"
    assert booking.status == BookingStatus.CANCELLED
    assert Message.objects.filter(kind=LAB_CANCELLED_KIND, recipient=member).exists()


def test_the_closure_date_pickers_hold_iso_values_in_french(client, staff, machine, frozen):
    """A date picker shows nothing unless its value is ISO, whatever the page's language."""
    closure = ClosureFactory(start=local(2026, 12, 1, 8), end=local(2026, 12, 3, 0))
    client.force_login(staff)
    page = client.get(f"/lab/closures/{closure.pk}/edit/", HTTP_ACCEPT_LANGUAGE="fr").content
    html = page.decode()
    assert 'value="2026-12-01"' in html and 'value="08:00"' in html
    assert 'value="2026-12-02"' in html and 'value="23:59"' in html  # until the end of the 2nd
    assert "01/12/2026" not in html


def test_creating_a_closure_over_nothing_needs_no_second_click(client, staff, machine, frozen):
    client.force_login(staff)
    response = client.post(
        "/lab/closures/",
        {"equipment": machine.pk, "start_day": "2026-12-01", "start_time": "00:00",
         "end_day": "2026-12-01", "end_time": "23:59", "reason": "Inventaire"},
    )  # fmt: skip
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.start, closure.end) == (local(2026, 12, 1, 0), local(2026, 12, 2, 0))


def test_a_closure_ending_before_it_starts_is_refused_inline(client, staff, machine, frozen):
    closure = ClosureFactory(start=local(2026, 12, 1, 0), end=local(2026, 12, 2, 0))
    client.force_login(staff)
    response = client.post(
        f"/lab/closures/{closure.pk}/edit/",
        {"start_day": "2026-12-03", "start_time": "10:00", "end_day": "2026-12-02",
         "end_time": "10:00", "reason": "Inventaire"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # the service's "must end after it starts"
    closure.refresh_from_db()
    assert closure.start == local(2026, 12, 1, 0)


def test_lifting_a_closure_frees_the_time(client, staff, member, machine, frozen):
    closure = ClosureFactory(
        equipment=machine, start=local(2026, 11, 25, 0), end=local(2026, 11, 26, 0)
    )
    client.force_login(staff)
    assert client.get(f"/lab/closures/{closure.pk}/delete/").status_code == 200
    assert client.post(f"/lab/closures/{closure.pk}/delete/").status_code == 302
    assert not Closure.objects.exists()
    assert book(member, machine, 25, 9).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    "url",
    [
        "/staff/machines/{machine}/edit/",
        "/staff/opening-hours/{rule}/edit/",
        "/staff/opening-hours/{rule}/delete/",
        "/lab/closures/{closure}/edit/",
        "/lab/closures/{closure}/delete/",
    ],
)
def test_a_member_cannot_post_to_a_staff_form(client, member, machine, url):
    rule = OpeningHoursFactory(equipment=machine)
    closure = ClosureFactory(start=local(2026, 12, 1, 0), end=local(2026, 12, 2, 0))
    client.force_login(member)
    url = url.format(machine=machine.pk, rule=rule.pk, closure=closure.pk)
    assert client.post(url, {"confirm": "1", **MACHINE}).status_code == 403
    assert Closure.objects.filter(pk=closure.pk).exists()
    assert OpeningHours.objects.filter(pk=rule.pk).exists()
    assert Equipment.objects.get(pk=machine.pk).name == machine.name


def test_an_unknown_object_is_a_404_for_staff(client, staff):
    client.force_login(staff)
    assert client.get("/staff/machines/999999/edit/").status_code == 404
    assert client.get("/lab/closures/999999/edit/").status_code == 404


def _in_arabic(person):
    person.language = "ar"
    person.save(update_fields=["language"])
    return person


def test_opening_hours_read_left_to_right_in_arabic_as_every_other_time_range(
    client, staff, lab_hours
):
    """Unisolated, "08:30-17:30" inside Arabic text is drawn "17:30-08:30"."""
    client.force_login(_in_arabic(staff))
    page = client.get("/staff/opening-hours/").content.decode()
    rule = lab_hours[0]
    removal = client.get(f"/staff/opening-hours/{rule.pk}/delete/").content.decode()
    for html in (page, removal):
        assert '<bdi dir="ltr" class="text-nowrap">08:30\u201317:30</bdi>' in html
        assert "08:30\u201317:30</td>" not in html


def test_the_machine_list_names_each_rate_and_states_its_rules_in_words(client, staff, machine):
    machine.hourly_rate_member, machine.hourly_rate_non_member = Decimal(150), Decimal(300)
    machine.requires_approval = True
    machine.save()
    client.force_login(_in_arabic(staff))
    page = client.get("/staff/machines/").content.decode()
    row = page[page.index(f'id="machine-{machine.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "الأعضاء" in row and "الآخرون" in row  # members, others: not "150 / 300"
    assert "بخطوات من" in row  # "... in steps of ... min"
    assert "تتطلب موافقة" in row
    assert "text-bg-success status-available" in row


def test_typed_text_takes_its_own_direction_on_an_arabic_page(client, staff, machine):
    """A French description on an Arabic page keeps its full stop at its end."""
    client.force_login(_in_arabic(staff))
    page = client.get(f"/staff/machines/{machine.pk}/edit/").content.decode()
    for name in ("name", "description", "reason"):
        field = page[page.index(f'name="{name}"') :]
        assert 'dir="auto"' in field[: field.index(">")], name
