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
    # Next week always has free weekdays, whatever day the test runs (htmx swaps the calendar in).
    page.click("#calendar >> text=Semaine suivante")
    page.wait_for_url(re.compile(r".*\?week=\d{4}-\d{2}-\d{2}"))
    page.locator("#calendar a.cell-link").first.click()
    page.wait_for_selector("#book .quote-ok")
    page.click("button:has-text('Réserver ce créneau')")
    page.wait_for_url(re.compile(r".*/lab/my-bookings/.*"))
    row = page.locator("table.bookings tbody tr").first
    assert "Émulsionneur sous vide" in row.inner_text()
    assert "confirmed" in (row.locator(".badge").get_attribute("class") or "")


def test_choosing_a_first_and_a_last_cell_books_the_range(page, sign_in, member):
    lab_open_weekdays()
    EquipmentFactory(name="Remplisseuse de tubes", horizon_days=60, max_duration_minutes=240)
    sign_in(member)
    page.goto("/lab/")
    page.click("text=Remplisseuse de tubes")
    page.click("#calendar >> text=Semaine suivante")
    page.wait_for_url(re.compile(r".*\?week=.*"))
    cells = page.locator("#calendar td.is-shown a.cell-link")
    cells.nth(2).click()
    page.wait_for_selector("#book .quote-ok")
    cells.nth(5).click()  # three cells later: a two-hour range
    page.wait_for_function(  # a function, not an expression: the CSP forbids eval in the page
        "() => document.querySelector('#id_end') && document.querySelector('#id_start') &&"
        " document.querySelector('#id_end').value !== '' &&"
        " (parseInt(document.querySelector('#id_end').value) * 60"
        "  + parseInt(document.querySelector('#id_end').value.slice(3))"
        "  - parseInt(document.querySelector('#id_start').value) * 60"
        "  - parseInt(document.querySelector('#id_start').value.slice(3))) === 120"
    )
    assert page.locator("#calendar td.is-selected").count() >= 4


def test_the_calendars_day_names_fit_their_columns_and_the_week_buttons_share_a_phones_row(
    page, sign_in, member
):
    lab_open_weekdays()
    machine = EquipmentFactory(name="Mélangeur planétaire", horizon_days=60)
    member.language = "ar"  # the person's language wins; Arabic's day names are the longest
    member.save()
    sign_in(member)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/lab/machines/{machine.pk}/")
    spilling = page.eval_on_selector_all(
        "#calendar th.day-col",
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)",
    )
    assert spilling == []  # they overlapped their neighbours ("الجمعة 11 ديسمبرالسبت 12...")
    member.language = "fr"
    member.save()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/lab/machines/{machine.pk}/")
    previous, following = (
        page.locator(f"#calendar .{b}").bounding_box() for b in ("week-prev", "week-next")
    )
    assert previous["y"] == following["y"]  # not one under the other, each on a row of its own
    assert previous["x"] + previous["width"] <= following["x"]
    assert previous["height"] == following["height"]  # and neither folds its words
