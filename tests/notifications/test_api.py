import pytest
from django.utils import timezone

from caiac.notifications.delivery import message_deliver
from caiac.notifications.models import Message, MessageStatus
from tests.notifications.conftest import minutes, now

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


@pytest.fixture
def inbox(member, schedule):
    """Three due notifications (one read), one for later, one cancelled."""
    first = schedule(member, key="a", due_at=now() - minutes(30), context={"title": "Premier"})
    second = schedule(member, key="b", due_at=now() - minutes(20), context={"title": "Deuxième"})
    third = schedule(
        member,
        key="c",
        due_at=now() - minutes(10),
        context={"title": "Troisième", "text": "Bienvenue au labo."},
    )
    message_deliver(message_id=first.pk)
    Message.objects.filter(pk=first.pk).update(read_at=timezone.now())
    schedule(member, key="later", due_at=now() + minutes(60), context={"title": "Plus tard"})
    cancelled = schedule(member, key="gone", context={"title": "Annulé"})
    Message.objects.filter(pk=cancelled.pk).update(status=MessageStatus.CANCELLED)
    return [first, second, third]


def test_the_list_shows_my_due_notifications_newest_first_rendered(client_for, member, inbox):
    response = client_for(member).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["results"]] == [m.pk for m in reversed(inbox)]
    third = body["results"][0]
    assert third["subject"] == "CAIAC Lab : Troisième"
    assert "Bienvenue au labo." in third["body"]
    assert third["is_read"] is False
    assert body["results"][2]["is_read"] is True


def test_unread_only(client_for, member, inbox):
    body = client_for(member).get(URL, {"unread": "1"}).json()
    assert [item["id"] for item in body["results"]] == [inbox[2].pk, inbox[1].pk]


def test_the_list_is_rendered_in_my_language(client_for, member, schedule):
    member.language = "en"
    member.save()
    schedule(member, context={"title": "Lab", "text": "x", "start": "2026-09-20T10:00:00+00:00"})
    body = client_for(member).get(URL).json()
    assert "Sunday 20 September 2026, 10:00" in body["results"][0]["body"]


def test_the_list_needs_a_bounded_number_of_queries(
    client_for, member, schedule, django_assert_max_num_queries
):
    for n in range(15):
        schedule(member, key=f"k{n}", context={"title": f"n{n}"})
    client = client_for(member)
    with django_assert_max_num_queries(6):
        assert client.get(URL).json()["count"] == 15


def test_i_do_not_see_other_peoples_notifications(client_for, other_member, inbox):
    body = client_for(other_member).get(URL).json()
    assert body["count"] == 0


