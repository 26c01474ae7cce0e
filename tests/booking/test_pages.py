import pytest
import time_machine

from booking import services
from booking.models import Booking, BookingStatus
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def do(user):
        client.login(username=user.username, password=PASSWORD)
        return client

    return do


def test_pages_need_a_sign_in(client, machine):
    for url in ("/lab/", f"/lab/machines/{machine.pk}/", "/lab/my-bookings/", "/lab/approvals/"):
        assert client.get(url).status_code == 302, url


def test_catalogue_filters_by_line(signed_in, member, lab_hours):
    EquipmentFactory(name="Sertisseuse", line="food")
    EquipmentFactory(name="Remplisseuse de tubes", line="cosmetics")
    page = signed_in(member).get("/lab/?line=food").content.decode()
    assert "Sertisseuse" in page and "Remplisseuse de tubes" not in page


def test_machine_page_shows_rules_and_the_calendar_of_the_week(frozen, signed_in, member, machine):
    page = signed_in(member).get(f"/lab/machines/{machine.pk}/?week=2026-11-23").content.decode()
    assert "<bdi>100,00\xa0MAD</bdi>/h" in page  # the amount isolated from the text around it
    assert '<bdi dir="ltr" class="text-nowrap">08:30\u201317:30</bdi>' in page  # the opening hours
    assert page.count('class="cell-link slot"') == 18 * 5  # every half hour of Mon-Fri is free
    partial = signed_in(member).get(
        f"/lab/machines/{machine.pk}/slots/?week=2026-11-30", HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and 'id="calendar"' in body and "date=2026-12-01" in body


def test_booking_form_books_and_shows_domain_errors_inline(frozen, signed_in, member, machine):
    client = signed_in(member)
    url = f"/lab/machines/{machine.pk}/"
    response = client.post(url, {"date": "2026-11-24", "start": "09:00", "end": "10:00"})
    assert response.status_code == 302 and response["Location"] == "/lab/my-bookings/"
    clash = client.post(url, {"date": "2026-11-24", "start": "09:30", "end": "10:30"})
    assert clash.status_code == 200
    assert 'role="alert"' in clash.content.decode()
    assert Booking.objects.count() == 1
    mine = client.get("/lab/my-bookings/").content.decode()
    assert machine.name in mine


def test_my_bookings_hides_other_organisations_and_cancel_is_scoped(
    frozen, signed_in, member, other_member, machine
):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    client = signed_in(other_member)
    assert machine.name not in client.get("/lab/my-bookings/").content.decode()
    assert client.post(f"/lab/bookings/{booking.pk}/cancel/").status_code == 404
    client.logout()
    client = signed_in(member)
    client.post(f"/lab/bookings/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_approval_queue_is_for_staff_who_approve_and_reject(
    frozen, signed_in, member, staff, lab_hours
):
    machine = EquipmentFactory(requires_approval=True, name="Lyophilisateur")
    first, second = (
        services.booking_create(user=member, equipment=machine,
                                start=local(2026, 11, day, 9), end=local(2026, 11, day, 10))
        for day in (25, 26)
    )  # fmt: skip
    assert signed_in(member).get("/lab/approvals/").status_code == 403
    client = signed_in(staff)
    assert "Lyophilisateur" in client.get("/lab/approvals/").content.decode()
    client.post(f"/lab/approvals/{first.pk}/approve/")
    client.post(f"/lab/approvals/{second.pk}/reject/", {"reason": ""})
    second.refresh_from_db()
    assert second.status == BookingStatus.PENDING  # a reason is required
    client.post(f"/lab/approvals/{second.pk}/reject/", {"reason": "Full week"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.CONFIRMED, BookingStatus.REJECTED)


def test_calendar_link_is_created_and_revoked_from_my_bookings(signed_in, member, client):
    from booking.models import FeedToken

    signed_in(member).post("/lab/calendar-links/")
    feed = FeedToken.objects.get(user=member, revoked_at__isnull=True)
    page = client.get("/lab/my-bookings/").content.decode()
    assert f"/api/v1/calendar/{feed.token}.ics" in page
    assert client.get(f"/api/v1/calendar/{feed.token}.ics").status_code == 200
    client.post(f"/lab/calendar-links/{feed.pk}/revoke/")
    assert client.get(f"/api/v1/calendar/{feed.token}.ics").status_code == 404
    assert feed.token not in client.get("/lab/my-bookings/").content.decode()


def test_my_bookings_title_is_just_the_title_and_the_calendar_card_shows_once(signed_in, member):
    import re

    page = signed_in(member).get("/lab/my-bookings/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title and "CAIAC Lab" in title
    assert page.count('class="card feeds') == 1


def test_time_ranges_keep_their_order_in_arabic(frozen, signed_in, member, machine):
    # In a right-to-left page, the range 09:00 to 10:00 reads backwards unless isolated as LTR.
    member.language = "ar"
    member.save()
    client = signed_in(member)
    client.post(
        f"/lab/machines/{machine.pk}/", {"date": "2026-11-24", "start": "09:00", "end": "10:00"}
    )
    page = client.get("/lab/my-bookings/").content.decode()
    assert 'dir="rtl"' in page
    assert '<bdi dir="ltr" class="text-nowrap">09:00\u201310:00</bdi>' in page


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/phish", "/lab/my-bookings/"),
        ("//evil.example/phish", "/lab/my-bookings/"),
        ("javascript:alert(1)", "/lab/my-bookings/"),
        ("/lab/", "/lab/"),
    ],
)
def test_cancel_sends_the_browser_back_only_within_this_site(
    frozen, signed_in, member, machine, next_url, lands_on
):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    response = signed_in(member).post(
        f"/lab/bookings/{booking.pk}/cancel/", {"next": next_url, "reason": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_my_bookings_shows_what_comes_next_first_and_the_past_apart(signed_in, member, machine):
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False):
        done = services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, 23, 9),
            end=local(2026, 11, 23, 10),
        )
        later = services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, 27, 9),
            end=local(2026, 11, 27, 10),
        )
        sooner = services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, 25, 9),
            end=local(2026, 11, 25, 10),
        )
    with time_machine.travel(local(2026, 11, 24, 8, 0), tick=False):
        client = signed_in(member)
        coming = client.get("/lab/my-bookings/").content.decode()
        past = client.get("/lab/my-bookings/?when=past").content.decode()
    assert coming.index(f'id="booking-{sooner.pk}"') < coming.index(f'id="booking-{later.pk}"')
    assert f'id="booking-{done.pk}"' not in coming
    assert f'id="booking-{done.pk}"' in past and f'id="booking-{later.pk}"' not in past


@pytest.mark.parametrize(
    ("language", "coming_up", "past"),
    [("fr", "À venir", "Passées"), ("ar", "القادمة", "السابقة")],
)
def test_my_bookings_tabs_are_named_like_tabs(signed_in, member, language, coming_up, past):
    # The tab is "past bookings", not the verb "it passed" (Arabic used to read مضى).
    member.language = language
    member.save()
    page = signed_in(member).get("/lab/my-bookings/?when=past").content.decode()
    assert f'aria-current="page" href="?when=past">{past}</a>' in page
    assert f'href="?">{coming_up}</a>' in page


def test_the_calendar_week_title_reads_as_a_title_in_french_and_arabic(
    frozen, client, member, machine
):
    from tests.factories import PASSWORD

    client.login(username=member.username, password=PASSWORD)
    page = client.get(f"/lab/machines/{machine.pk}/?week=2026-11-23").content.decode()
    assert ">Semaine : <bdi>23 \N{EN DASH} 29 novembre 2026</bdi></h3>" in page
    member.language = "ar"
    member.save()
    page = client.get(f"/lab/machines/{machine.pk}/?week=2026-11-23").content.decode()
    assert "أسبوع " in page and "Semaine" not in page
