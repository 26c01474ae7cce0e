"""Staff pages: today's lab, closures, dashboard, usage — who may open them, what they show,
and a number of queries that does not grow with the rows."""

import csv
import io
from decimal import Decimal

import pytest

from booking import services
from booking.models import BookingStatus, Closure, EquipmentStatus
from booking.services.disruptions import LAB_CANCELLED_KIND
from caiac.notifications.models import Message
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

PAGES = [
    "/lab/today/",
    "/lab/today/?date=2026-11-25",
    "/lab/closures/",
    "/lab/usage/",
    "/lab/usage/?format=csv",
    "/staff/",
    "/staff/charts/utilisation.csv",
]


def book(user, machine, day, hour, hours=1):
    start, end = local(2026, 11, day, hour), local(2026, 11, day, hour + hours)
    return services.booking_create(user=user, equipment=machine, start=start, end=end)


@pytest.fixture
def juror(db):
    from incubation.models import JurorAssignment  # noqa: F401  (a juror is a plain member)

    return UserFactory(username="jury1")


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["member", "trainer", "juror"])
def test_members_trainers_and_jurors_get_403(client, member, trainer, juror, who, url):
    client.force_login({"member": member, "trainer": trainer, "juror": juror}[who])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_staff_open_every_staff_page(client, staff, frozen, lab_hours, url):
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_todays_lab_lists_each_booking_with_organisation_person_status_and_notes(
    client, staff, member, machine, frozen
):
    booking = services.booking_create(
        user=member,
        equipment=machine,
        start=local(2026, 11, 23, 9),
        end=local(2026, 11, 23, 10),
        notes="Apporter les flacons",
    )
    broken = EquipmentFactory(name="Lyophilisateur", status=EquipmentStatus.MAINTENANCE)
    client.force_login(staff)
    page = client.get("/lab/today/").content.decode()
    assert f'id="booking-{booking.pk}"' in page
    for text in ("Coopérative Amalou", member.display_name, "Apporter les flacons", "09:00"):
        assert text in page
    assert broken.name in page  # out of service
    other_day = client.get("/lab/today/?date=2026-11-24").content.decode()
    assert f'id="booking-{booking.pk}"' not in other_day


