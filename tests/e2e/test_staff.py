"""Staff in a real browser: a closure over a booked day, and the dashboard's charts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from booking import selectors, services
from booking.models import BookingStatus
from booking.services.disruptions import LAB_CANCELLED_KIND
from caiac import clock
from caiac.notifications.models import Message
from tests.booking.factories import EquipmentFactory, lab_open_weekdays

pytestmark = pytest.mark.django_db(transaction=True)


def _next_wednesday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday() + 2)


@pytest.fixture
def booked(member):
    lab_open_weekdays()
    machine = EquipmentFactory(name="Remplisseuse de tubes", horizon_days=60)
    day = _next_wednesday()
    booking = services.booking_create(
        user=member,
        equipment=machine,
        start=clock.wall_clock(day, datetime.time(10)),
        end=clock.wall_clock(day, datetime.time(13)),
    )
    return booking


def test_staff_close_a_booked_day_see_the_booking_confirm_and_the_booker_is_told(
    page, sign_in, staff, member, booked
):
    day = clock.local_date(booked.start)
    sign_in(staff)
    page.goto("/lab/closures/")
    page.fill("#id_start_day", day.isoformat())
    page.fill("#id_end_day", day.isoformat())
    page.fill("#id_reason", "Coupure d'électricité")
    page.click("button:has-text('Vérifier et fermer')")
    warning = page.locator("#affected-bookings")
    assert "Remplisseuse de tubes" in warning.inner_text()
    assert "Coopérative Amalou" in warning.inner_text()
    page.click("button:has-text('Confirmer la fermeture')")
    page.wait_for_url("**/lab/closures/")
    assert "1 réservation" in page.locator(".alert").first.inner_text()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED
    message = Message.objects.get(kind=LAB_CANCELLED_KIND, recipient=member)
    assert message.context["reason"] == "Coupure d'électricité"


def test_the_dashboard_draws_its_charts_with_the_figures_of_the_usage_selector(
    page, sign_in, staff, booked
):
    monday = clock.week_start(clock.local_date(booked.start))
    sunday = monday + datetime.timedelta(days=6)
    usage = selectors.usage_report(
        start=clock.start_of_day(monday), end=clock.start_of_day(sunday + datetime.timedelta(1))
    )
    row = next(r for r in usage["equipment"] if r.id == booked.equipment_id)
    expected = (row.utilisation * 100).quantize(Decimal("0.1"))
    sign_in(staff)
    page.goto(f"/staff/?from={monday.isoformat()}&to={sunday.isoformat()}")
    page.wait_for_selector("[data-chart='utilisation'][data-drawn]")
    # Every chart with figures is drawn; one without, or with only zeros, says so instead.
    drawn = page.locator("[data-chart][data-drawn]").count()
    assert drawn == page.locator("canvas").count() >= 2
    assert drawn + page.locator("[data-chart] .empty-state").count() == 6
    cell = page.locator("#table-utilisation tbody tr").first.locator("td").first
    assert Decimal(cell.get_attribute("data-value")) == expected
    data = page.evaluate(
        "() => Chart.getChart('chart-utilisation').data.datasets.map(d => d.data[0])"
    )
    assert Decimal(str(data[0])) == expected


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [390, 1366])
def test_staff_add_a_machine_the_form_refuses_a_minimum_off_the_step_inline(
    page, sign_in, staff, width
):
    from booking.models import Equipment

    page.set_default_timeout(30_000)  # a long form on a loaded machine
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(staff)
    page.goto("/staff/machines/")
    page.click("a:has-text('Nouvelle machine')")
    page.wait_for_url("**/staff/machines/new/")
    assert _no_sideways_scroll(page)
    page.fill("#id_name", "Lyophilisateur pilote")
    page.select_option("#id_category", "transformation")
    page.fill("#id_slot_minutes", "30")
    page.fill("#id_min_duration_minutes", "45")
    page.fill("#id_max_duration_minutes", "240")
    page.fill("#id_hourly_rate_member", "180")
    page.fill("#id_hourly_rate_non_member", "320")
    page.click("#machine-form button[type=submit]")
    errors = page.locator(".form-errors")
    assert "pas" in errors.inner_text()  # « multiples entiers du pas de réservation »
    assert "is-invalid" in page.locator("#id_min_duration_minutes").get_attribute("class")
    assert not Equipment.objects.filter(name="Lyophilisateur pilote").exists()
    page.fill("#id_min_duration_minutes", "60")
    page.click("#machine-form button[type=submit]")
    page.wait_for_url("**/staff/machines/")
    machine = Equipment.objects.get(name="Lyophilisateur pilote")
    assert machine.min_duration_minutes == 60 and machine.hourly_rate_member == Decimal("180")
    assert page.locator(f"#machine-{machine.pk}").is_visible()
    assert _no_sideways_scroll(page)


@pytest.mark.parametrize("width", [390, 1366])
def test_staff_schedule_a_session_a_trainer_clash_is_refused_inline_then_it_is_saved(
    page, sign_in, staff, trainer, width
):
    from tests.trainings.factories import CourseFactory, SessionFactory
    from trainings.models import Session

    day = _next_wednesday()
    SessionFactory(
        trainer=trainer,
        start=clock.wall_clock(day, datetime.time(9)),
        end=clock.wall_clock(day, datetime.time(12)),
    )
    course = CourseFactory(title="Hygiène et bonnes pratiques")
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(staff)
    page.goto("/staff/trainings/")
    page.click(f"#course-{course.pk} a:has-text('Programmer')")
    page.wait_for_url("**/trainings/sessions/new/**")
    assert _no_sideways_scroll(page)
    page.select_option("#id_trainer", str(trainer.pk))
    page.fill("#id_place", "Salle de formation 2")
    page.fill("#id_start_day", day.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "13:00")
    page.fill("#id_capacity", "10")
    page.click("#session-form button[type=submit]")
    assert "trainer_unavailable" in page.locator(".form-errors").inner_text()
    assert not Session.objects.filter(course=course).exists()
    page.fill("#id_start_time", "14:00")
    page.fill("#id_end_time", "17:00")
    page.click("#session-form button[type=submit]")
    page.wait_for_url("**/trainings/sessions/*/")
    session = Session.objects.get(course=course)
    assert session.trainer == trainer and session.capacity == 10
    assert clock.local_date(session.start) == day
    assert "Salle de formation 2" in page.content()