def test_marking_one_read(client_for, member, inbox):
    client = client_for(member)
    response = client.post(f"{URL}{inbox[1].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert client.get(f"{URL}unread-count/").json() == {"unread": 1}


def test_marking_another_persons_notification_is_not_found(client_for, other_member, inbox):
    response = client_for(other_member).post(f"{URL}{inbox[1].pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Message.objects.get(pk=inbox[1].pk).read_at is None


def test_a_notification_not_yet_due_cannot_be_marked_read(client_for, member, schedule):
    later = schedule(member, key="later", due_at=now() + minutes(60))
    assert client_for(member).post(f"{URL}{later.pk}/read/").status_code == 404


def test_marking_all_read(client_for, member, other_member, inbox, schedule):
    theirs = schedule(other_member, key="theirs")
    client = client_for(member)
    response = client.post(f"{URL}read-all/")
    assert response.json() == {"marked": 2}
    assert client.get(f"{URL}unread-count/").json() == {"unread": 0}
    assert Message.objects.get(pk=theirs.pk).read_at is None


def test_unread_count(client_for, member, inbox):
    assert client_for(member).get(f"{URL}unread-count/").json() == {"unread": 2}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "unread-count/"),
        ("post", "read-all/"),
        ("post", "1/read/"),
        ("get", "preferences/"),
        ("put", "preferences/"),
        ("get", "failed/"),
        ("post", "1/resend/"),
        ("post", "announce/"),
    ],
)
def test_anonymous_callers_get_401(api_client, method, path):
    response = getattr(api_client, method)(f"{URL}{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_preferences_start_with_everything_by_email(client_for, member):
    body = client_for(member).get(f"{URL}preferences/").json()
    assert body["email_disabled"] == []
    kinds = {item["kind"]: item for item in body["kinds"]}
    assert kinds["booking.reminder_1h"]["email"] is True
    assert kinds["booking.reminder_1h"]["label"] == "Rappel de réservation, une heure avant"


def test_preferences_can_turn_a_kind_off_by_email(client_for, member):
    client = client_for(member)
    response = client.put(
        f"{URL}preferences/", {"email_disabled": ["booking.reminder_1h"]}, format="json"
    )
    assert response.status_code == 200
    kinds = {item["kind"]: item["email"] for item in response.json()["kinds"]}
    assert kinds["booking.reminder_1h"] is False
    assert kinds["booking.reminder_24h"] is True
    assert client.get(f"{URL}preferences/").json()["email_disabled"] == ["booking.reminder_1h"]


@pytest.mark.parametrize(
    "payload", [{"email_disabled": ["not a kind"]}, {"email_disabled": "booking.x"}, {}]
)
def test_bad_preferences_are_refused_naming_the_field(client_for, member, payload):
    response = client_for(member).put(f"{URL}preferences/", payload, format="json")
    assert response.status_code == 400
    assert "email_disabled" in response.json()["fields"]


@pytest.fixture
def failed(other_member, schedule):
    message = schedule(other_member, key="failed")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: closed"
    )
    return message


def test_staff_see_the_failed_messages(client_for, staff, failed, inbox):
    body = client_for(staff).get(f"{URL}failed/").json()
    assert [item["id"] for item in body["results"]] == [failed.pk]
    assert body["results"][0]["last_error"] == "SMTPServerDisconnected: closed"
    assert body["results"][0]["recipient_username"] == "youssef"


def test_members_may_not_see_failed_messages(client_for, member, failed):
    response = client_for(member).get(f"{URL}failed/")
    assert response.status_code == 403


def test_staff_resend_a_failed_message_and_it_goes_out(client_for, staff, failed, mailoutbox):
    response = client_for(staff).post(f"{URL}{failed.pk}/resend/")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    message_deliver(message_id=failed.pk)
    assert len(mailoutbox) == 1


def test_resending_is_for_staff_only(client_for, other_member, failed):
    assert client_for(other_member).post(f"{URL}{failed.pk}/resend/").status_code == 403


def test_resending_a_message_that_did_not_fail_is_not_found_among_failed(client_for, staff, inbox):
    assert client_for(staff).post(f"{URL}{inbox[0].pk}/resend/").status_code == 404


def test_staff_send_an_announcement(client_for, staff, member, other_member):
    response = client_for(staff).post(
        f"{URL}announce/",
        {"recipients": [member.pk, other_member.pk], "title": "Fermeture", "text": "Le 1er mai"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {"scheduled": 2}
    body = client_for(member).get(URL).json()
    assert body["results"][0]["subject"] == "CAIAC Lab : Fermeture"


def test_members_cannot_send_announcements(client_for, member):
    response = client_for(member).post(
        f"{URL}announce/", {"recipients": [member.pk], "title": "x", "text": "y"}, format="json"
    )
    assert response.status_code == 403


def test_an_announcement_to_nobody_is_refused(client_for, staff):
    response = client_for(staff).post(
        f"{URL}announce/", {"recipients": [], "title": "x", "text": "y"}, format="json"
    )
    assert response.status_code == 400
    assert "recipients" in response.json()["fields"]


def test_one_of_my_notifications_by_id(client_for, member, inbox):
    response = client_for(member).get(f"{URL}{inbox[1].pk}/")
    assert response.status_code == 200
    assert response.json()["subject"] == "CAIAC Lab : Deuxième"


def test_another_persons_notification_by_id_is_not_found(client_for, other_member, inbox):
    response = client_for(other_member).get(f"{URL}{inbox[1].pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
