"""Calendar feeds as calendar apps poll them: conditional GETs, HEAD, 404s, what they hold."""

import datetime

import pytest
import time_machine

from booking import services
from booking.models import FeedKind
from caiac.accounts.models import Membership
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import UserFactory
from tests.icalendar_readers import read_calendar
from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.services import session_enrol

pytestmark = pytest.mark.django_db


def feed_url(feed) -> str:
    return f"/api/v1/calendar/{feed.token}.ics"


def events_by_uid(response) -> dict:
    calendar = read_calendar(response.content)
    assert calendar["method"] is None  # a published calendar, not a scheduling message
    return {event["uid"]: event for event in calendar["events"]}


@pytest.fixture
def booking(frozen, member, machine):
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


@pytest.fixture
def personal_feed(member):
    return services.feed_token_create(user=member, kind=FeedKind.USER)


# --- polling well ----------------------------------------------------------------------------


def test_a_feed_is_200_then_304_and_200_again_once_it_changes(
    api_client, member, booking, personal_feed
):
    first = api_client.get(feed_url(personal_feed))
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")

    again = api_client.get(feed_url(personal_feed), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    by_date = api_client.get(feed_url(personal_feed), HTTP_IF_MODIFIED_SINCE=modified)
    assert by_date.status_code == 304

    services.booking_cancel(user=member, booking=booking)
    changed = api_client.get(feed_url(personal_feed), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert api_client.get(feed_url(personal_feed), HTTP_IF_MODIFIED_SINCE=modified).status_code == (
        200
    )
    event = events_by_uid(changed)[f"booking-{booking.pk}@caiac-lab"]
    assert (event["status"], event["sequence"]) == ("CANCELLED", 1)


def test_an_unchanged_feed_is_the_same_bytes_whenever_it_is_read(
    frozen, api_client, booking, personal_feed
):
    first = api_client.get(feed_url(personal_feed))
    frozen.shift(datetime.timedelta(hours=2))
    second = api_client.get(feed_url(personal_feed))
    assert second.content == first.content
    assert (second["ETag"], second["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


def test_head_is_answered_with_the_headers_and_no_body(api_client, booking, personal_feed):
    full = api_client.get(feed_url(personal_feed))
    head = api_client.head(feed_url(personal_feed))
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == full["ETag"]
    assert head["Content-Type"].startswith("text/calendar")
    assert head["Content-Length"] == str(len(full.content))


def test_an_unknown_or_revoked_feed_is_a_short_text_404(api_client, member, personal_feed):
    services.feed_token_revoke(user=member, feed=personal_feed)
    for url in (feed_url(personal_feed), "/api/v1/calendar/not-a-token.ics"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain")
        assert len(response.content) < 120
        assert b"<html" not in response.content.lower()


def test_a_feed_answers_in_a_bounded_number_of_queries(
    frozen, api_client, member, machine, personal_feed, django_assert_max_num_queries
):
    for day in (24, 25, 26, 27):
        services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, day, 9),
            end=local(2026, 11, day, 10),
        )
    with django_assert_max_num_queries(10):
        assert api_client.get(feed_url(personal_feed)).status_code == 200


# --- what a feed holds -------------------------------------------------------------------------


def test_a_cancelled_booking_stays_as_cancelled_for_30_days_then_leaves(
    api_client, member, booking, personal_feed
):
    services.booking_cancel(user=member, booking=booking)
    uid = f"booking-{booking.pk}@caiac-lab"
    with time_machine.travel(local(2026, 12, 22, 7), tick=False):
        assert events_by_uid(api_client.get(feed_url(personal_feed)))[uid]["status"] == (
            "CANCELLED"
        )
    with time_machine.travel(local(2026, 12, 24, 7), tick=False):
        assert uid not in events_by_uid(api_client.get(feed_url(personal_feed)))


def test_pending_is_tentative_and_used_or_missed_bookings_stay_confirmed(
    frozen, api_client, lab_hours, member, staff, personal_feed
):
    pending = services.booking_create(
        user=member,
        equipment=EquipmentFactory(requires_approval=True),
        start=local(2026, 11, 24, 9),
        end=local(2026, 11, 24, 10),
    )
    used, missed = (
        services.booking_create(
            user=member,
            equipment=EquipmentFactory(),
            start=local(2026, 11, 23, 8, 30),
            end=local(2026, 11, 23, 9, 30),
        )
        for _ in range(2)
    )
    frozen.move_to(local(2026, 11, 23, 10))
    services.booking_check_in(user=staff, booking=used)
    services.booking_no_show(user=staff, booking=missed)
    events = events_by_uid(api_client.get(feed_url(personal_feed)))
    assert events[f"booking-{pending.pk}@caiac-lab"]["status"] == "TENTATIVE"
    assert events[f"booking-{used.pk}@caiac-lab"]["status"] == "CONFIRMED"
    assert events[f"booking-{missed.pk}@caiac-lab"]["status"] == "CONFIRMED"
    assert events[f"booking-{missed.pk}@caiac-lab"]["sequence"] == 1
    text = api_client.get(feed_url(personal_feed)).content.decode()
    assert "DESCRIPTION:Absence : la machine n\u2019a pas été utilisée." in text


def test_a_personal_feed_stops_showing_an_organisations_bookings_once_its_owner_leaves(
    api_client, member, organisation, booking, personal_feed
):
    uid = f"booking-{booking.pk}@caiac-lab"
    assert uid in events_by_uid(api_client.get(feed_url(personal_feed)))
    Membership.objects.filter(user=member, organisation=organisation).delete()
    assert uid not in events_by_uid(api_client.get(feed_url(personal_feed)))


def test_an_organisation_feed_dies_with_its_owners_membership(
    api_client, member, organisation, booking
):
    feed = services.feed_token_create(
        user=member, kind=FeedKind.ORGANISATION, organisation=organisation.pk
    )
    assert api_client.get(feed_url(feed)).status_code == 200
    Membership.objects.filter(user=member, organisation=organisation).delete()
    response = api_client.get(feed_url(feed))
    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")


# --- trainings in the calendars ---------------------------------------------------------------


@pytest.fixture
def training(frozen, trainer):
    course = CourseFactory(title="Émulsion à froid")
    return SessionFactory(course=course, trainer=trainer, capacity=1, start=local(2026, 11, 30, 9))


def test_a_trainers_feed_holds_the_sessions_they_give(api_client, trainer, training):
    feed = services.feed_token_create(user=trainer, kind=FeedKind.USER)
    event = events_by_uid(api_client.get(feed_url(feed)))[
        f"training-session-{training.pk}@caiac-lab"
    ]
    assert event["status"] == "CONFIRMED"
    assert event["summary"] == "Formation que vous animez : Émulsion à froid"


def test_a_persons_feed_holds_their_seat_and_their_place_on_a_waiting_list(
    api_client, member, organisation, training, booking, personal_feed
):
    colleague = UserFactory()
    Membership.objects.create(user=colleague, organisation=organisation)
    session_enrol(by=colleague, session=training)  # takes the only seat
    session_enrol(by=member, session=training)  # waits
    events = events_by_uid(api_client.get(feed_url(personal_feed)))
    assert f"booking-{booking.pk}@caiac-lab" in events  # beside their bookings
    waiting = events[f"training-session-{training.pk}@caiac-lab"]
    assert (waiting["status"], waiting["summary"]) == (
        "TENTATIVE",
        "Formation : Émulsion à froid (liste d\u2019attente)",
    )
    colleague_feed = services.feed_token_create(user=colleague, kind=FeedKind.USER)
    seat = events_by_uid(api_client.get(feed_url(colleague_feed)))[
        f"training-session-{training.pk}@caiac-lab"
    ]
    assert seat["status"] == "CONFIRMED"


def test_an_organisation_feed_holds_its_peoples_sessions_once_each(
    api_client, member, organisation, training
):
    training.capacity = 3
    training.save()
    colleague = UserFactory(first_name="Aicha", last_name="Ouali")
    Membership.objects.create(user=colleague, organisation=organisation)
    session_enrol(by=member, session=training)
    session_enrol(by=colleague, session=training)
    feed = services.feed_token_create(
        user=member, kind=FeedKind.ORGANISATION, organisation=organisation.pk
    )
    calendar = read_calendar(api_client.get(feed_url(feed)).content)
    (event,) = [e for e in calendar["events"] if e["uid"].startswith("training-session-")]
    assert event["status"] == "CONFIRMED"
    assert "Aicha Ouali" in event["summary"]


def test_a_machine_feed_shows_the_sessions_held_on_it(
    api_client, member, staff, trainer, machine, frozen
):
    from trainings.services import session_cancel, session_create

    session = session_create(
        by=staff,
        course=CourseFactory(title="Mélange sous vide"),
        trainer=trainer,
        place="Halle A",
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 12),
        capacity=4,
        equipment=machine.pk,
    )
    feed = services.feed_token_create(user=member, kind=FeedKind.EQUIPMENT, equipment=machine)
    uid = f"training-session-{session.pk}@caiac-lab"
    event = events_by_uid(api_client.get(feed_url(feed)))[uid]
    assert (event["status"], event["summary"]) == ("CONFIRMED", "Formation : Mélange sous vide")
    session_cancel(by=staff, session=session)
    assert events_by_uid(api_client.get(feed_url(feed)))[uid]["status"] == "CANCELLED"