def test_one_click_check_in_and_no_show_from_todays_lab(client, staff, member, machine, frozen):
    here = book(member, machine, 23, 9)
    missing = book(member, EquipmentFactory(), 23, 9)
    frozen.move_to(local(2026, 11, 23, 9, 30))
    client.force_login(staff)
    client.post(f"/lab/today/bookings/{here.pk}/check-in/", {"next": "/lab/today/"})
    response = client.post(
        f"/lab/today/bookings/{missing.pk}/no-show/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/lab/today/"
    here.refresh_from_db()
    missing.refresh_from_db()
    assert (here.status, missing.status) == (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def test_todays_lab_shows_the_days_training_sessions(client, staff, frozen):
    from tests.trainings.factories import SessionFactory

    session = SessionFactory(
        start=local(2026, 11, 23, 14), end=local(2026, 11, 23, 17), place="Salle 2"
    )
    client.force_login(staff)
    page = client.get("/lab/today/").content.decode()
    assert session.course.title in page and "Salle 2" in page


def _fill(n: int, machine, frozen) -> None:
    for i in range(n):
        org = OrganisationFactory()
        book(member_of(org), EquipmentFactory(), 23 + i % 4, 9 + i % 6)


@pytest.mark.parametrize("url", ["/lab/today/", "/staff/", "/lab/usage/", "/lab/closures/"])
def test_staff_pages_run_the_same_number_of_queries_whatever_the_rows(
    client, staff, machine, frozen, url, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)
    _fill(2, machine, frozen)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _fill(12, machine, frozen)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), url
    assert len(many) <= 25


def test_a_closure_shows_the_bookings_it_hits_then_cancels_them_once_confirmed(
    client, staff, member, machine, frozen
):
    booking = book(member, machine, 25, 9)
    client.force_login(staff)
    form = {
        "equipment": "",
        "start_day": "2026-11-25",
        "start_time": "00:00",
        "end_day": "2026-11-25",
        "end_time": "23:59",
        "reason": "Coupure d'eau",
    }
    first = client.post("/lab/closures/", form)
    assert first.status_code == 200
    assert f'data-booking="{booking.pk}"' in first.content.decode()
    assert not Closure.objects.exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    confirmed = client.post("/lab/closures/", {**form, "confirm": "1"})
    assert confirmed.status_code == 302
    closure = Closure.objects.get()
    assert closure.end == local(2026, 11, 26, 0)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert Message.objects.filter(kind=LAB_CANCELLED_KIND, recipient=member).exists()


def test_a_closure_over_nothing_is_made_in_one_step(client, staff, frozen, lab_hours):
    client.force_login(staff)
    response = client.post(
        "/lab/closures/",
        {"start_day": "2027-01-11", "start_time": "00:00", "end_day": "2027-01-11",
         "end_time": "23:59", "reason": "Manifeste de l'indépendance"},
    )  # fmt: skip
    assert response.status_code == 302 and Closure.objects.count() == 1
    # Listed as the day it closes, not as "lun. 11 janv. 00:00 - mar. 12 janv. 00:00".
    listed = client.get("/lab/closures/").content.decode()
    assert "<bdi>lun 11 jan. 2027</bdi>" in listed
    assert "00:00" not in listed[listed.index('id="upcoming"') :]


def test_the_dashboard_tables_carry_the_figures_of_the_usage_selector(
    client, staff, member, machine, frozen
):
    book(member, machine, 24, 9, hours=3)
    client.force_login(staff)
    response = client.get("/staff/?from=2026-11-23&to=2026-11-29")
    charts = {c["id"]: c for c in response.context["charts"]}
    assert set(charts) == {
        "utilisation", "organisation-kinds", "no-shows", "revenue", "participants",
        "incubation-kpis",
    }  # fmt: skip
    utilisation = charts["utilisation"]
    column = [str(h) for h in utilisation["headers"]].index(machine.name)
    assert utilisation["rows"] == [["2026-11-23", *[r for r in utilisation["rows"][0][1:]]]]
    assert utilisation["rows"][0][column] == Decimal("6.7")  # 3 h of 45 h open
    page = response.content.decode()
    assert 'id="chart-utilisation"' in page and 'data-value="6.7"' in page
    # The axis reads as the language writes a week (the CSV keeps the ISO date).
    assert '<th scope="row" data-value="2026-11-23"><bdi>23 novembre</bdi></th>' in page
    # Nobody trained that week: a sentence, not an empty grid; its table of zeros stays.
    assert charts["participants"]["rows"] and charts["participants"]["blank"]
    assert 'id="chart-participants-empty"' in page and 'id="chart-participants"' not in page
    assert 'id="table-participants"' in page
    assert "<script>" not in page and 'style="' not in page


def test_each_chart_downloads_as_a_csv_of_its_table(client, staff, member, machine, frozen):
    book(member, machine, 24, 9, hours=3)
    client.force_login(staff)
    response = client.get("/staff/charts/utilisation.csv?from=2026-11-23&to=2026-11-29")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][0] == "Semaine du" and machine.name in rows[0]
    assert rows[1][rows[0].index(machine.name)] == "6.7"
    assert client.get("/staff/charts/unknown.csv").status_code == 404


def test_the_usage_page_narrows_to_one_machine_and_downloads_its_csv(
    client, staff, member, machine, frozen
):
    book(member, machine, 24, 9, hours=2)
    other = EquipmentFactory(name="Autoclave")
    client.force_login(staff)
    query = f"?equipment={machine.pk}&from=2026-11-23&to=2026-11-29"
    page = client.get(f"/lab/usage/{query}").content.decode()
    table = page[page.index('id="usage-table-equipment"') :]
    table = table[: table.index("</table>")]
    assert machine.name in table and other.name not in table
    csv_text = client.get(f"/lab/usage/{query}&format=csv").content.decode("utf-8")
    assert f"{machine.name},2.00,0.00,0,45.00,4.4" in csv_text
