"""The member's and the trainer's day, in a real browser: on a phone, in Arabic."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from booking import services as booking_services
from booking.models import Booking, BookingStatus
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import PASSWORD
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="ar-MA", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in_on(page, user):
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def test_a_member_on_an_arabic_phone_books_a_cell_moves_the_booking_then_cancels_it(
    phone, member, organisation
):
    lab_open_weekdays()
    machine = EquipmentFactory(
        name="Mélangeur planétaire", horizon_days=60, min_duration_minutes=60
    )
    booking_services.lab_credit_grant(
        organisation=organisation,
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + datetime.timedelta(days=60),
        hours=Decimal("1"),
        source="Incubation",
    )
    member.language = "ar"
    member.save()
    sign_in_on(phone, member)
    assert phone.locator("html").get_attribute("dir") == "rtl"

    phone.goto(f"/lab/machines/{machine.pk}/?week={next_monday().isoformat()}")
    assert no_sideways_scroll(phone)
    assert phone.locator(".calendar-daynav").is_visible()  # a day view at phone width
    phone.locator("#calendar a.cell-link:visible").nth(1).click()

    # Before confirming: the price for this organisation and the free hours it spends.
    quote = phone.locator("#book .quote-ok")
    quote.wait_for()
    assert "درهم" in quote.locator(".quote-price").inner_text()
    assert "1" in quote.locator(".quote-credit").inner_text()
    assert "ساعة" in quote.locator(".quote-credit").inner_text()
    phone.locator("#book button.btn-primary").click()
    phone.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    booking = Booking.objects.get()
    first_start = booking.start
    assert booking.credit_hours == Decimal("1")

    # Move it: the same booking at another time.
    phone.locator(f"#booking-{booking.pk} a[href$='/move/']").click()
    phone.wait_for_url(re.compile(r".*/move/.*"))
    phone.locator("#calendar td.is-shown:not(.is-current) a.cell-link").nth(4).click()
    phone.locator("#book .quote-ok").wait_for()
    phone.locator("#book button.btn-primary").click()
    phone.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    booking.refresh_from_db()
    assert booking.start != first_start and booking.status == BookingStatus.CONFIRMED
    assert Booking.objects.count() == 1

    # Cancel it, through the confirmation.
    row = phone.locator(f"#booking-{booking.pk}")
    row.locator("details.confirm > summary").click()
    row.locator(".confirm-panel button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "غير مُحتسب" in phone.locator(f"#booking-{booking.pk}").inner_text()
    assert no_sideways_scroll(phone)


def test_a_trainer_takes_attendance_after_the_session_and_the_member_then_books_the_machine(
    browser, live_server, page, sign_in, member, trainer
):
    lab_open_weekdays()
    course = CourseFactory(title="Sécurité émulsionneur sous vide")
    machine = EquipmentFactory(
        name="Émulsionneur sous vide", required_course=course, horizon_days=60
    )
    now = timezone.now()
    session = SessionFactory(
        course=course,
        trainer=trainer,
        start=now - datetime.timedelta(hours=4),
        end=now - datetime.timedelta(hours=1),
    )
    EnrolmentFactory(session=session, user=member)

    sign_in(trainer)
    page.goto(f"/trainings/sessions/{session.pk}/")
    page.check(f"#present-{member.pk}")
    page.click("main button:has-text('Enregistrer')")
    page.wait_for_selector(".alert-success")

    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    member_page = context.new_page()
    member_page.set_default_timeout(10_000)
    sign_in_on(member_page, member)
    member_page.goto(f"/lab/machines/{machine.pk}/?week={next_monday().isoformat()}")
    member_page.locator("#calendar a.cell-link").first.click()
    member_page.locator("#book .quote-ok").wait_for()  # certified: no certification_required
    member_page.locator("#book button.btn-primary").click()
    member_page.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    assert Booking.objects.filter(
        equipment=machine, organisation__memberships__user=member
    ).exists()
    context.close()
