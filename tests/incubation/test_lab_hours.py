"""The free lab hours of a stage, granted by incubation, spent by a booking (booking app)."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from booking import services as booking_services
from incubation import services
from tests.booking.factories import EquipmentFactory, lab_open_weekdays

pytestmark = pytest.mark.django_db

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")


@pytest.fixture
def monday_morning():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 7, 0, tzinfo=CASA), tick=False):
        yield


@pytest.fixture
def mixer(db):
    lab_open_weekdays()
    return EquipmentFactory(name="Mélangeur planétaire", hourly_rate_member=Decimal("100.00"))


def listed_balances(client) -> list[str]:
    response = client.get("/api/v1/incubation/incubatees/")
    return [row["lab_hours_balance"] for row in response.json()["results"]]


def test_the_lab_hour_benefit_is_spent_by_a_booking(
    monday_morning, client_for, staff, member, cohort, organisation, mixer
):
    incubatee = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    services.incubatee_move_stage(by=staff, incubatee=incubatee, stage="incubation")
    # Joining granted pre-incubation's 4 h, starting incubation its 10 h, both for November.
    client = client_for(member)
    url = f"/api/v1/incubation/incubatees/{incubatee.pk}/"
    assert client.get(url).data["lab_hours_balance"] == "14.00"
    assert listed_balances(client) == ["14.00"]

    booking = booking_services.booking_create(
        user=member,
        equipment=mixer,
        start=datetime.datetime(2026, 11, 24, 9, 0, tzinfo=CASA),
        end=datetime.datetime(2026, 11, 24, 11, 0, tzinfo=CASA),
    )
    assert booking.price == Decimal("0.00")
    assert client.get(url).data["lab_hours_balance"] == "12.00"
    assert listed_balances(client) == ["12.00"]

    report = client_for(staff).get(f"/api/v1/incubation/cohorts/{cohort.pk}/report/").json()
    assert report["figures"]["lab_hours_used"] == "2.00"
    [row] = report["incubatees"]
    assert row["lab_hours_used"] == "2.00"

    booking_services.booking_cancel(user=member, booking=booking)
    assert client.get(url).data["lab_hours_balance"] == "14.00"
    assert listed_balances(client) == ["14.00"]


def test_hours_beyond_the_credit_are_paid(
    monday_morning, staff, member, cohort, organisation, mixer
):
    services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)  # 4 h

    def book(start_hour, end_hour):
        return booking_services.booking_create(
            user=member,
            equipment=mixer,
            start=datetime.datetime(2026, 11, 24, start_hour, 0, tzinfo=CASA),
            end=datetime.datetime(2026, 11, 24, end_hour, 0, tzinfo=CASA),
        )

    assert book(9, 12).price == Decimal("0.00")  # 3 of the 4 free hours
    assert book(13, 15).price == Decimal("100.00")  # 1 free hour, 1 at the member rate


def test_the_incubatee_page_shows_the_balance(
    monday_morning, client, staff, member, cohort, organisation
):
    from tests.factories import PASSWORD

    incubatee = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    client.login(username=member.username, password=PASSWORD)
    page = client.get(f"/incubation/incubatees/{incubatee.pk}/").content.decode()
    shown = re.search(r'id="lab-hours"><bdi>([^<]*)</bdi>', page).group(1)
    assert shown == "4\xa0h"


def test_the_list_counts_each_incubatee_once_whatever_its_lab_credits(
    monday_morning, client_for, staff, cohort, organisation, other_organisation
):
    from tests.factories import OrganisationFactory

    first = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    services.incubatee_move_stage(by=staff, incubatee=first, stage="incubation")  # 2 credits
    services.incubatee_create(by=staff, cohort=cohort, organisation=other_organisation)
    services.incubatee_create(by=staff, cohort=cohort, organisation=OrganisationFactory())
    client = client_for(staff)
    url = "/api/v1/incubation/incubatees/"

    page = client.get(url, {"page_size": 2}).json()
    assert (page["count"], len(page["results"])) == (3, 2)
    balances = {row["id"]: row["lab_hours_balance"] for row in client.get(url).json()["results"]}
    assert balances[first.pk] == "14.00"  # both credits summed, on one row
    incubating = client.get(url, {"page_size": 2, "stage": "incubation"}).json()
    assert incubating["count"] == 1
    assert [row["id"] for row in incubating["results"]] == [first.pk]
