import re

import pytest

from tests.booking.factories import EquipmentFactory, lab_open_weekdays

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_opens_a_machine_books_a_free_slot_and_sees_it_in_my_bookings(page, sign_in, member):
    lab_open_weekdays()
    EquipmentFactory(name="Émulsionneur sous vide", horizon_days=60)
    sign_in(member)
    page.click("nav >> text=Machines")
    page.click("text=Émulsionneur sous vide")
    # Next week always has free weekdays, whatever day the test runs (htmx swaps the slots in).
    page.click("#slots >> text=Semaine suivante")
    page.wait_for_selector("#slots a.slot")
    page.locator("#slots a.slot").first.click()
    page.click("button:has-text('Réserver ce créneau')")
    page.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    row = page.locator("table.bookings tbody tr").first
    assert "Émulsionneur sous vide" in row.inner_text()
    assert "confirmed" in (row.locator(".badge").get_attribute("class") or "")
