"""The booking calendar of a machine page: the week grid (selectors.week_grid), the quote shown
before confirming, refusals with the API's code, and moving a booking from the pages."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from booking import selectors, services
from booking.models import Booking, BookingStatus
from booking.selectors import CellState
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def signed_in(client):
    def do(user):
        client.login(username=user.username, password=PASSWORD)
        return client

    return do


def cell(grid, day: datetime.date, hhmm: str):
    index = grid.rows.index(datetime.time.fromisoformat(hhmm))
    return next(d for d in grid.days if d.date == day).cells[index]


# --- the grid ---------------------------------------------------------------------------------


def test_the_grid_has_a_row_per_slot_step_and_a_column_per_day(frozen, machine):
    grid = selectors.week_grid(equipment=machine, monday=MONDAY)
    assert grid.rows[0] == datetime.time(8, 30) and grid.rows[-1] == datetime.time(17, 0)
    assert len(grid.rows) == 18 and [d.date.weekday() for d in grid.days] == list(range(7))
    assert cell(grid, MONDAY + datetime.timedelta(days=6), "09:00") is None  # Sunday: closed


def test_each_cell_says_why_it_can_or_cannot_be_booked(
    frozen, machine, member, other_member, organisation
):
    machine.buffer_minutes = 30
    machine.lead_time_minutes = 60 * 26  # Tuesday 09:00 onwards
    machine.save()
    wednesday, thursday = datetime.date(2026, 11, 25), datetime.date(2026, 11, 26)
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 11, 25, 10),
        end=local(2026, 11, 25, 11),
    )
    services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 25, 14), end=local(2026, 11, 25, 15)
    )
    ClosureFactory(equipment=machine, start=local(2026, 11, 26, 0), end=local(2026, 11, 27, 0))
    grid = selectors.week_grid(equipment=machine, monday=MONDAY, organisation_ids={organisation.pk})
    assert cell(grid, MONDAY, "09:00").state == CellState.LEAD
    assert cell(grid, wednesday, "09:00").state == CellState.FREE
    assert cell(grid, wednesday, "10:30").state == CellState.TAKEN
    assert cell(grid, wednesday, "11:00").state == CellState.CLEANING
    assert cell(grid, wednesday, "14:00").state == CellState.MINE
    assert cell(grid, wednesday, "09:30").state == CellState.CLEANING  # its buffer would clash
    assert cell(grid, thursday, "09:00").state == CellState.CLOSED


def test_past_cells_are_past(machine):
    with time_machine.travel(local(2026, 11, 24, 12, 10), tick=False):
        grid = selectors.week_grid(equipment=machine, monday=MONDAY)
    assert cell(grid, datetime.date(2026, 11, 24), "11:30").state == CellState.PAST
    assert cell(grid, datetime.date(2026, 11, 24), "12:30").state == CellState.FREE


def test_the_page_opens_on_the_first_week_with_a_free_slot(signed_in, member, machine):
    with time_machine.travel(local(2026, 11, 28, 13), tick=False):  # Saturday: nothing left
        page = signed_in(member).get(f"/lab/machines/{machine.pk}/").content.decode()
    assert "30 novembre \u2013 6 décembre 2026" in page
    assert "date=2026-11-30" in page


def test_the_first_week_with_a_free_slot_skips_closed_and_full_weeks(frozen, machine, member):
    first = selectors.first_week_with_free_slot
    assert first(equipment=machine) == MONDAY
    # Closed until Thursday of the next week, whose Friday is fully booked: the week after.
    ClosureFactory(equipment=machine, start=local(2026, 11, 23, 0), end=local(2026, 12, 3, 0))
    assert first(equipment=machine) == datetime.date(2026, 11, 30)
    ClosureFactory(equipment=machine, start=local(2026, 12, 3, 0), end=local(2026, 12, 4, 0))
    friday = [
        services.booking_create(
            user=member, equipment=machine, start=local(2026, 12, 4, *a), end=local(2026, 12, 4, *b)
        )
        for a, b in (((8, 30), (12, 30)), ((12, 30), (16, 30)), ((16, 30), (17, 0)))
    ]
    # 17:00-17:30 is left: shorter than an hour is no slot.
    machine.min_duration_minutes = 60
    machine.save()
    assert first(equipment=machine) == datetime.date(2026, 12, 7)
    # As if one of the Friday bookings were not there (moving it): that week again.
    assert first(equipment=machine, exclude_id=friday[1].pk) == datetime.date(2026, 11, 30)


def test_with_nothing_free_within_the_horizon_the_first_week_is_this_one(frozen, machine):
    machine.horizon_days = 20
    machine.save()
    ClosureFactory(equipment=None, start=local(2026, 11, 23, 0), end=local(2026, 12, 20, 0))
    assert selectors.first_week_with_free_slot(equipment=machine) == MONDAY
    machine.horizon_days = 40
    machine.save()
    assert selectors.first_week_with_free_slot(equipment=machine) == datetime.date(2026, 12, 21)
    machine.status = "maintenance"
    machine.save()
    assert selectors.first_week_with_free_slot(equipment=machine) == MONDAY


def test_another_organisations_booking_shows_as_booked_never_by_name(
    frozen, signed_in, member, other_member, machine, other_organisation
):
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 11, 25, 10),
        end=local(2026, 11, 25, 11),
    )
    page = signed_in(member).get(f"/lab/machines/{machine.pk}/?week=2026-11-23").content.decode()
    assert page.count("cell state-taken") == 2
    assert other_organisation.name not in page
    assert ">Réservé<" in page


def test_week_links_carry_the_week_in_the_address(frozen, signed_in, member, machine):
    page = signed_in(member).get(f"/lab/machines/{machine.pk}/?week=2026-11-25").content.decode()
    assert f'href="/lab/machines/{machine.pk}/?week=2026-11-30"' in page
    assert f'hx-push-url="/lab/machines/{machine.pk}/?week=2026-11-30"' in page
    assert f'href="/lab/machines/{machine.pk}/?week=2026-11-16"' in page


def test_on_a_phone_the_day_shown_has_its_previous_and_next_day(frozen, signed_in, member, machine):
    page = signed_in(member).get(f"/lab/machines/{machine.pk}/?week=2026-11-23&day=2026-11-29")
    body = page.content.decode()
    assert 'class="day-col is-shown">dim 29 nov.' in body
    assert "week=2026-11-30&amp;day=2026-11-30" in body  # next day is next week's Monday
    assert "week=2026-11-23&amp;day=2026-11-28" in body


# --- choosing a slot: the quote -----------------------------------------------------------------


def quote_of(client, machine, **params):
    return client.get(f"/lab/machines/{machine.pk}/quote/", params, HTTP_HX_REQUEST="true")


def test_choosing_a_cell_fills_the_form_and_shows_price_credit_and_approval(
    frozen, signed_in, member, organisation, lab_hours
):
    machine = EquipmentFactory(requires_approval=True, hourly_rate_member=Decimal("1200"))
    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        hours=Decimal("1.5"),
        source="Incubation",
    )
    response = quote_of(signed_in(member), machine, date="2026-11-25", start="09:00", end="11:00")
    body = response.content.decode()
    assert "<html" not in body and 'id="book"' in body
    assert 'value="2026-11-25"' in body and 'value="09:00"' in body and 'value="11:00"' in body
    assert "Tarif membre du cluster" in body
    assert "1,5\xa0h" in body  # free lab hours spent
    assert "600,00\xa0MAD" in body  # the half hour left at 1 200 MAD/h
    assert "doit la valider" in body  # staff must approve
    assert Booking.objects.count() == 0  # a quote writes nothing


def test_a_refusal_shows_inline_with_the_api_code(frozen, signed_in, member, lab_hours):
    from trainings.models import Course

    course = Course.objects.create(
        title="Autoclave safety", translations={"fr": {"title": "Sécurité autoclave"}}
    )
    machine = EquipmentFactory(required_course=course)
    body = quote_of(
        signed_in(member), machine, date="2026-11-25", start="09:00", end="10:00"
    ).content.decode()
    assert 'data-code="certification_required"' in body
    assert "Sécurité autoclave" in body  # the course title in the page's language
    response = signed_in(member).post(
        f"/lab/machines/{machine.pk}/", {"date": "2026-11-25", "start": "09:00", "end": "10:00"}
    )
    assert '<code class="error-code" dir="ltr">certification_required</code>' in (
        response.content.decode()
    )


def test_without_javascript_the_cell_link_shows_the_same_quote_on_the_page(
    frozen, signed_in, member, machine
):
    page = (
        signed_in(member)
        .get(f"/lab/machines/{machine.pk}/?week=2026-11-23&date=2026-11-25&start=09:00&end=10:00")
        .content.decode()
    )
    assert "quote-ok" in page and "100,00\xa0MAD" in page
    assert re.search(r'<td class="cell state-free[^"]*is-selected', page)


# --- moving from the pages ----------------------------------------------------------------------


@pytest.fixture
def booked(frozen, member, machine):
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


def test_the_move_page_shows_the_calendar_without_the_booking_and_moves_it(
    signed_in, member, booked
):
    client = signed_in(member)
    page = client.get(f"/lab/bookings/{booked.pk}/move/").content.decode()
    assert "is-current" in page and '<span class="cell-label">Actuel</span>' in page
    response = client.post(
        f"/lab/bookings/{booked.pk}/move/", {"date": "2026-11-27", "start": "14:00", "end": "15:00"}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.start, booked.status) == (local(2026, 11, 27, 14), BookingStatus.CONFIRMED)


def test_a_refused_move_stays_on_the_page_with_the_code(signed_in, member, machine, booked):
    ClosureFactory(equipment=machine, start=local(2026, 11, 27, 0), end=local(2026, 11, 28, 0))
    response = signed_in(member).post(
        f"/lab/bookings/{booked.pk}/move/", {"date": "2026-11-27", "start": "14:00", "end": "15:00"}
    )
    assert response.status_code == 200 and "machine_closed" in response.content.decode()


def test_another_organisation_cannot_open_the_move_page(signed_in, other_member, booked):
    assert signed_in(other_member).get(f"/lab/bookings/{booked.pk}/move/").status_code == 404


def test_my_bookings_offers_move_and_a_confirmed_cancel(signed_in, member, booked):
    page = signed_in(member).get("/lab/my-bookings/").content.decode()
    assert f'href="/lab/bookings/{booked.pk}/move/"' in page
    assert f'<details class="confirm" id="cancel-{booked.pk}">' in page


def test_a_cancelled_booking_shows_no_price(signed_in, member, booked):
    services.booking_cancel(user=member, booking=booked)
    page = signed_in(member).get("/lab/my-bookings/").content.decode()
    assert "Non facturée" in page and "100,00\xa0MAD" not in page
