"""The bookings list at scale: a count that stops counting, pages that still reach every row,
and a member's page read through the (organisation, start) index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import services
from caiac.pagination import BoundedCountPagination
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db
BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def nine_bookings(frozen, member, machine):
    return [
        services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, day, hour),
            end=local(2026, 11, day, hour + 1),
        )
        for day in (24, 25, 26)
        for hour in (9, 11, 14)
    ]


@pytest.fixture
def count_limit_5(monkeypatch):
    monkeypatch.setattr(BoundedCountPagination, "count_limit", 5)


def test_past_the_limit_the_count_is_a_lower_bound_and_next_still_reaches_every_booking(
    client_for, staff, nine_bookings, count_limit_5
):
    client = client_for(staff)
    first = client.get(BOOKINGS, {"page_size": 2}).json()
    assert first["count"] == 6 and first["count_exact"] is False  # "more than 5"
    assert first["previous"] is None

    seen, page = [], first
    while True:
        seen += [row["id"] for row in page["results"]]
        if page["next"] is None:
            break
        page = client.get(page["next"]).json()
    newest_first = sorted(nine_bookings, key=lambda b: b.start, reverse=True)
    assert seen == [b.pk for b in newest_first]
    assert page["count"] == 9 and page["count_exact"] is True  # the last page knows
    assert "page=4" in page["previous"]


def test_a_deep_page_counts_at_least_up_to_the_row_after_it(
    client_for, staff, nine_bookings, count_limit_5
):
    body = client_for(staff).get(BOOKINGS, {"page_size": 2, "page": 3}).json()
    assert len(body["results"]) == 2 and body["next"] is not None
    assert body["count"] == 7 and body["count_exact"] is False  # 2 pages before, this, one more


def test_under_the_limit_the_count_is_exact_on_every_page(client_for, member, nine_bookings):
    client = client_for(member)
    for page in (1, 2, 5):
        body = client.get(BOOKINGS, {"page_size": 2, "page": page}).json()
        assert body["count"] == 9 and body["count_exact"] is True


def test_page_last_counts_everything_and_answers_the_last_page(
    client_for, staff, nine_bookings, count_limit_5
):
    body = client_for(staff).get(BOOKINGS, {"page_size": 2, "page": "last"}).json()
    assert body["count"] == 9 and body["count_exact"] is True
    assert [row["id"] for row in body["results"]] == [min(nine_bookings, key=lambda b: b.start).pk]
    assert body["next"] is None and "page=4" in body["previous"]


@pytest.mark.parametrize("page", ["6", "0", "-1", "two"])
def test_a_page_that_does_not_exist_is_404(client_for, member, nine_bookings, page):
    response = client_for(member).get(BOOKINGS, {"page_size": 2, "page": page})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_empty_list_is_one_empty_page(client_for, other_member, nine_bookings):
    body = client_for(other_member).get(BOOKINGS).json()
    assert body == {
        "count": 0,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_a_members_page_filters_on_their_organisations_ids_not_a_subquery(
    client_for, member, nine_bookings
):
    # With the ids as values PostgreSQL walks the (organisation, start, id) index and stops
    # after a page; with a subquery it read all of the organisation's bookings and sorted them.
    client = client_for(member)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BOOKINGS).json()["count"] == 9
    reads = [q["sql"] for q in queries.captured_queries if "booking_booking" in q["sql"]]
    assert reads and all("accounts_membership" not in sql for sql in reads)
    assert all(f"IN ({member.memberships.get().organisation_id})" in sql for sql in reads)
