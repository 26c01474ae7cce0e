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
    assert page.locator("canvas").count() == 6
    # Every chart with figures is drawn; one without shows "nothing in this period".
    assert (
        page.locator("[data-chart][data-drawn]").count()
        == page.locator("table.chart-table").count()
    )
    cell = page.locator("#table-utilisation tbody tr").first.locator("td").first
    assert Decimal(cell.get_attribute("data-value")) == expected
    data = page.evaluate(
        "() => Chart.getChart('chart-utilisation').data.datasets.map(d => d.data[0])"
    )
    assert Decimal(str(data[0])) == expected
